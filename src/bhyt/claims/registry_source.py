"""Where an assessment reads the system of record: the people and cards from the analytics snapshot,
the decisions on findings live.

Through the SQLite or PostgreSQL scanner the claims' ID numbers and card codes are not pushed into the
database, so every person and card was read: 1.7 s on a province of 1.6 million people, however few
the claims. The snapshot holds them in DuckDB's own columns and is rebuilt first whenever the registry
has changed (bhyt.analytics.snapshot), so an assessment still sees every card and death recorded before
it. Decisions change without moving the registry: a few claims' are looked up through SQLAlchemy by
MA_LK (`recorded_decisions`); many claims' are read through the scanner (`attached_database`), which
costs a tenth of a second to load but reads a million decisions in 0.4 to 0.55 s, where SQLAlchemy
rows took about 4 s.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import cache

import duckdb
import pyarrow as pa
from sqlalchemy import Engine, inspect, select

from bhyt.analytics.engine import attach_db, plain_url
from bhyt.analytics.snapshot import fresh_snapshot
from bhyt.store.db import make_engine
from bhyt.store.models import CardPeriod, ClaimDecision, DecisionsVersion, Person, RegistryVersion

# The tables an assessment reads from the database, directly or through the snapshot, and the one that
# recording a decision after it (`bhyt claims decide`) writes.
_READ_TABLES = tuple(model.__tablename__ for model in (Person, CardPeriod, RegistryVersion, ClaimDecision,
                                                        DecisionsVersion))

_DECISIONS_SCHEMA = pa.schema([("ma_lk", pa.string()), ("rule_id", pa.string()), ("decision", pa.string()),
                               ("reason", pa.string())])

# Up to this many claims, their decisions are looked up by MA_LK (the first column of the primary key):
# among a million decisions 10,000 claims take 25 ms on SQLite and 70 ms on PostgreSQL, less than loading
# the scanner alone (85 and 115 ms), so the lookup is never the slower way, however few the decisions.
LOOKED_UP_CLAIMS = 10_000
# Claims per statement: well under SQLite's and PostgreSQL's limits on bound parameters, and the
# fastest of 500, 1,000 and 5,000 on both.
_CLAIMS_PER_LOOKUP = 1_000


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


def recorded_decisions(engine: Engine, claims: Sequence[str]) -> pa.Table:
    """The decisions taken on the findings of `claims` (MA_LK): ma_lk, rule_id, decision, reason."""
    columns = (ClaimDecision.ma_lk, ClaimDecision.rule_id, ClaimDecision.decision, ClaimDecision.reason)
    values: list[list[str | None]] = [[] for _ in columns]
    with engine.connect() as connection:
        for start in range(0, len(claims), _CLAIMS_PER_LOOKUP):
            chunk = claims[start:start + _CLAIMS_PER_LOOKUP]
            rows = connection.execute(select(*columns).where(ClaimDecision.ma_lk.in_(chunk))).tuples().all()
            for column, read in zip(values, zip(*rows)):
                column.extend(read)
    return pa.Table.from_arrays([pa.array(column, pa.string()) for column in values], schema=_DECISIONS_SCHEMA)


@contextmanager
def attached_database(con: duckdb.DuckDBPyConnection, engine: Engine, alias: str) -> Iterator[None]:
    """`engine`'s database attached read-only to `con` as `alias` meanwhile, through DuckDB's scanner."""
    attach_db(con, plain_url(engine), alias=alias)
    try:
        yield
    finally:
        con.execute(f"DETACH {alias}")
