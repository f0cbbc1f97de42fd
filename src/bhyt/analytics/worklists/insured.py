"""Lists about holding a card: who has none, whose card is about to end, whose household card has
lapsed. Coverage is read from the snapshot's card segments (a person's merged, non-overlapping
spans of coverage), so "covered on d" is one segment covering d, and "continued" is a segment
starting the day after another ends.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal

import duckdb

from bhyt.analytics.worklists.common import (
    ListedPerson, coverage_of, listed, residents, scope, segments_of, vn_date,
)
from bhyt.analytics.worklists.entitlements import entitlements_on, holding
from bhyt.analytics.worklists.quotes import SELF_PAY_CODE, household_totals, quoter
from bhyt.domain.card_validity import add_months, validity_parameter
from bhyt.domain.contributions import Quote
from bhyt.domain.messages import Joined, Message, N_, Named
from bhyt.domain.participants import PARTICIPANT_CODES, Payer

# The household classes as a reason of the uninsured list (and the people pages) starts them, and as the
# list's column writes them, in lower case: two sets of words for the English catalogue.
CLASSIFICATION_LABELS = {
    "ngheo": N_("Hộ nghèo"),
    "can_ngheo": N_("Hộ cận nghèo"),
    "nong_lam_ngu_diem_nghiep_tb": N_("Hộ nông, lâm, ngư, diêm nghiệp có mức sống trung bình"),
    "khac": N_("Hộ khác"),
}
CLASSIFICATION_NAMES = {
    "ngheo": N_("hộ nghèo"),
    "can_ngheo": N_("hộ cận nghèo"),
    "nong_lam_ngu_diem_nghiep_tb": N_("hộ nông, lâm, ngư, diêm nghiệp có mức sống trung bình"),
    "khac": N_("hộ khác"),
}
DEFAULT_DAYS = 30
# The statutory group of voluntary household cards (GD), as the participant codes say.
SELF_PAY_GROUP = next(code.group for code in PARTICIPANT_CODES.values() if code.payer == Payer.SELF)


@dataclass(frozen=True)
class UninsuredRow:
    person: ListedPerson
    household_classification: str | None
    last_card_to: date | None
    last_card_code: str | None
    join_code: str  # the code the person would join under: their entitlement, or GD
    grounds: tuple[Named, ...]  # the entitlements behind join_code
    ladder_position: int | None  # place on the household ladder (GD members only)
    quote: Quote
    household_payable: Decimal  # what the household's uninsured members pay together
    # The household's latest recorded reason for not joining, from the visit log (see bhyt.visits:
    # the reason of its latest visit by the day that gave one, unless its latest visit recorded it joined).
    visit_reason: str | None = None
    visit_reason_on: date | None = None

    @property
    def reason(self) -> Joined:
        parts = [Message(N_("Chưa từng có thẻ BHYT")) if self.last_card_to is None
                 else Message(N_("Thẻ %(code)s hết hạn %(day)s"), code=self.last_card_code,
                              day=vn_date(self.last_card_to))]
        if self.household_classification:
            parts.append(Message(CLASSIFICATION_LABELS[self.household_classification]))
        if self.grounds:
            parts.append(Message(N_("thuộc diện %(grounds)s: cấp thẻ %(code)s"), grounds=Joined(", ", self.grounds),
                                 code=self.join_code))
        else:
            parts.append(Message(N_("tham gia theo hộ gia đình (%(code)s), thành viên thứ %(position)s"),
                                 code=self.join_code, position=self.ladder_position))
        if self.visit_reason:
            # The reason's name is the commune's own catalogue (visit_reasons), kept as written.
            parts.append(Message(N_("lý do chưa tham gia (lần thăm %(day)s): %(reason)s"),
                                 day=vn_date(self.visit_reason_on), reason=self.visit_reason))
        return Joined("; ", parts)


def uninsured(con: duckdb.DuckDBPyConnection, unit: str, as_of: date) -> list[UninsuredRow]:
    """Residents of `unit` with no card covering `as_of`, grouped by household, with the quote for
    joining for twelve months from `as_of` (see `quotes`)."""
    unit_scope = scope(con, unit)
    rules = entitlements_on(as_of)
    query = f"""
        WITH people AS MATERIALIZED ({residents(unit_scope)}),
        coverage AS MATERIALIZED ({coverage_of(within=unit_scope)}),
        uninsured AS MATERIALIZED (
            SELECT p.*, c.last_to, c.last_code, c.groups_held FROM people p LEFT JOIN coverage c USING (person_id)
            WHERE c.code_now IS NULL
        ),
        entitled AS ({holding(rules, "SELECT * FROM uninsured")}),
        picked AS (
            SELECT person_id, arg_min(participant_code, priority) AS code, list(rule ORDER BY priority) AS rules
            FROM entitled GROUP BY person_id
        ),
        visits AS MATERIALIZED (
            SELECT v.id, v.household_id, CAST(v.visited_on AS DATE) AS visited_on, v.outcome, v.reason_code
            FROM db.visits v
            WHERE v.household_id IN (SELECT household_id FROM uninsured) AND CAST(v.visited_on AS DATE) <= $as_of
        ),
        latest_reasons AS (
            SELECT household_id,
                   first(reason_code ORDER BY visited_on DESC, id DESC) FILTER (WHERE reason_code IS NOT NULL)
                       AS reason_code,
                   max(visited_on) FILTER (WHERE reason_code IS NOT NULL) AS reason_on,
                   first(outcome ORDER BY visited_on DESC, id DESC) AS last_outcome
            FROM visits GROUP BY household_id
        ),
        self_pay_holders AS (
            -- household members already on the ladder this year: a GD card covering the day
            SELECT p.household_id, count(*) AS holders FROM people p JOIN coverage c USING (person_id)
            WHERE c.code_now = $self_pay AND p.household_id IS NOT NULL
            GROUP BY p.household_id
        )
        SELECT u.person_id, u.hamlet_code, h.classification, u.last_to, u.last_code,
               coalesce(k.code, $self_pay) AS join_code, coalesce(k.rules, []) AS rules,
               CASE WHEN k.code IS NULL THEN coalesce(s.holders, 0) + row_number() OVER (
                   PARTITION BY coalesce(u.household_id, -u.person_id), k.code IS NULL
                   ORDER BY u.birth_date, u.person_id) END AS position,
               CASE WHEN r.last_outcome <> 'joined' THEN vr.name END AS visit_reason,
               CASE WHEN r.last_outcome <> 'joined' THEN r.reason_on END AS visit_reason_on
        FROM uninsured u
        LEFT JOIN picked k USING (person_id)
        LEFT JOIN latest_reasons r ON r.household_id = u.household_id
        LEFT JOIN db.visit_reasons vr ON vr.code = r.reason_code
        LEFT JOIN self_pay_holders s ON s.household_id = u.household_id
        LEFT JOIN household_classifications h ON h.household_id = u.household_id AND h.year = year($as_of)
    """
    province = con.execute("SELECT province_code FROM units WHERE code = ?", [unit]).fetchone()[0]
    quote = quoter(as_of, province)
    names = {rule.rule: rule.label for rule in rules}

    def build(person, classification, last_to, last_code, join_code, rule_codes, position, visit_reason,
              visit_reason_on):
        return UninsuredRow(person, classification, last_to, last_code, join_code,
                            tuple(names[rule] for rule in rule_codes), position, quote(join_code, position or 1),
                            household_payable=Decimal(0), visit_reason=visit_reason,
                            visit_reason_on=visit_reason_on)

    found = listed(con, query, {"unit": unit, "as_of": as_of, "self_pay": SELF_PAY_CODE}, build)
    # The household's total needs every member first.
    totals = household_totals((_household(row.person), row.quote.payable) for row in found)
    return [replace(row, household_payable=totals[_household(row.person)]) for row in found]


def _household(person: ListedPerson) -> str:
    """Someone without a household is a household of one."""
    return person.household_code or f"#{person.person_id}"


@dataclass(frozen=True)
class ExpiringRow:
    person: ListedPerson
    participant_code: str
    coverage_ends: date
    days_left: int

    @property
    def reason(self) -> Message:
        return Message(N_("Thẻ %(code)s hết hạn %(day)s (còn %(days)s ngày), chưa có thẻ nối tiếp"),
                       code=self.participant_code, day=vn_date(self.coverage_ends), days=self.days_left)


def expiring(con: duckdb.DuckDBPyConnection, unit: str, as_of: date, days: int = DEFAULT_DAYS) -> list[ExpiringRow]:
    """Residents covered on `as_of` whose continuous coverage ends within `days` days (on or before
    as_of + days) with no later card continuing it."""
    _check_days(days)
    unit_scope = scope(con, unit)
    query = f"""
        WITH people AS MATERIALIZED ({residents(unit_scope)}),
        segments AS (
            SELECT person_id, participant_code, covered_from, covered_to,
                   coalesce(lead(covered_from) OVER (PARTITION BY person_id ORDER BY covered_from) <> covered_to + 1,
                            true) AS gap_after
            FROM ({segments_of(unit_scope)}) WHERE covered_to >= $as_of
        ),
        coverage AS (
            -- the code on as_of, and the first segment end from as_of on that nothing continues the next day
            SELECT person_id, arg_min(participant_code, covered_from) FILTER (WHERE covered_from <= $as_of) AS code,
                   min(covered_to) FILTER (WHERE gap_after) AS ends_on
            FROM segments GROUP BY person_id
        )
        SELECT p.person_id, p.hamlet_code, c.code, c.ends_on, c.ends_on - $as_of AS days_left
        FROM people p JOIN coverage c USING (person_id)
        WHERE c.code IS NOT NULL AND c.ends_on <= $as_of + CAST($days AS INTEGER)
    """
    return listed(con, query, {"unit": unit, "as_of": as_of, "days": days}, ExpiringRow)


@dataclass(frozen=True)
class LapsedRow:
    person: ListedPerson
    participant_code: str
    ended_on: date
    days_since: int
    renew_by: date  # the last payment day on which the new card is valid at once
    waiting_days: int  # the wait for a card paid later

    @property
    def reason(self) -> Message:
        return Message(N_("Thẻ %(code)s hết hạn %(day)s (%(days)s ngày trước), chưa gia hạn; đóng đến hết %(renew_by)s "
                          "thì thẻ có giá trị ngay, sau đó phải chờ %(waiting)s ngày"),
                       code=self.participant_code, day=vn_date(self.ended_on), days=self.days_since,
                       renew_by=vn_date(self.renew_by), waiting=self.waiting_days)


def lapsed(con: duckdb.DuckDBPyConnection, unit: str, as_of: date, days: int = DEFAULT_DAYS) -> list[LapsedRow]:
    """Residents whose voluntary household card (GD) ended in the `days` days before `as_of` and who
    have no later card at all (not even one paid for and not yet valid)."""
    _check_days(days)
    unit_scope = scope(con, unit)
    query = f"""
        WITH people AS MATERIALIZED ({residents(unit_scope)}),
        segments AS MATERIALIZED ({segments_of(unit_scope)}),
        ended AS (
            SELECT person_id, participant_code, covered_to AS ended_on FROM segments
            WHERE covered_to BETWEEN $as_of - CAST($days AS INTEGER) AND $as_of - 1 AND statutory_group = $group
        )
        SELECT p.person_id, p.hamlet_code, e.participant_code, e.ended_on, $as_of - e.ended_on AS days_since
        FROM people p JOIN ended e USING (person_id)
        WHERE NOT EXISTS (SELECT 1 FROM segments n WHERE n.person_id = e.person_id AND n.covered_from > e.ended_on)
    """
    break_months = validity_parameter("break_months", as_of)
    waiting = validity_parameter("waiting_days", as_of)

    def build(person, code, ended_on, days_since):
        # card_validity.card_start: a payment from this day on starts a new waiting period
        return LapsedRow(person, code, ended_on, days_since,
                         add_months(ended_on + timedelta(days=1), break_months) - timedelta(days=1), waiting)

    return listed(con, query, {"unit": unit, "as_of": as_of, "days": days, "group": SELF_PAY_GROUP}, build)


def _check_days(days: int) -> None:
    if not 1 <= days <= 366:
        raise ValueError(Message(N_("Số ngày phải từ 1 đến 366 (nhận %(days)s)."), days=days))
