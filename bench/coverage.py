"""Coverage benchmark: the as-of cube (residents and insured per commune x participant code) on a demo
province, computed by our engine and, in the same run, by plain SQL in SQLite, in PostgreSQL (with
--postgres URL) and by pandas (when installed), with a bare DuckDB scan of the columns the engine
reads as the floor. Every answer is checked equal to the engine's; then times and ratios are printed.

Usage: python bench/coverage.py [--persons 10000000] [--as-of 2026-11-22] [--postgres URL]
The demo database is built once under data/bench/ and reused.
"""

from __future__ import annotations

import argparse
import sqlite3
import time
from datetime import date
from pathlib import Path

from bhyt.analytics.coverage import coverage
from bhyt.analytics.engine import analytics, attached, plain_url
from bhyt.analytics.snapshot import fresh_snapshot
from bhyt.config import data_dir
from bhyt.demo.province import build_demo
from bhyt.domain.participants import PARTICIPANT_CODES
from bhyt.store.db import make_engine
from bhyt.store.migrate import upgrade
from bhyt.store.units import seed_admin_units

PRIORITY = "CASE {column} " + " ".join(
    f"WHEN '{code.code}' THEN {code.priority}" for code in PARTICIPANT_CODES.values()
) + " END"

# Written straight from the design notes' definitions: the database does all the work.
CUBE_SQL = f"""
    WITH residents AS (
        SELECT r.person_id, r.commune_code FROM residences r JOIN persons p ON p.id = r.person_id
        WHERE (r.arrived_on IS NULL OR r.arrived_on <= :d) AND (r.left_on IS NULL OR r.left_on >= :d)
          AND (p.death_date IS NULL OR p.death_date > :d)
    ),
    ranked AS (
        SELECT person_id, participant_code,
               row_number() OVER (PARTITION BY person_id ORDER BY {PRIORITY.format(column='participant_code')}) AS rank
        FROM card_periods WHERE valid_from <= :d AND valid_to >= :d
    )
    SELECT r.commune_code, i.participant_code, count(*)
    FROM residents r JOIN ranked i ON i.person_id = r.person_id AND i.rank = 1
    GROUP BY r.commune_code, i.participant_code
"""


def best_of(runs: int, work):
    times, result = [], None
    for _ in range(runs):
        started = time.perf_counter()
        result = work()
        times.append(time.perf_counter() - started)
    return min(times), result


def demo_database(persons: int) -> Path:
    path = data_dir() / "bench" / f"coverage-{persons}.db"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        engine = make_engine(f"sqlite:///{path}")
        upgrade(engine)
        seed_admin_units(engine)
        started = time.perf_counter()
        build_demo(engine, persons=persons)
        print(f"demo built: {persons:,} people in {time.perf_counter() - started:.0f} s")
    return path


def engine_cube(con, as_of: date) -> dict:
    rows = coverage(con, as_of, "commune", "44", by="code")
    return {(row.unit_code, row.key): row.insured for row in rows if row.insured}


def scan_floor(con) -> None:
    con.execute("""SELECT count(*), min(province_code), min(commune_code), max(resident_from), max(resident_to),
                              max(covered_from), max(covered_to), min(participant_code), count(*) FILTER (WHERE first_row)
                   FROM coverage_facts""").fetchall()


def sqlite_cube(path: Path, as_of: date) -> dict:
    with sqlite3.connect(path) as connection:
        found = connection.execute(CUBE_SQL.replace(":d", f"'{as_of.isoformat()}'")).fetchall()
    return {(commune, code): count for commune, code, count in found}


def load_postgres(source_url: str, target_url: str) -> None:
    """Copy the three registry tables into PostgreSQL through DuckDB, with the indexes the models declare."""
    with attached(source_url) as con:
        from bhyt.analytics.engine import attach_clause, load_extension

        target, extension = attach_clause(target_url)
        load_extension(con, extension)
        con.execute(f"ATTACH '{target}' AS pg (TYPE postgres)")
        # A test database may hold the full schema, whose foreign keys would block the drop.
        con.execute("CALL postgres_execute('pg', 'DROP TABLE IF EXISTS persons, residences, card_periods CASCADE')")
        for table in ("persons", "residences", "card_periods"):
            columns = {
                "persons": "id, death_date",
                "residences": "person_id, commune_code, arrived_on, left_on",
                "card_periods": "person_id, participant_code, valid_from, valid_to",
            }[table]
            con.execute(f"CREATE TABLE pg.{table} AS SELECT {columns} FROM db.{table}")
        con.execute("""CALL postgres_execute('pg', 'CREATE INDEX ON persons (id);
            CREATE INDEX ON residences (person_id); CREATE INDEX ON card_periods (person_id, valid_to);
            CREATE INDEX ON card_periods (valid_from, valid_to); ANALYZE')""")


def postgres_cube(url: str, as_of: date) -> dict:
    import psycopg

    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://")) as connection:
        found = connection.execute(CUBE_SQL.replace(":d", f"DATE '{as_of.isoformat()}'")).fetchall()
    return {(commune, code): count for commune, code, count in found}


def pandas_cube(engine, as_of: date):
    import pandas as pd

    with analytics(engine) as con:
        residences = con.execute("SELECT person_id, commune_code, arrived_on, left_on, death_date FROM residences").df()
        cards = con.execute("SELECT person_id, participant_code, priority, valid_from, valid_to FROM cards").df()
    day = pd.Timestamp(as_of)

    def work() -> dict:
        active = residences[
            (residences.arrived_on.isna() | (residences.arrived_on <= day))
            & (residences.left_on.isna() | (residences.left_on >= day))
            & (residences.death_date.isna() | (residences.death_date > day))
        ]
        covering = cards[(cards.valid_from <= day) & (cards.valid_to >= day)]
        picked = covering.sort_values("priority").drop_duplicates("person_id")
        joined = active.merge(picked, on="person_id")
        counts = joined.groupby(["commune_code", "participant_code"]).size()
        return {key: int(count) for key, count in counts.items()}

    return work


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persons", type=int, default=10_000_000)
    parser.add_argument("--as-of", type=date.fromisoformat, default=date(2026, 11, 22))
    parser.add_argument("--postgres", help="PostgreSQL URL to load the registry into and query")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    path = demo_database(args.persons)
    engine = make_engine(f"sqlite:///{path}")
    started = time.perf_counter()
    fresh_snapshot(engine)
    print(f"snapshot ready in {time.perf_counter() - started:.1f} s ({args.persons:,} people)")

    # Timed on an open connection, as a web server holds one.
    times: dict[str, float] = {}
    with analytics(engine) as con:
        times["engine"], expected = best_of(args.runs, lambda: engine_cube(con, args.as_of))
        times["scan floor"], _ = best_of(args.runs, lambda: scan_floor(con))
    answers = {"sqlite": best_of(1, lambda: sqlite_cube(path, args.as_of))}
    if args.postgres:
        load_postgres(plain_url(engine), args.postgres)
        answers["postgresql"] = best_of(args.runs, lambda: postgres_cube(args.postgres, args.as_of))
    try:
        answers["pandas"] = best_of(args.runs, pandas_cube(engine, args.as_of))
    except ImportError:
        print("pandas not installed: skipped (pip install pandas)")
    for name, (seconds, answer) in answers.items():
        if answer != expected:
            raise SystemExit(f"{name} disagrees with the engine")
        times[name] = seconds
    cells = len(expected)
    print(f"cube: {cells:,} commune x code cells, {sum(expected.values()):,} insured residents on {args.as_of}")
    for name, seconds in times.items():
        print(f"{name:<12} {seconds * 1000:10.1f} ms   engine is {seconds / times['engine']:6.2f}x faster"
              if name != "engine" else f"{name:<12} {seconds * 1000:10.1f} ms")
    print(f"engine / scan floor = {times['engine'] / times['scan floor']:.2f}")


if __name__ == "__main__":
    main()
