"""Whom a reminder about a listed person goes to: the person's own phone, and their household's
contact — the head if the head has a phone, else the eldest member with one — among the members alive
on the day. Phones and heads come from the snapshot's persons; the contacts' names from the registry.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date

import duckdb

from bhyt.analytics.worklists.common import people


@dataclass(frozen=True)
class Reach:
    own_phone: str | None
    contact_name: str | None  # the household's contact (the person themselves without a household)
    contact_phone: str | None


def reach(con: duckdb.DuckDBPyConnection, person_ids: Collection[int], as_of: date) -> dict[int, Reach]:
    if not person_ids:
        return {}
    found = con.execute(
        """
        WITH listed AS (
            SELECT p.id AS person_id, p.household_id, p.phone FROM persons p
            WHERE p.id IN (SELECT unnest($ids::INTEGER[]))
        ),
        contacts AS (
            SELECT household_id, first(id ORDER BY household_head DESC, birth_date, id) AS contact_id
            FROM persons
            WHERE household_id IN (SELECT household_id FROM listed) AND phone IS NOT NULL
              AND (death_date IS NULL OR death_date > $as_of)
            GROUP BY household_id
        ),
        reached AS (
            SELECT l.person_id, l.phone,
                   CASE WHEN l.household_id IS NOT NULL THEN c.contact_id
                        WHEN l.phone IS NOT NULL THEN l.person_id END AS contact_id
            FROM listed l LEFT JOIN contacts c USING (household_id)
        )
        SELECT r.person_id, r.phone, r.contact_id, k.phone FROM reached r LEFT JOIN persons k ON k.id = r.contact_id
        """,
        {"ids": sorted(person_ids), "as_of": as_of},
    ).fetchall()
    named = people(con, {contact_id for _, _, contact_id, _ in found if contact_id is not None})
    return {person_id: Reach(phone, named[contact_id].full_name if contact_id is not None else None, contact_phone)
            for person_id, phone, contact_id, contact_phone in found}
