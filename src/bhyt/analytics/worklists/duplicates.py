"""Duplicates: the same person holding two cards at once, and two registry records that are likely the
same person.

- Cards: two card periods of one resident that overlap on or after the day asked, under different
  BHXH numbers, or under different participant codes (a person holds one card at a time: the
  priority order picks the code it carries, and the other is to be reported). Two periods of the same
  number and code that overlap are a renewal recorded early, not a second card, and are left out.
- People: residents whose names are equal once folded (diacritics removed, đ → d, case and runs of
  spaces folded) with the same birth date, in the same commune or the same household. Records are
  compared only within their block (folded name, birth date): never all pairs.

The snapshot has neither BHXH numbers nor names: the few people with overlapping cards have their
cards read from the registry by person, and names are read from the registry for the unit's
residents only (by one query run in the registry itself; for a province, by reading the table).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

import duckdb

from bhyt.analytics.worklists.common import (
    LOOKUP_LIMIT, ListedPerson, Scope, id_list, in_registry, listed, resident_on, residents, scope, vn_date,
    walking_order,
)
from bhyt.domain.messages import Message, N_

CARDS = "cards"
PEOPLE = "people"
# Folded as the web's name search folds (web/people_search.fold): strip_accents leaves đ, a letter
# of its own, so it is replaced after lower-casing. Runs of spaces are rare: the costly regular
# expression runs only on the names that have one.
_LOWER = "replace(strip_accents(lower(full_name)), 'đ', 'd')"
FOLDED_NAME = ("CASE WHEN contains(full_name, '  ') OR contains(full_name, chr(9)) OR full_name <> trim(full_name) "
                rf"THEN regexp_replace(trim({_LOWER}), '\s+', ' ', 'g') ELSE {_LOWER} END")


@dataclass(frozen=True)
class DuplicateRow:
    person: ListedPerson
    kind: str  # CARDS or PEOPLE
    group: int  # the rows of one finding share it, numbered from 1 in list order
    # CARDS: the two cards' BHXH numbers, codes and the span they overlap
    bhxh_numbers: tuple[str, ...] = ()
    participant_codes: tuple[str, ...] = ()
    overlap_from: date | None = None
    overlap_to: date | None = None
    # PEOPLE: whether the group shares a household (else only the commune)
    same_household: bool = False

    @property
    def reason(self) -> Message:
        if self.kind == CARDS:
            first, second = self.participant_codes
            values = {"first": first, "second": second, "start": vn_date(self.overlap_from),
                      "end": vn_date(self.overlap_to)}
            if self.bhxh_numbers[0] != self.bhxh_numbers[1]:
                return Message(N_("Hai thẻ (%(first)s, %(second)s) với hai mã số BHXH khác nhau cùng hiệu lực "
                                  "%(start)s–%(end)s: báo giảm thẻ thừa"), **values)
            return Message(N_("Hai thẻ khác mã đối tượng (%(first)s, %(second)s) cùng hiệu lực %(start)s–%(end)s: "
                              "giữ mã ưu tiên, báo giảm thẻ kia"), **values)
        if self.same_household:
            return Message(N_("Có thể trùng người (nhóm %(group)s): cùng họ tên, cùng ngày sinh, cùng hộ, khác số "
                              "định danh"), group=self.group)
        return Message(N_("Có thể trùng người (nhóm %(group)s): cùng họ tên, cùng ngày sinh, cùng xã, khác số định "
                          "danh"), group=self.group)


def duplicates(con: duckdb.DuckDBPyConnection, unit: str, as_of: date) -> list[DuplicateRow]:
    """Overlapping cards of the unit's residents on `as_of`, then likely duplicate residents."""
    unit_scope = scope(con, unit)
    rows = _overlapping_cards(con, unit_scope, as_of) + _same_people(con, unit_scope, as_of)
    # Number each finding in the order its first row comes: card findings first, then people.
    numbers: dict[tuple[str, int], int] = {}
    ordered = []
    for row in sorted(rows, key=lambda row: (row.kind != CARDS, walking_order(row.person))):
        number = numbers.setdefault((row.kind, row.group), len(numbers) + 1)
        ordered.append((number, row))
    ordered.sort(key=lambda pair: pair[0])
    return [replace(row, group=number) for number, row in ordered]


def _overlapping_cards(con: duckdb.DuckDBPyConnection, unit_scope: Scope, as_of: date) -> list[DuplicateRow]:
    params = {"unit": unit_scope.unit_code, "as_of": as_of}
    candidates = [person_id for (person_id,) in con.execute(
        f"""
        WITH people AS MATERIALIZED ({residents(unit_scope)}),
        numbered AS (
            SELECT person_id, valid_from, valid_to, row_number() OVER () AS card FROM cards
            WHERE valid_to >= $as_of AND person_id IN (SELECT person_id FROM people)
        )
        SELECT DISTINCT a.person_id FROM numbered a JOIN numbered b
          ON b.person_id = a.person_id AND b.card > a.card AND b.valid_from <= a.valid_to AND a.valid_from <= b.valid_to
        """,
        params,
    ).fetchall()]
    if not candidates:
        return []
    registry_cards = in_registry(con, "SELECT person_id, bhxh_number, participant_code, valid_from, valid_to "
                                      f"FROM card_periods WHERE person_id IN ({id_list(candidates)})")
    query = f"""
        WITH people AS MATERIALIZED ({residents(unit_scope)}),
        registered AS (
            SELECT CAST(person_id AS INTEGER) AS person_id, bhxh_number, participant_code,
                   CAST(valid_from AS DATE) AS valid_from, CAST(valid_to AS DATE) AS valid_to
            FROM {registry_cards}
        )
        SELECT a.person_id, p.hamlet_code, [a.bhxh_number, b.bhxh_number], [a.participant_code, b.participant_code],
               greatest(a.valid_from, b.valid_from), least(a.valid_to, b.valid_to),
               a.person_id * 1000 + row_number() OVER (PARTITION BY a.person_id ORDER BY a.valid_from, b.valid_from)
        FROM registered a JOIN registered b
          ON b.person_id = a.person_id
         AND (a.valid_from < b.valid_from OR (a.valid_from = b.valid_from AND a.bhxh_number < b.bhxh_number))
         AND b.valid_from <= a.valid_to AND a.valid_from <= b.valid_to AND least(a.valid_to, b.valid_to) >= $as_of
         AND (a.bhxh_number <> b.bhxh_number OR a.participant_code <> b.participant_code)
        JOIN people p ON p.person_id = a.person_id
    """

    def build(person, numbers, codes, overlap_from, overlap_to, finding):
        return DuplicateRow(person, CARDS, finding, tuple(numbers), tuple(codes), overlap_from, overlap_to)

    return listed(con, query, params, build)


def _same_people(con: duckdb.DuckDBPyConnection, unit_scope: Scope, as_of: date) -> list[DuplicateRow]:
    # The snapshot's key of each folded name (a hash: equal names have equal keys) finds the few
    # residents who may be duplicates without reading any name; their names are then read from the
    # registry and compared exactly, so a collision of keys never makes a finding. (Someone resident
    # in two communes of a province on the day is a candidate twice over: the exact pass keeps one.)
    candidates = [person_id for (person_id,) in con.execute(
        f"""
        SELECT person_id FROM (
            SELECT r.person_id, r.household_id,
                   count(*) OVER (PARTITION BY r.name_key, r.birth_date, r.commune_code) AS in_commune,
                   count(*) OVER (PARTITION BY r.name_key, r.birth_date, r.household_id) AS in_household
            FROM residences r WHERE {unit_scope.filter} AND {resident_on('$as_of')})
        WHERE in_commune > 1 OR (household_id IS NOT NULL AND in_household > 1)
        """,
        {"unit": unit_scope.unit_code, "as_of": as_of},
    ).fetchall()]
    if not candidates:
        return []
    if len(candidates) <= LOOKUP_LIMIT:
        names = in_registry(con, f"SELECT id, full_name FROM persons WHERE id IN ({id_list(candidates)})")
    else:
        names = "(SELECT id, full_name FROM db.persons WHERE id IN (SELECT unnest($candidates::INTEGER[])))"
    query = f"""
        WITH people AS MATERIALIZED ({residents(unit_scope)}),
        keyed AS (
            SELECT p.person_id, p.hamlet_code, p.commune_code, p.household_id, p.birth_date, {FOLDED_NAME} AS folded
            FROM people p JOIN (SELECT CAST(id AS INTEGER) AS person_id, full_name FROM {names}) n USING (person_id)
        ),
        blocks AS (
            SELECT *, count(*) OVER (PARTITION BY folded, birth_date, commune_code) AS in_commune,
                   count(*) OVER (PARTITION BY folded, birth_date, household_id) AS in_household
            FROM keyed
        )
        SELECT person_id, hamlet_code, household_id IS NOT NULL AND in_household > 1,
               dense_rank() OVER (ORDER BY folded, birth_date,
                                  CASE WHEN in_commune > 1 THEN commune_code ELSE CAST(household_id AS VARCHAR) END)
        FROM blocks WHERE in_commune > 1 OR (household_id IS NOT NULL AND in_household > 1)
    """

    def build(person, same_household, finding):
        return DuplicateRow(person, PEOPLE, finding, same_household=same_household)

    params = {"unit": unit_scope.unit_code, "as_of": as_of}
    if len(candidates) > LOOKUP_LIMIT:
        params["candidates"] = candidates
    return listed(con, query, params, build)
