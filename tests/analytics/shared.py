"""Registries built once per test module, for tests that only read them: loading a registry and
taking its analytics snapshot costs seconds, a question on it milliseconds.

Each registry lives in a database of its own (a file on SQLite, a database named after it on
PostgreSQL), so that the tests that reset the main test database leave it alone.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import Engine
from sqlalchemy.engine import make_url

from bhyt.analytics.engine import plain_url
from bhyt.store.db import default_engine, make_engine
from bhyt.store.migrate import upgrade
from bhyt.store.units import seed_admin_units
from tests.conftest import POSTGRES_URL
from tests.database_copies import drop_postgres_database, empty_postgres_database


@contextmanager
def shared_engine(kind: str, name: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """An empty registry (migrated, administrative units seeded) named `name`, on `kind` ("sqlite" or
    "postgres", the parameter of conftest.DATABASES)."""
    if kind == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp(name) / 'bhyt.db'}"
    else:
        main = make_url(POSTGRES_URL)
        url = main.set(database=f"{main.database}_{name}").render_as_string(hide_password=False)
        empty_postgres_database(url)
    engine = make_engine(url)
    upgrade(engine)
    seed_admin_units(engine)
    try:
        yield engine
    finally:
        engine.dispose()
        if kind != "sqlite":
            drop_postgres_database(url)


@contextmanager
def cli_on(engine: Engine) -> Iterator[None]:
    """The CLI (which opens the database BHYT_DATABASE_URL names) on `engine`'s database meanwhile."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("BHYT_DATABASE_URL", plain_url(engine))
        default_engine.cache_clear()
        try:
            yield
        finally:
            default_engine.cache_clear()
