"""Registry coverage as of a date, by the definitions in the design notes.

- insured on d: some card period has valid_from <= d <= valid_to;
- resident of u on d: residence in u begun by d (arrival <= d), not ended before d (departure >= d),
  and not dead on or before d;
- coverage = insured residents / residents; one person counts once per unit, however many cards
  or residences they have.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import duckdb

LEVELS = ("province", "commune", "hamlet")


class UnknownUnit(ValueError):
    pass


@dataclass(frozen=True)
class CoverageRow:
    unit_code: str
    unit_name: str
    population: int
    insured: int

    @property
    def coverage_pct(self) -> Decimal | None:
        """Percent rounded half-up to 2 decimals, computed exactly (no binary floats)."""
        if not self.population:
            return None
        return (Decimal(self.insured * 100) / Decimal(self.population)).quantize(Decimal("0.01"), ROUND_HALF_UP)


# Each unit with the province and commune it belongs to, whatever its level.
_UNIT_PATHS = """
    SELECT u.code, u.name, u.level,
           CASE u.level WHEN 'province' THEN u.code WHEN 'commune' THEN u.parent_code ELSE p.parent_code END
               AS province_code,
           CASE u.level WHEN 'commune' THEN u.code WHEN 'hamlet' THEN u.parent_code END AS commune_code
    FROM db.units u LEFT JOIN db.units p ON p.code = u.parent_code
"""

_RESIDENTS = """
    SELECT r.person_id, r.hamlet_code, r.commune_code, c.parent_code AS province_code
    FROM db.residences r
    JOIN db.persons p ON p.id = r.person_id
    JOIN db.units c ON c.code = r.commune_code
    WHERE (r.arrived_on IS NULL OR r.arrived_on <= $as_of)
      AND (r.left_on IS NULL OR r.left_on >= $as_of)
      AND (p.death_date IS NULL OR p.death_date > $as_of)
"""

_INSURED = "SELECT DISTINCT person_id FROM db.card_periods WHERE valid_from <= $as_of AND valid_to >= $as_of"

_GROUP_KEY = {"province": "province_code", "commune": "commune_code", "hamlet": "hamlet_code"}


def coverage(con: duckdb.DuckDBPyConnection, as_of: date, level: str, unit: str | None = None) -> list[CoverageRow]:
    """One row per unit of `level` inside `unit` (the unit itself when it is of that level); without
    `unit`, every unit of that level in the provinces the registry has residents in."""
    if level not in LEVELS:
        raise ValueError(f"Cấp phải là một trong: {', '.join(LEVELS)}.")
    if unit is not None:
        _check_scope(con, unit, level)
    key = _GROUP_KEY[level]
    rows = con.execute(
        f"""
        WITH paths AS ({_UNIT_PATHS}),
        residents AS ({_RESIDENTS}),
        insured AS ({_INSURED}),
        counts AS (
            SELECT r.{key} AS unit_code, count(DISTINCT r.person_id) AS population,
                   count(DISTINCT i.person_id) AS insured
            FROM residents r LEFT JOIN insured i ON i.person_id = r.person_id
            GROUP BY 1
        ),
        registry_provinces AS (
            SELECT DISTINCT c.parent_code AS code FROM db.residences r JOIN db.units c ON c.code = r.commune_code
        )
        SELECT p.code, p.name, coalesce(c.population, 0), coalesce(c.insured, 0)
        FROM paths p LEFT JOIN counts c ON c.unit_code = p.code
        WHERE p.level = $level
          AND (CASE WHEN $unit IS NULL THEN p.province_code IN (SELECT code FROM registry_provinces)
                    ELSE $unit IN (p.code, p.commune_code, p.province_code) END)
        ORDER BY p.code
        """,
        {"as_of": as_of, "level": level, "unit": unit},
    ).fetchall()
    return [CoverageRow(code, name, int(population), int(insured)) for code, name, population, insured in rows]


def _check_scope(con: duckdb.DuckDBPyConnection, unit: str, level: str) -> None:
    found = con.execute("SELECT level FROM db.units WHERE code = ?", [unit]).fetchone()
    if found is None:
        raise UnknownUnit(f"Không có đơn vị mã '{unit}'.")
    if LEVELS.index(found[0]) > LEVELS.index(level):
        raise UnknownUnit(f"Đơn vị '{unit}' là cấp {found[0]}, nhỏ hơn cấp {level} được hỏi.")
