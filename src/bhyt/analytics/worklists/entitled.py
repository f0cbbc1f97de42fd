"""Lists about entitlements (see `entitlements`): people entitled to a budget-paid or budget-supported
card who hold no card, and people whose entitlement began or ended since a date (the báo tăng list).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import duckdb

from bhyt.analytics.worklists.common import (
    ListedPerson, completed_age, coverage_of, listed, residents, scope, vn_date,
)
from bhyt.analytics.worklists.entitlements import Entitlement, birthday, entitlements_on, holding
from bhyt.domain.messages import Joined, Message, N_, Named


_WITH_GROUPS = "SELECT p.*, c.groups_held FROM people p LEFT JOIN coverage c USING (person_id)"


@dataclass(frozen=True)
class EligibleRow:
    person: ListedPerson
    entitled_code: str  # the code the card should carry (the priority order picks one)
    grounds: tuple[Named, ...]  # every entitlement that holds, the chosen one first

    @property
    def reason(self) -> Message:
        return Message(N_("Thuộc diện %(grounds)s nhưng chưa có thẻ: lập danh sách cấp thẻ %(code)s"),
                       grounds=Joined(", ", self.grounds), code=self.entitled_code)


def eligible_missing(con: duckdb.DuckDBPyConnection, unit: str, as_of: date) -> list[EligibleRow]:
    """Residents without a card covering `as_of` for whom an entitlement holds on `as_of`."""
    unit_scope = scope(con, unit)
    rules = entitlements_on(as_of)
    query = f"""
        WITH people AS MATERIALIZED ({residents(unit_scope)}),
        coverage AS MATERIALIZED ({coverage_of(within=unit_scope)}),
        uninsured AS MATERIALIZED (
            SELECT p.*, c.groups_held FROM people p LEFT JOIN coverage c USING (person_id) WHERE c.code_now IS NULL
        ),
        entitled AS ({holding(rules, "SELECT * FROM uninsured")})
        SELECT u.person_id, u.hamlet_code, arg_min(e.participant_code, e.priority) AS code,
               list(e.rule ORDER BY e.priority) AS rules
        FROM uninsured u JOIN entitled e USING (person_id)
        GROUP BY u.person_id, u.hamlet_code
    """
    names = {rule.rule: rule.label for rule in rules}
    return listed(con, query, {"unit": unit, "as_of": as_of},
                  lambda person, code, codes: EligibleRow(person, code, tuple(names[rule] for rule in codes)))


@dataclass(frozen=True)
class EntitlementEvent:
    day: date
    began: bool  # False: the entitlement ended (an age limit passed)
    rule: Entitlement
    cause: str  # "birth", "age" or "household"

    @property
    def description(self) -> Message:
        rule, day = self.rule, vn_date(self.day)
        if not self.began:
            return Message(N_("Tròn %(age)s tuổi ngày %(day)s: hết diện %(code)s"), age=rule.max_age + 1, day=day,
                           code=rule.participant_code)
        if self.cause == "birth":
            return Message(N_("Sinh ngày %(day)s: thuộc diện %(label)s (%(code)s)"), day=day, label=rule.label,
                           code=rule.participant_code)
        if self.cause == "age":
            return Message(N_("Tròn %(age)s tuổi ngày %(day)s: thuộc diện %(label)s (%(code)s)"), age=rule.min_age,
                           day=day, label=rule.label, code=rule.participant_code)
        return Message(N_("Hộ được xếp loại năm %(year)s (từ %(day)s): thuộc diện %(label)s (%(code)s)"),
                       year=self.day.year, day=day, label=rule.label, code=rule.participant_code)


@dataclass(frozen=True)
class NewlyEligibleRow:
    person: ListedPerson
    events: tuple[EntitlementEvent, ...]  # in date order
    entitled_code: str | None  # the code the card should carry on as_of (None: no entitlement left)
    card_code: str | None  # the card held on as_of, if any

    @property
    def reason(self) -> Message:
        events = Joined("; ", (event.description for event in self.events))
        if self.entitled_code is None:
            return Message(N_("%(events)s; không còn thuộc diện nào khác: tham gia theo hộ gia đình hoặc nhóm khác"),
                           events=events)
        if self.card_code:
            return Message(N_("%(events)s; mã được cấp: %(code)s (đã có thẻ %(card)s)"), events=events,
                           code=self.entitled_code, card=self.card_code)
        return Message(N_("%(events)s; mã được cấp: %(code)s (chưa có thẻ)"), events=events, code=self.entitled_code)


def newly_eligible(con: duckdb.DuckDBPyConnection, unit: str, as_of: date, since: date) -> list[NewlyEligibleRow]:
    """Residents on `as_of` an entitlement of whom began, or an age-limited one ended, from `since`
    to `as_of` (both included): births (TE), households newly classed poor or near-poor (HN, CN…),
    birthdays that start one (6: HS, 80: BT) or end one (6: the end of TE)."""
    if since > as_of:
        raise ValueError(Message(N_("Ngày bắt đầu %(since)s sau ngày tính %(as_of)s."), since=vn_date(since),
                                 as_of=vn_date(as_of)))
    unit_scope = scope(con, unit)
    rules = entitlements_on(as_of)
    by_rule = {rule.rule: rule for rule in rules}
    ended = [
        f"SELECT person_id, '{rule.rule}' AS rule, {birthday('birth_date', rule.max_age + 1)} AS day FROM people"
        for rule in rules if rule.kind == "age" and rule.max_age is not None
    ]
    ended_sql = " UNION ALL ".join(ended) or "SELECT NULL::INTEGER, NULL::VARCHAR, NULL::DATE WHERE false"
    # Only residents with a birthday that starts or ends an age rule in the window (birth among them),
    # or whose household begins a run of a rule's classification in it, can have an event: the others
    # are left out before their cards are read.
    ages = sorted({0} | {rule.min_age or 0 for rule in rules if rule.kind == "age"}
                  | {rule.max_age + 1 for rule in rules if rule.kind == "age" and rule.max_age is not None})
    # A birthday of n years falls in the window when the age reaches n by as_of but not the day before since.
    birthdays = " OR ".join(f"(age_now >= {int(years)} AND age_before < {int(years)})" for years in ages)
    query = f"""
        WITH residing AS MATERIALIZED ({residents(unit_scope)}),
        people AS MATERIALIZED (
            SELECT * EXCLUDE (age_now, age_before) FROM (
                SELECT *, {completed_age('birth_date', '$as_of')} AS age_now,
                       {completed_age('birth_date', '$before')} AS age_before
                FROM residing)
            WHERE {birthdays} OR household_id IN (
                SELECT c.household_id FROM household_classifications c
                WHERE c.year BETWEEN $first_year AND $last_year AND list_contains($classes::VARCHAR[], c.classification)
                  AND c.household_id IN (SELECT household_id FROM residing)
                  AND NOT EXISTS (SELECT 1 FROM household_classifications b WHERE b.household_id = c.household_id
                                  AND b.year = c.year - 1 AND b.classification = c.classification))
        ),
        coverage AS MATERIALIZED ({coverage_of(within=unit_scope)}),
        entitled AS MATERIALIZED ({holding(rules, _WITH_GROUPS)}),
        events AS (
            SELECT e.person_id, e.since AS day, true AS began, e.rule,
                   CASE WHEN e.since = p.birth_date THEN 'birth'
                        WHEN list_contains($age_rules::VARCHAR[], e.rule) THEN 'age' ELSE 'household' END AS cause
            FROM entitled e JOIN people p USING (person_id)
            WHERE e.since >= $since AND e.since <= $as_of
            UNION ALL
            SELECT person_id, day, false, rule, 'age' FROM ({ended_sql}) WHERE day >= $since AND day <= $as_of
        ),
        picked AS (SELECT person_id, arg_min(participant_code, priority) AS code FROM entitled GROUP BY person_id),
        by_person AS (
            -- a person has two or three events at most: put in order by the row, not here
            SELECT person_id, list(struct_pack(day := day, began := began, rule := rule, cause := cause)) AS events
            FROM events GROUP BY person_id
        )
        SELECT p.person_id, p.hamlet_code, v.events, k.code, c.code_now
        FROM by_person v JOIN people p USING (person_id)
        LEFT JOIN picked k USING (person_id) LEFT JOIN coverage c USING (person_id)
    """
    age_rules = [rule.rule for rule in rules if rule.kind == "age"]

    def build(person, events, code, card_code):
        return NewlyEligibleRow(
            person,
            tuple(EntitlementEvent(event["day"], event["began"], by_rule[event["rule"]], event["cause"])
                  for event in sorted(events, key=lambda event: (event["day"], event["began"], event["rule"]))),
            code, card_code)

    # The years whose 1 January, when a classification takes effect, falls in the window.
    first_year = since.year if (since.month, since.day) == (1, 1) else since.year + 1
    params = {"unit": unit, "as_of": as_of, "since": since, "before": since - timedelta(days=1),
              "age_rules": age_rules, "first_year": first_year, "last_year": as_of.year,
              "classes": [rule.classification for rule in rules if rule.kind == "household"]}
    return listed(con, query, params, build)
