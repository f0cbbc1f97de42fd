"""Registries filled once per test run and copied for each test (or module) that needs one.

Filling a registry through the migrations, imports or the demo generator takes from a tenth of a second
to seconds; copying the filled database takes milliseconds on SQLite (a file) and about a tenth of a
second on PostgreSQL (CREATE DATABASE … TEMPLATE). Every copy is its reader's own: a test that writes
changes no other test's registry, as when each test filled its own.
"""

from __future__ import annotations

import shutil
from collections.abc import Hashable, Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Connection, create_engine, text
from sqlalchemy.engine import make_url

from bhyt.analytics.snapshot import snapshot_path
from bhyt.store.db import default_engine


class DatabaseCopies:
    """Databases saved under a key: an SQLite file in `folder`, or a PostgreSQL template database named
    after the database it was copied from."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._saved: dict[Hashable, str] = {}
        self._templates: list[tuple[str, str]] = []  # (server URL, database) of each PostgreSQL copy

    def save(self, key: Hashable, url: str) -> None:
        """Keep a copy of the database at `url` under `key`. Whoever holds an engine on it disposes it
        first; the CLI's engine is disposed here."""
        _release_default_engine()
        parsed = make_url(url)
        if parsed.get_backend_name() == "sqlite":
            copy = self.folder / f"{len(self._saved)}.db"
            shutil.copyfile(parsed.database, copy)
            self._saved[key] = str(copy)
            return
        template = f"{parsed.database}_copy_{len(self._saved)}"
        server = _server_url(url)
        with _server(server) as connection:
            # A template must have no other session: the pools of this process closed theirs above, a
            # DuckDB scanner may still hold one.
            connection.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                    "WHERE datname = :name AND pid <> pg_backend_pid()"), {"name": parsed.database})
            connection.execute(text(f'DROP DATABASE IF EXISTS "{template}" WITH (FORCE)'))
            connection.execute(text(f'CREATE DATABASE "{template}" TEMPLATE "{parsed.database}"'))
        self._saved[key] = template
        self._templates.append((server, template))

    def restore(self, key: Hashable, url: str) -> bool:
        """Replace the database at `url` by the copy saved under `key`; False when there is none yet.
        Whoever holds an engine on it disposes it first; the CLI's engine is disposed here."""
        saved = self._saved.get(key)
        if saved is None:
            return False
        _release_default_engine()
        parsed = make_url(url)
        if parsed.get_backend_name() == "sqlite":
            shutil.copyfile(saved, parsed.database)
            return True
        with _server(_server_url(url)) as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)'))
            connection.execute(text(f'CREATE DATABASE "{parsed.database}" TEMPLATE "{saved}"'))
        # The analytics snapshot is one file per database URL, stamped with the registry's token: an
        # earlier copy's snapshot carries the same token. Each copy takes its own, as a filled one would.
        snapshot_path(create_engine(url)).unlink(missing_ok=True)
        return True

    def drop(self) -> None:
        """Drop the PostgreSQL copies (the SQLite ones go with the test run's temporary folder)."""
        for server, template in self._templates:
            with _server(server) as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{template}" WITH (FORCE)'))
        self._templates.clear()


def empty_postgres_database(url: str) -> None:
    """Drop the database `url` names if it is there, and create it empty."""
    name = make_url(url).database
    with _server(_server_url(url)) as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))


def drop_postgres_database(url: str) -> None:
    """Drop the database `url` names, if it is there: a test's own database, once its tests are done."""
    with _server(_server_url(url)) as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)'))


def _release_default_engine() -> None:
    """Close the pooled connections of the CLI's engine (`bhyt …` run in this process), which would
    otherwise keep the database busy, or point at a file or database that is replaced."""
    if default_engine.cache_info().currsize:
        default_engine().dispose()


def _server_url(url: str) -> str:
    """The server's maintenance database: a database cannot be dropped or copied from inside itself."""
    return make_url(url).set(database="postgres").render_as_string(hide_password=False)


@contextmanager
def _server(url: str) -> Iterator[Connection]:
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            yield connection
    finally:
        engine.dispose()
