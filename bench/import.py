"""Import benchmark: load N households' people and N cards from CSV files and print rows per second.

The baseline, measured in the same run on the same database kind, is the per-row way many systems
enrol people (one ORM object and one commit per person, as a service layer does); the ratio is what
set-based loading buys. Usage: python bench/import.py [--persons 1000000] [--database-url URL]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from datetime import date
from pathlib import Path

import duckdb
from sqlalchemy.orm import Session

from bhyt.domain.admin_units import communes
from bhyt.ingest.service import import_file
from bhyt.store.db import make_engine
from bhyt.store.migrate import upgrade
from bhyt.store.models import Person, Residence
from bhyt.store.units import seed_admin_units

BASELINE_ROWS = 2_000


def write_lists(folder: Path, persons: int, province: str) -> dict[str, Path]:
    """Valid lists for `persons` people in the province's communes: ~3.6 people a household, one card each."""
    codes = [unit.code for unit in communes(province)]
    con = duckdb.connect()
    con.execute("CREATE TABLE commune AS SELECT * FROM (SELECT unnest(?) AS code, generate_subscripts(?, 1) - 1 AS i)",
                [codes, codes])
    con.execute(f"""
        CREATE TABLE people AS
        SELECT i, i // 4 AS household, (i % 2) + 1 AS sex,
               DATE '1930-01-01' + CAST((hash(i) % 34000) AS INTEGER) AS birth,
               (SELECT code FROM commune WHERE commune.i = (i // 4) % {len(codes)}) AS commune
        FROM range({persons}) t(i)
    """)
    files = {kind: folder / f"{kind}.csv" for kind in ("households", "persons", "cards")}
    con.execute(f"""COPY (
        SELECT DISTINCT 'HO' || household AS ma_ho, 'Chủ hộ ' || household AS chu_ho, commune AS ma_xa,
               'Thôn ' || (household % 12 + 1) AS thon, '' AS dia_chi, 'khac' AS phan_loai_ho, 2026 AS nam_phan_loai
        FROM people WHERE i % 4 = 0 ORDER BY ma_ho) TO '{files["households"]}' (HEADER)""")
    pid = ("'045' || CAST((year(birth) // 100 - 19) * 2 + sex - 1 AS VARCHAR) || "
           "lpad(CAST(year(birth) % 100 AS VARCHAR), 2, '0') || lpad(CAST(i AS VARCHAR), 6, '0')")
    con.execute(f"""COPY (
        SELECT {pid} AS so_dinh_danh, 'Nguyễn Văn ' || i AS ho_ten, strftime(birth, '%d/%m/%Y') AS ngay_sinh,
               CASE sex WHEN 1 THEN 'Nam' ELSE 'Nữ' END AS gioi_tinh, 'HO' || household AS ma_ho,
               CASE WHEN i % 4 = 0 THEN 'Chủ hộ' ELSE 'Con' END AS quan_he_chu_ho, commune AS ma_xa,
               'Thôn ' || (household % 12 + 1) AS thon, '' AS ngay_den, '' AS ngay_di, '' AS ngay_mat
        FROM people) TO '{files["persons"]}' (HEADER)""")
    con.execute(f"""COPY (
        SELECT {pid} AS so_dinh_danh, '45' || lpad(CAST(i AS VARCHAR), 8, '0') AS ma_so_bhxh, '' AS ma_the,
               'GD' AS ma_doi_tuong, '' AS muc_huong, '2026-01-01' AS gt_the_tu, '2026-12-31' AS gt_the_den,
               '44001' AS ma_dkbd
        FROM people) TO '{files["cards"]}' (HEADER)""")
    return files


def per_row_baseline(engine, commune: str) -> float:
    """People per second when each is one ORM object and one commit."""
    started = time.perf_counter()
    with Session(engine) as session:
        for number in range(BASELINE_ROWS):
            person = Person(personal_id=f"001090{number:06d}", full_name=f"Trần Thị {number}",
                            birth_date=date(1990, 1, 1), sex=1)
            session.add(person)
            session.flush()
            session.add(Residence(person_id=person.id, commune_code=commune))
            session.commit()
    return BASELINE_ROWS / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--database-url", default=None, help="default: a new SQLite file in a temporary folder")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        os.environ["BHYT_DATA_DIR"] = str(folder)
        url = args.database_url or f"sqlite:///{folder / 'bench.db'}"
        engine = make_engine(url)
        upgrade(engine)
        seed_admin_units(engine)
        started = time.perf_counter()
        files = write_lists(folder, args.persons, "44")
        print(f"lists written: {args.persons:,} people in {time.perf_counter() - started:.1f} s ({engine.dialect.name})")

        total_rows, total_seconds = 0, 0.0
        for kind in ("households", "persons", "cards"):
            started = time.perf_counter()
            result = import_file(engine, kind, files[kind])
            seconds = time.perf_counter() - started
            assert result.ok, result.errors[:5]
            total_rows += result.rows
            total_seconds += seconds
            print(f"{kind:<11} {result.rows:>10,} rows {seconds:7.1f} s {result.rows / seconds:>10,.0f} rows/s")
        print(f"{'all':<11} {total_rows:>10,} rows {total_seconds:7.1f} s {total_rows / total_seconds:>10,.0f} rows/s")

        started = time.perf_counter()
        again = import_file(engine, "persons", files["persons"])
        print(f"re-import persons (no change: {again.counts.unchanged:,} unchanged) "
              f"{again.rows / (time.perf_counter() - started):,.0f} rows/s")

        baseline = per_row_baseline(engine, communes("44")[0].code)
        print(f"baseline: per-row ORM enrolment {baseline:,.0f} people/s ({BASELINE_ROWS:,} people)")
        print(f"ratio: set-based import / per-row = {total_rows / total_seconds / baseline:,.1f}x")
        engine.dispose()


if __name__ == "__main__":
    main()
