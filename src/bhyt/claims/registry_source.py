"""Where an assessment reads the system of record: the people and cards from the analytics snapshot,
the decisions on findings live.

Through the SQLite or PostgreSQL scanner the claims' ID numbers and card codes are not pushed into the
database, so every person and card was read: 1.7 s on a province of 1.6 million people, however few
the claims. The snapshot holds them in DuckDB's own columns and is rebuilt first whenever the registry
has changed (bhyt.analytics.snapshot), so an assessment still sees every card and death recorded before
it. Decisions change without moving the registry and are few: they are read through SQLAlchemy, in a
millisecond, where loading the scanner into a new DuckDB connection costs a tenth of a second or more.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache

import duckdb
import pyarrow as pa
from sqlalchemy import Engine, inspect, select

from bhyt.analytics.snapshot import fresh_snapshot
from bhyt.store.db import make_engine
from bhyt.store.models import CardPeriod, ClaimDecision, Person, RegistryVersion

# The tables an assessment reads from the database, directly or through the snapshot.
_READ_TABLES = tuple(model.__tablename__ for model in (Person, CardPeriod, RegistryVersion, ClaimDecision))

_DECISIONS_SCHEMA = pa.schema([("ma_lk", pa.string()), ("rule_id", pa.string()), ("decision", pa.string()),
                               ("reason", pa.string())])


@cache
def registry_engine(database_url: str) -> Engine:
    """One engine per database for the process: a new one would open a connection (tens of milliseconds
    on PostgreSQL) for every assessment."""
    return make_engine(database_url)


def missing_tables(engine: Engine) -> list[str]:
    """The tables an assessment reads that the database lacks (it has not been upgraded)."""
    present = set(inspect(engine).get_table_names())
    return [name for name in _READ_TABLES if name not in present]


@contextmanager
def attached_snapshot(con: duckdb.DuckDBPyConnection, engine: Engine, alias: str) -> Iterator[None]:
    """The registry snapshot of `engine`'s database, rebuilt first if the registry has changed, attached
    read-only to `con` as `alias` meanwhile."""
    path = str(fresh_snapshot(engine)).replace("'", "''")
    con.execute(f"ATTACH '{path}' AS {alias} (READ_ONLY)")
    try:
        yield
    finally:
        con.execute(f"DETACH {alias}")


def recorded_decisions(engine: Engine) -> pa.Table:
    """Every decision taken on a finding: ma_lk, rule_id, decision, reason."""
    columns = (ClaimDecision.ma_lk, ClaimDecision.rule_id, ClaimDecision.decision, ClaimDecision.reason)
    with engine.connect() as connection:
        rows = connection.execute(select(*columns)).all()
    return pa.Table.from_pylist([row._asdict() for row in rows], schema=_DECISIONS_SCHEMA)
