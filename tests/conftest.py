"""Every database test runs on SQLite, and on PostgreSQL too when BHYT_TEST_DATABASE_URL names one."""

from __future__ import annotations

import csv
import os
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bhyt.store.db import default_engine, make_engine
from bhyt.store.migrate import upgrade
from bhyt.store.units import seed_admin_units
from tests.database_copies import DatabaseCopies

POSTGRES_URL = os.environ.get("BHYT_TEST_DATABASE_URL")
DATABASES = [pytest.param("sqlite", id="sqlite")]
if POSTGRES_URL:
    DATABASES.append(pytest.param("postgres", id="postgres", marks=pytest.mark.postgres))


@pytest.fixture(scope="session", autouse=True)
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One data folder for the run: error reports and DuckDB's extension copies land here."""
    path = tmp_path_factory.mktemp("data")
    os.environ["BHYT_DATA_DIR"] = str(path)
    return path


@pytest.fixture(scope="session", autouse=True)
def quick_password_hashing():
    """Argon2 at its lowest cost for the run: the default costs a tenth of a second a hash, and the
    tests create accounts and sign in hundreds of times. The hashes are still argon2id, made and checked
    by the same code."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("BHYT_ARGON2_PROFILE", "CHEAPEST")
        yield


@pytest.fixture(scope="session")
def database_copies(tmp_path_factory: pytest.TempPathFactory):
    copies = DatabaseCopies(tmp_path_factory.mktemp("database_copies"))
    yield copies
    copies.drop()


def _reset_postgres(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(params=DATABASES)
def database_url(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'bhyt.db'}"
    else:
        url = POSTGRES_URL
        _reset_postgres(url)
    monkeypatch.setenv("BHYT_DATABASE_URL", url)
    default_engine.cache_clear()
    yield url
    default_engine.cache_clear()


@pytest.fixture
def engine(database_url: str, database_copies: DatabaseCopies):
    # SQLite: a copy of the file migrated and seeded once for the run. PostgreSQL migrates its emptied
    # schema as fast as it copies a database.
    sqlite = make_url(database_url).get_backend_name() == "sqlite"
    engine = make_engine(database_url)
    if not (sqlite and database_copies.restore("migrated", database_url)):
        upgrade(engine)
        seed_admin_units(engine)
        if sqlite:
            engine.dispose()
            database_copies.save("migrated", database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def filled_once(request: pytest.FixtureRequest, database_url: str, database_copies: DatabaseCopies):
    """`filled_once(name, fill)`, in a fixture that fills the test database alike for every test of its
    module: the first test runs `fill()` and keeps a copy of the database it leaves, the others get that
    copy instead. `name` tells the fills of one module apart. Only the database is copied: a file `fill`
    writes that a test reads must be written outside it."""
    # The test's engine is set up first: set up after the copy, it would empty the database again.
    engines = [request.getfixturevalue("engine")] if "engine" in request.fixturenames else []
    backend = make_url(database_url).get_backend_name()

    def fill_or_copy(name: str, fill: Callable[[], object]) -> None:
        key = (request.module.__name__, name, backend)
        for engine in engines:
            engine.dispose()
        if database_copies.restore(key, database_url):
            return
        fill()
        for engine in engines:
            engine.dispose()
        database_copies.save(key, database_url)

    return fill_or_copy


def write_csv(path: Path, header: list[str], rows: list[list[object]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path
