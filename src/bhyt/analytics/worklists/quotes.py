"""What joining costs an uninsured household, member by member: the figure an officer quotes at the door.

Each uninsured member joins under the code their entitlement gives (TE, HN, CN, HS, …; the priority
order picks one) or else with the household (GD). Only GD members climb the household ladder
(brief §8: a member paid by another group does not count). Members of the household who already
hold a GD card on the day take the first places: the ladder counts everyone joining as a household
in the same year, and the newcomers are quoted the places after theirs, eldest first.

The amounts come from `bhyt.domain.contributions.member_quote`: twelve months from the day, the
national support for group 4 and the province's top-ups in force. Whether the commune is a poor
commune (100 % support for near-poor people) is not in the registry; near-poor members are quoted
the general support.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from functools import cache

from bhyt.domain.contributions import Quote, member_quote
from bhyt.domain.participants import PARTICIPANT_CODES, Payer

# The one code of people who pay for themselves (GD): whoever has no entitlement joins under it.
SELF_PAY_CODE = next(code.code for code in PARTICIPANT_CODES.values() if code.payer == Payer.SELF)
MONTHS = 12


def quoter(on: date, province_code: str | None):
    """A quote function for one day and province; every member of a list shares a handful of
    (code, ladder place) pairs, so each is worked out once."""

    @cache
    def quote(participant_code: str, position: int) -> Quote:
        return member_quote(on, participant_code, position, MONTHS, province_code)

    return quote


def household_totals(members: Iterable[tuple[str, Decimal]]) -> dict[str, Decimal]:
    """What each household pays in all, from (household key, payable) pairs."""
    totals: dict[str, Decimal] = {}
    for key, payable in members:
        totals[key] = totals.get(key, Decimal(0)) + payable
    return totals
