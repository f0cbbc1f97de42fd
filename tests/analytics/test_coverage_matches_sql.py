"""The engine (snapshot, coverage segments, one scan) gives the same numbers as plain SQL written
straight from the design notes' definitions and run by the database itself, on a demo province,
at every level and by participant code, on dates that cut through card changes."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import Date, bindparam, text

from bhyt.analytics.coverage import coverage
from bhyt.analytics.engine import analytics
from bhyt.demo.province import build_demo
from bhyt.domain.participants import PARTICIPANT_CODES
from bhyt.store.migrate import upgrade
from bhyt.store.units import seed_admin_units

DATES = (date(2024, 12, 31), date(2026, 6, 30), date(2026, 11, 22))
PRIORITY = "CASE {column} " + " ".join(
    f"WHEN '{code.code}' THEN {code.priority}" for code in PARTICIPANT_CODES.values()
) + " END"

ACTIVE = """(r.arrived_on IS NULL OR r.arrived_on <= :d) AND (r.left_on IS NULL OR r.left_on >= :d)
            AND (p.death_date IS NULL OR p.death_date > :d)"""
COVERED = "c.valid_from <= :d AND c.valid_to >= :d"
UNIT = {
    "province": ("u.parent_code", "JOIN units u ON u.code = r.commune_code"),
    "commune": ("r.commune_code", ""),
    "hamlet": ("r.hamlet_code", ""),
}


def plain(connection, sql: str, day: date) -> list[tuple]:
    return connection.execute(text(sql).bindparams(bindparam("d", type_=Date)), {"d": day}).fetchall()


def plain_coverage(connection, level: str, day: date) -> dict[str, tuple[int, int]]:
    unit, join = UNIT[level]
    found = plain(connection, f"""
        SELECT {unit}, count(DISTINCT r.person_id),
               count(DISTINCT CASE WHEN EXISTS (SELECT 1 FROM card_periods c WHERE c.person_id = r.person_id
                                                AND {COVERED}) THEN r.person_id END)
        FROM residences r JOIN persons p ON p.id = r.person_id {join}
        WHERE {ACTIVE} AND {unit} IS NOT NULL
        GROUP BY {unit}""", day)
    return {code: (population, insured) for code, population, insured in found}


def plain_by_code(connection, day: date) -> dict[tuple[str, str], int]:
    found = plain(connection, f"""
        SELECT r.commune_code, c.participant_code, count(DISTINCT r.person_id)
        FROM residences r JOIN persons p ON p.id = r.person_id
        JOIN card_periods c ON c.person_id = r.person_id AND {COVERED}
        WHERE {ACTIVE} AND NOT EXISTS (
            SELECT 1 FROM card_periods b WHERE b.person_id = c.person_id
              AND b.valid_from <= :d AND b.valid_to >= :d
              AND {PRIORITY.format(column='b.participant_code')} < {PRIORITY.format(column='c.participant_code')})
        GROUP BY r.commune_code, c.participant_code""", day)
    return {(commune, code): count for commune, code, count in found}


@pytest.fixture
def province(engine):
    upgrade(engine)
    seed_admin_units(engine)
    build_demo(engine, persons=3_000)
    return engine


def test_engine_equals_plain_sql(province):
    with analytics(province) as con, province.connect() as connection:
        for day in DATES:
            for level in ("province", "commune", "hamlet"):
                engine_rows = {
                    row.unit_code: (row.population, row.insured)
                    for row in coverage(con, day, level, "44") if row.population
                }
                assert engine_rows == plain_coverage(connection, level, day), (level, day)
            by_code = {
                (row.unit_code, row.key): row.insured for row in coverage(con, day, "commune", "44", by="code")
                if row.insured
            }
            assert by_code == plain_by_code(connection, day), day
