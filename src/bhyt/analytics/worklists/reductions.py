"""The báo giảm lists: people who died, or left the unit, and still hold a card that runs past that day
and is valid on or after the day asked (a card already over needs no report: it can no longer be used).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import duckdb

from bhyt.analytics.worklists.common import ListedPerson, listed, living_there_on, resident_on, scope, vn_date
from bhyt.domain.messages import Message, N_


@dataclass(frozen=True)
class DeceasedRow:
    person: ListedPerson
    death_date: date
    participant_code: str  # of the card that runs longest
    valid_to: date

    @property
    def reason(self) -> Message:
        return Message(N_("Đã mất ngày %(day)s, thẻ %(code)s còn hạn đến %(valid_to)s: báo giảm"),
                       day=vn_date(self.death_date), code=self.participant_code, valid_to=vn_date(self.valid_to))


def deceased(con: duckdb.DuckDBPyConnection, unit: str, as_of: date) -> list[DeceasedRow]:
    """People who died on or before `as_of` while living in `unit`, with a card valid after their
    death and not over before `as_of`."""
    unit_scope = scope(con, unit)
    query = f"""
        WITH dead AS (
            SELECT r.person_id, r.hamlet_code, r.death_date FROM residences r
            WHERE {unit_scope.filter} AND r.death_date <= $as_of AND {living_there_on('r.death_date')}
            QUALIFY row_number() OVER (PARTITION BY r.person_id ORDER BY r.arrived_on DESC NULLS LAST) = 1
        )
        SELECT d.person_id, d.hamlet_code, d.death_date, arg_max(c.participant_code, c.valid_to), max(c.valid_to)
        FROM dead d JOIN cards c ON c.person_id = d.person_id
        WHERE c.valid_to > d.death_date AND c.valid_to >= $as_of
        GROUP BY ALL
    """
    return listed(con, query, {"unit": unit, "as_of": as_of}, DeceasedRow)


@dataclass(frozen=True)
class MovedOutRow:
    person: ListedPerson
    left_on: date
    destination_code: str | None  # the commune the registry has them arriving in, if any
    destination_name: str | None
    participant_code: str
    valid_to: date

    @property
    def reason(self) -> Message:
        values = {"day": vn_date(self.left_on), "code": self.participant_code, "valid_to": vn_date(self.valid_to)}
        if self.destination_name:
            return Message(N_("Đã chuyển đi đến %(destination)s ngày %(day)s, thẻ %(code)s còn hạn đến %(valid_to)s: "
                              "báo giảm"), destination=self.destination_name, **values)
        return Message(N_("Đã chuyển đi ngày %(day)s, thẻ %(code)s còn hạn đến %(valid_to)s: báo giảm"), **values)


def moved_out(con: duckdb.DuckDBPyConnection, unit: str, as_of: date) -> list[MovedOutRow]:
    """People alive on `as_of` who left `unit` before `as_of` (and are not living elsewhere in it),
    with a card valid after their departure and not over before `as_of`. Someone who died is on the
    deceased list instead."""
    unit_scope = scope(con, unit)
    query = f"""
        WITH gone AS (
            SELECT r.person_id, r.hamlet_code, r.left_on FROM residences r
            WHERE {unit_scope.filter} AND r.left_on < $as_of AND (r.death_date IS NULL OR r.death_date > $as_of)
              AND r.person_id NOT IN (
                  SELECT person_id FROM residences r WHERE {unit_scope.filter} AND {resident_on('$as_of')})
            QUALIFY row_number() OVER (PARTITION BY r.person_id ORDER BY r.left_on DESC) = 1
        ),
        destinations AS (
            SELECT g.person_id, arg_max(r.commune_code, r.arrived_on) AS commune_code FROM gone g
            JOIN residences r ON r.person_id = g.person_id AND r.arrived_on >= g.left_on
            GROUP BY g.person_id
        ),
        valid AS (
            SELECT g.person_id, arg_max(c.participant_code, c.valid_to) AS code, max(c.valid_to) AS valid_to
            FROM gone g JOIN cards c ON c.person_id = g.person_id
            WHERE c.valid_to > g.left_on AND c.valid_to >= $as_of
            GROUP BY g.person_id
        )
        SELECT g.person_id, g.hamlet_code, g.left_on, d.commune_code, u.name, v.code, v.valid_to
        FROM gone g JOIN valid v USING (person_id)
        LEFT JOIN destinations d USING (person_id) LEFT JOIN units u ON u.code = d.commune_code
    """
    return listed(con, query, {"unit": unit, "as_of": as_of}, MovedOutRow)
