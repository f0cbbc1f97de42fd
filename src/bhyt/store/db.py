"""Engines for the system of record, SQLite or PostgreSQL, from one URL."""

from __future__ import annotations

from functools import cache

from sqlalchemy import Engine, create_engine, event

from bhyt.config import database_url


def make_engine(url: str | None = None) -> Engine:
    url = url or database_url()
    # Engines live as long as the process (default_engine, registry_engine): a pooled connection that
    # PostgreSQL closed meanwhile (a restart, an idle timeout) is replaced on checkout, not handed out.
    engine = create_engine(url, pool_pre_ping=True)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


@cache
def default_engine() -> Engine:
    return make_engine()


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys = ON")
    # No WAL: DuckDB reads this file through its own copy of SQLite, and two copies of SQLite in one
    # process cannot share a WAL file's locks safely (it corrupted a database in our tests).
    cursor.execute("PRAGMA journal_mode = DELETE")
    cursor.execute("PRAGMA busy_timeout = 30000")
    # Bulk upserts touch several indexes at random; a 256 MB page cache keeps them in memory.
    cursor.execute("PRAGMA cache_size = -262144")
    cursor.execute("PRAGMA temp_store = MEMORY")
    cursor.close()
