"""What every work list shares: the unit it covers, who lives there on a day, and the named person
each row is about.

A list's own query finds people in the analytics snapshot, which keeps no names; `people` then reads
the names, personal IDs and household codes of just the people found from the system of record, as
one query run by the database itself: DuckDB's scanners cannot use the registry's indexes and would
read the whole persons table (1.7 s on the 1.6-million demo) to find a few rows the index finds in
milliseconds.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar

import duckdb

from bhyt.analytics.coverage import UnknownUnit

_LEVEL_COLUMN = {"province": "province_code", "commune": "commune_code", "hamlet": "hamlet_code"}


@dataclass(frozen=True)
class Scope:
    unit_code: str
    unit_name: str
    level: str

    @property
    def filter(self) -> str:
        """SQL keeping the residences `r` inside the unit (parameter `$unit`)."""
        return f"r.{_LEVEL_COLUMN[self.level]} = $unit"


def scope(con: duckdb.DuckDBPyConnection, unit: str) -> Scope:
    found = con.execute("SELECT name, level FROM units WHERE code = ?", [unit]).fetchone()
    if found is None:
        raise UnknownUnit.missing(unit)
    return Scope(unit, found[0], found[1])


def living_there_on(day: str) -> str:
    """The residence `r` is current on `day`: begun by then and not ended before."""
    return f"(r.arrived_on IS NULL OR r.arrived_on <= {day}) AND (r.left_on IS NULL OR r.left_on >= {day})"


def resident_on(day: str) -> str:
    """The residence `r` is current on `day`, and its person alive (design notes: resident)."""
    return f"{living_there_on(day)} AND (r.death_date IS NULL OR r.death_date > {day})"


def residents(unit_scope: Scope, day: str = "$as_of") -> str:
    """One row per person resident in the unit on `day`. A person has one residence per commune, so
    only a province can hold them twice, on the day of a move between two of its communes: the
    residence they arrived at is kept."""
    once = ("QUALIFY row_number() OVER (PARTITION BY r.person_id ORDER BY r.arrived_on DESC NULLS LAST) = 1"
            if unit_scope.level == "province" else "")
    return f"""
        SELECT r.person_id, r.commune_code, r.hamlet_code, r.birth_date, r.sex, r.household_id, r.arrived_on
        FROM residences r WHERE {unit_scope.filter} AND {resident_on(day)}
        {once}
    """


def segments_of(unit_scope: Scope, people: str = "people", once: bool = True) -> str:
    """The coverage segments of `people`, residents of the unit, read from `coverage_facts`: it holds
    every segment of a person beside each of their residences, sorted by commune and hamlet, so a
    commune's rows lie together and the scan skips the rest of the province (`card_segments` is sorted
    by date: a person's segments are spread through all of it). A person with two residences in a
    province has their segments twice there: `once` keeps one of each (a commune or hamlet holds one
    residence a person, so only a province needs it)."""
    distinct = "DISTINCT" if once and unit_scope.level == "province" else ""
    return f"""
        SELECT {distinct} person_id, covered_from, covered_to, participant_code, statutory_group
        FROM coverage_facts r
        WHERE {unit_scope.filter} AND covered_from IS NOT NULL AND person_id IN (SELECT person_id FROM {people})
    """


def coverage_of(people: str = "people", day: str = "$as_of", within: Scope | None = None) -> str:
    """One pass over the card segments of `people`: per person the code covering `day` (one segment
    at most covers a day), the last coverage before it and its code, and the statutory groups ever
    held (bit g set for group g). `within`, the unit the people live in, lets the pass read that
    unit's segments only (`segments_of`; a segment read twice changes none of the answers); without
    it every segment is read."""
    segments = "card_segments" if within is None else f"({segments_of(within, people, once=False)})"
    return f"""
        SELECT person_id,
               arg_max(participant_code, covered_to) FILTER (WHERE covered_from <= {day} AND covered_to >= {day})
                   AS code_now,
               max(covered_to) FILTER (WHERE covered_to < {day}) AS last_to,
               arg_max(participant_code, covered_to) FILTER (WHERE covered_to < {day}) AS last_code,
               bit_or(1 << statutory_group) AS groups_held
        FROM {segments} WHERE person_id IN (SELECT person_id FROM {people}) GROUP BY person_id
    """


def completed_age(birth: str, day: str) -> str:
    """Completed years of age on `day` (the SQL twin of coverage's age bands)."""
    return (f"(year({day}) - year({birth}) - CASE WHEN month({day}) * 100 + day({day}) "
            f"< month({birth}) * 100 + day({birth}) THEN 1 ELSE 0 END)")


def vn_date(day: date | None) -> str:
    return "" if day is None else f"{day:%d/%m/%Y}"


_PEOPLE_QUERY = """
    SELECT p.id, p.personal_id, p.full_name, p.birth_date, p.sex, h.code, h.head_name
    FROM persons p LEFT JOIN households h ON h.id = p.household_id
    WHERE p.id IN ({ids})
"""
# Measured on the 1.6-million demo (SQLite): 10,000 people by key take 0.3 s, the whole table 1.7 s.
LOOKUP_LIMIT = 20_000
# The attached registry's own query function, by DuckDB's name for its type.
_PASS_THROUGH = {"sqlite": "sqlite_query", "postgres": "postgres_query"}


@dataclass(frozen=True)
class Registered:
    """A person as the system of record names them."""

    personal_id: str
    full_name: str
    birth_date: date
    sex: int
    household_code: str | None
    household_head: str | None


def in_registry(con: duckdb.DuckDBPyConnection, query: str) -> str:
    """A FROM item running `query` in the system of record itself, through the attached database's
    pass-through function. SQLite hands every column back as text: the caller casts."""
    kind = con.execute("SELECT type FROM duckdb_databases() WHERE database_name = 'db'").fetchone()[0]
    quoted = query.replace("'", "''")
    return f"{_PASS_THROUGH[kind]}('db', '{quoted}')"


def id_list(ids: Collection[int]) -> str:
    """Integers from the snapshot, written into a registry query as they are."""
    return ", ".join(str(int(value)) for value in sorted(ids))


def people(con: duckdb.DuckDBPyConnection, person_ids: Collection[int]) -> dict[int, Registered]:
    """The registry's record of each of `person_ids`: a few looked up by the registry's own index,
    many (a province's list) by DuckDB reading the whole table, which is then the faster way."""
    if not person_ids:
        return {}
    if len(person_ids) <= LOOKUP_LIMIT:
        source = in_registry(con, _PEOPLE_QUERY.format(ids=id_list(person_ids)))
        params = {}
    else:
        source = """(SELECT p.id, p.personal_id, p.full_name, p.birth_date, p.sex, h.code, h.head_name
                     FROM db.persons p LEFT JOIN db.households h ON h.id = p.household_id
                     WHERE p.id IN (SELECT unnest($ids::INTEGER[])))"""
        params = {"ids": list(person_ids)}
    found = con.execute(
        f"""SELECT CAST(id AS INTEGER), personal_id, full_name, CAST(birth_date AS DATE), CAST(sex AS INTEGER),
                   code, head_name
            FROM {source}""",
        params,
    ).fetchall()
    return {row[0]: Registered(*row[1:]) for row in found}


@dataclass(frozen=True)
class ListedPerson:
    """Who a row is about: enough to find the person, their household and hamlet."""

    person_id: int
    personal_id: str
    full_name: str
    birth_date: date
    sex: int
    household_code: str | None
    household_head: str | None
    hamlet_code: str | None
    hamlet_name: str | None


Row = TypeVar("Row")


def listed(con: duckdb.DuckDBPyConnection, query: str, params: dict[str, Any],
           build: Callable[..., Row]) -> list[Row]:
    """Run a list's `query` (its first columns `person_id` and `hamlet_code`), name the people found
    and build one row each with `build(person, *other_columns)`, in the order a hamlet head walks:
    hamlet, household, eldest first."""
    found = con.execute(
        f"""SELECT l.person_id, l.hamlet_code, u.name, l.* EXCLUDE (person_id, hamlet_code)
            FROM ({query}) l LEFT JOIN units u ON u.code = l.hamlet_code""",
        params,
    ).fetchall()
    registry = people(con, {row[0] for row in found})
    rows = []
    for person_id, hamlet_code, hamlet_name, *rest in found:
        record = registry[person_id]
        person = ListedPerson(person_id, record.personal_id, record.full_name, record.birth_date, record.sex,
                              record.household_code, record.household_head, hamlet_code, hamlet_name)
        rows.append(build(person, *rest))
    rows.sort(key=lambda row: walking_order(row.person))
    return rows


def walking_order(person: ListedPerson) -> Sequence[object]:
    return (person.hamlet_code is None, person.hamlet_code or "", person.household_code is None,
            person.household_code or "", person.birth_date, person.personal_id)
