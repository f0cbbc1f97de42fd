"""The báo tăng of budget-funded people, as the social insurance needs each of them to issue a card:
the people of the `eligible_missing` and `newly_eligible` lists with their BHXH number and
first-contact facility (from their latest card, if they ever held one), the code and benefit level
the new card carries, where they live (hamlet, commune, province) and the day the card should start.

Who is left out of `newly_eligible`: people whose entitlement ended (nothing to issue) and people
who already hold a card under the code they are entitled to.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date

import duckdb

from bhyt.analytics.worklists.common import LOOKUP_LIMIT, ListedPerson, Scope, id_list, in_registry
from bhyt.analytics.worklists.entitled import EligibleRow, NewlyEligibleRow
from bhyt.domain.participants import participant


@dataclass(frozen=True)
class ParticipantRow:
    person: ListedPerson
    bhxh_number: str | None  # none for someone never carded: the social insurance assigns one
    participant_code: str
    benefit_level: int
    commune_name: str | None
    province_name: str | None
    first_contact_facility: str | None  # of the latest card, if any
    valid_from: date
    note: str


@dataclass(frozen=True)
class Participants:
    rows: list[ParticipantRow]
    left_out: int  # rows of the work list with no card to issue


def participants(con: duckdb.DuckDBPyConnection, unit_scope: Scope, rows: Sequence[EligibleRow | NewlyEligibleRow],
                 as_of: date) -> Participants:
    """The participant-list rows for the people of a work list of `unit_scope` on `as_of`:
    eligible-missing people from `as_of`, newly eligible people from the day their entitlement to
    the code began."""
    chosen = []
    for row in rows:
        if isinstance(row, EligibleRow):
            chosen.append((row, row.entitled_code, as_of, row.reason))
        elif row.entitled_code is not None and row.card_code != row.entitled_code:
            began = [event.day for event in row.events
                     if event.began and event.rule.participant_code == row.entitled_code]
            chosen.append((row, row.entitled_code, max(began, default=as_of),
                           "; ".join(event.description for event in row.events)))
    cards = latest_cards(con, {row.person.person_id for row, *_ in chosen})
    places = place_names(con, {row.person.hamlet_code or unit_scope.unit_code for row, *_ in chosen})
    found = []
    for row, code, valid_from, note in chosen:
        bhxh_number, facility = cards.get(row.person.person_id, (None, None))
        commune_name, province_name = places.get(row.person.hamlet_code or unit_scope.unit_code, (None, None))
        found.append(ParticipantRow(row.person, bhxh_number, code, participant(code).benefit_level, commune_name,
                                    province_name, facility, valid_from, note))
    return Participants(found, len(rows) - len(chosen))


def latest_cards(con: duckdb.DuckDBPyConnection, person_ids: Collection[int]) -> dict[int, tuple[str, str | None]]:
    """The BHXH number and first-contact facility of each person's latest card (by end date), read
    from the registry: the snapshot keeps neither. A few people by the registry's index, many (a
    province's list) by reading the table, as `common.people` does."""
    if not person_ids:
        return {}
    query = "SELECT person_id, bhxh_number, first_contact_facility, valid_to FROM {table} WHERE person_id IN ({ids})"
    if len(person_ids) <= LOOKUP_LIMIT:
        source = in_registry(con, query.format(table="card_periods", ids=id_list(person_ids)))
        params = {}
    else:
        source = f"({query.format(table='db.card_periods', ids='SELECT unnest($ids::INTEGER[])')})"
        params = {"ids": list(person_ids)}
    found = con.execute(
        f"""SELECT CAST(person_id AS INTEGER), arg_max(bhxh_number, CAST(valid_to AS DATE)),
                   arg_max(first_contact_facility, CAST(valid_to AS DATE))
            FROM {source} GROUP BY 1""",
        params,
    ).fetchall()
    return {person_id: (bhxh_number, facility) for person_id, bhxh_number, facility in found}


def place_names(con: duckdb.DuckDBPyConnection, codes: Collection[str]) -> dict[str, tuple[str | None, str]]:
    """For each unit code, the name of its commune (none for a province) and of its province."""
    found = con.execute(
        """SELECT u.code, c.name, p.name FROM units u
           LEFT JOIN units c ON c.code = u.commune_code JOIN units p ON p.code = u.province_code
           WHERE list_contains($codes, u.code)""",
        {"codes": sorted(codes)},
    ).fetchall()
    return {code: (commune, province) for code, commune, province in found}
