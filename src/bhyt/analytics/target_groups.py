"""Coverage of one target group (children under 6, pupils and students, poor households, …): its
eligible residents, found by the rule of `domain/data/target_groups.csv`, and how many of them hold a
card on the date.

A member of the group is insured when any card covers the date, whatever its participant code: a pupil
insured through a parent's employer or a poor household's card is covered all the same.
"""

from __future__ import annotations

from datetime import date

import duckdb

from bhyt.analytics.coverage import CoverageRow, check_level, check_scope
from bhyt.domain.target_groups import TargetGroup, target_group

_LEVEL_COLUMN = {"province": "province_code", "commune": "commune_code", "hamlet": "hamlet_code"}


def group_coverage(
    con: duckdb.DuckDBPyConnection, as_of: date, level: str, unit: str | None, group: str
) -> list[CoverageRow]:
    """One row per unit of `level` inside `unit` (or, without `unit`, in every province the registry
    has residents in): the group's eligible residents on `as_of` as population, those of them with a
    card covering `as_of` as insured, and the group code as key."""
    rule = target_group(group)
    check_level(level)
    units = _units_in_scope(con, level, unit)
    column = _LEVEL_COLUMN[level]
    scope = "" if unit is None else f"AND $unit IN (r.{column}, r.commune_code, r.province_code)"
    eligible, params = _eligibility(rule)
    counts = con.execute(
        f"""
        WITH residents AS (
            SELECT r.person_id, r.{column} AS unit_code, r.birth_date, r.household_id
            FROM residences r
            WHERE (r.arrived_on IS NULL OR r.arrived_on <= $d) AND (r.left_on IS NULL OR r.left_on >= $d)
              AND (r.death_date IS NULL OR r.death_date > $d) AND r.{column} IS NOT NULL {scope}
        ),
        cards_on AS (
            SELECT person_id, bool_or(list_contains($codes, participant_code)) AS group_card
            FROM cards WHERE valid_from <= $d AND valid_to >= $d GROUP BY person_id
        ),
        eligible AS (
            SELECT r.unit_code, r.person_id, c.person_id IS NOT NULL AS insured
            FROM residents r
            LEFT JOIN cards_on c ON c.person_id = r.person_id
            LEFT JOIN household_classifications h ON h.household_id = r.household_id AND h.year = year($d)
            WHERE {eligible}
        )
        SELECT unit_code, count(DISTINCT person_id), count(DISTINCT person_id) FILTER (WHERE insured)
        FROM eligible GROUP BY unit_code
        """,
        {"d": as_of, "codes": list(rule.participant_codes), **params, **({} if unit is None else {"unit": unit})},
    ).fetchall()
    found = {code: (population, insured) for code, population, insured in counts}
    return [CoverageRow(code, name, *found.get(code, (0, 0)), key=group) for code, name in units]


def _eligibility(rule: TargetGroup) -> tuple[str, dict]:
    """The SQL condition on a resident `r` (with their cards on the date `c` and household status `h`)."""
    age = ("(year($d) - year(r.birth_date) - CASE WHEN month($d) * 100 + day($d) "
           "< month(r.birth_date) * 100 + day(r.birth_date) THEN 1 ELSE 0 END)")
    if rule.eligible == "household":
        return "h.classification = $classification", {"classification": rule.classification}
    in_age = f"{age} BETWEEN $min_age AND $max_age"
    params = {"min_age": rule.min_age, "max_age": rule.max_age}
    if rule.eligible == "age":
        return in_age, params
    return f"({in_age} OR coalesce(c.group_card, false))", params


def _units_in_scope(con, level: str, unit: str | None) -> list[tuple[str, str]]:
    if unit is None:
        return con.execute(
            """SELECT code, name FROM units WHERE level = ?
               AND province_code IN (SELECT DISTINCT province_code FROM residences) ORDER BY code""",
            [level],
        ).fetchall()
    check_scope(con, unit, level)
    return con.execute(
        "SELECT code, name FROM units WHERE level = ? AND ? IN (code, commune_code, province_code) ORDER BY code",
        [level, unit],
    ).fetchall()
