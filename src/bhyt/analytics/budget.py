"""What the state budget and the province's budget pay for the budget-paid (group 3: TE, HN, BT, CC…)
and budget-supported (group 4: CN, HS, SV, GB) cards of a unit in a year, and what a province top-up
under consideration would add.

People insured are counted in person-months: each day a resident of the unit is covered under a code
counts as 1/(days of that calendar month) of a month, so a card for the whole year is 12, a card
from 16/03 to 31/12 is 9 + 16/31. Cards are read from the snapshot's card segments (one code a day,
the priority order's pick, so two overlapping cards are paid once) and only for the days the person
lives in the unit, alive: a death or a move ends the cost there (the rest is the báo giảm list's
business). The people column counts each person once per code (someone moving from TE to HS during
the year is in both rows, once in the total).

Money follows `bhyt.domain.contributions`: the full contribution is rate × base salary a month (both
from data/*.csv with their effective dates, so a base-salary change on 01/07 counts from July); the
state pays all of it for group 3 and the national minimum share for group 4; the province adds its
top-ups (province_support.csv), never beyond what the state leaves. The exact amounts of every piece
of the year are added up per code and rounded to the đồng once: full, state and province each
rounded, the participants' share the rest, so the parts add up. Whether a commune is a poor commune
(100 % support for near-poor people) is not in the registry: near-poor people get the general share,
as the work lists' quotes do.
"""

from __future__ import annotations

import re
from calendar import monthrange
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

import duckdb

from bhyt.analytics.worklists.common import Scope, coverage_of, residents, scope
from bhyt.analytics.worklists.entitlements import entitlements_on, holding
from bhyt.domain.contributions import monthly_full_contribution, province_top_ups, state_support_share
from bhyt.domain.legal_data import optional_date, read_table
from bhyt.domain.participants import PARTICIPANT_CODES, Payer, participant

_ZERO = Decimal(0)
_ONE = Decimal(1)
_ONE_DONG = Decimal(1)
_HUNDREDTH = Decimal("0.01")
# The groups the budget pays for (group 3) or supports (group 4), by their payer in participant_codes.csv.
_BUDGET_PAYERS = (Payer.STATE_BUDGET, Payer.STATE_SUPPORTED)
BUDGET_GROUPS = tuple(sorted({code.group for code in PARTICIPANT_CODES.values() if code.payer in _BUDGET_PAYERS}))
# Legal tables whose changes inside a year change what a month costs or who pays it.
_PARAMETER_TABLES = ("base_salary", "contribution_rate", "support_minimums", "province_support")
_SCENARIO = re.compile(r"\s*([A-Za-z]{2})\s*:\s*(\d+(?:[.,]\d+)?)\s*%?\s*:\s*(\d{4}-\d{2}-\d{2})\s*")


def _to_dong(amount: Decimal) -> Decimal:
    """Whole đồng, half up: bhyt.domain.contributions rounds so, but keeps its helper private."""
    return amount.quantize(_ONE_DONG, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Scenario:
    """The province adds `share` (0.10 for 10 %) of the full contribution for `participant_code`
    from `start`, on top of its top-ups in force."""

    participant_code: str
    share: Decimal
    start: date

    @classmethod
    def parse(cls, text: str) -> Scenario:
        """'CN:10%:2026-07-01' → CN, 0.10, 01/07/2026."""
        found = _SCENARIO.fullmatch(text)
        if found is None:
            raise ValueError(f"Kịch bản '{text}' không đúng dạng MÃ:X%:YYYY-MM-DD (ví dụ CN:10%:2026-07-01).")
        code, percent, start = found.groups()
        try:
            day = date.fromisoformat(start)
        except ValueError:
            raise ValueError(f"Kịch bản '{text}': '{start}' không phải ngày dạng YYYY-MM-DD.") from None
        share = Decimal(percent.replace(",", ".")) / 100
        if not _ZERO < share <= _ONE:
            raise ValueError(f"Kịch bản '{text}': mức hỗ trợ thêm phải lớn hơn 0 % và không quá 100 %.")
        member = participant(code)
        # Group 3 is paid in full by the state; group 5 pays by the household ladder, which the cards
        # do not record: a top-up is modelled where the domain applies one, group 4.
        if member.payer != Payer.STATE_SUPPORTED:
            supported = ", ".join(c.code for c in PARTICIPANT_CODES.values() if c.payer == Payer.STATE_SUPPORTED)
            raise ValueError(f"Kịch bản '{text}': chỉ mô phỏng hỗ trợ thêm cho đối tượng được NSNN hỗ trợ mức "
                             f"đóng ({supported}); {member.code} thuộc nhóm {member.group}.")
        return cls(member.code, share, day)


@dataclass(frozen=True)
class CodeBudget:
    participant_code: str  # "" on the total row
    statutory_group: int | None
    people: int
    person_months: Decimal  # two decimals
    full: Decimal
    state: Decimal
    province: Decimal
    payable: Decimal  # the participants' own share (group 4)


@dataclass(frozen=True)
class ScenarioCost:
    scenario: Scenario
    insured_people: int  # covered under the code on some day from the start to 31/12
    insured_person_months: Decimal  # from the start to 31/12
    added_cost: Decimal  # the province's cost for them with the scenario, less without it
    uninsured_people: int  # residents on the start day with no card, entitled to the code
    uninsured_person_months: Decimal  # if each held a card from the start day to 31/12
    uninsured_cost: Decimal  # what the province would pay for them then, at its top-ups plus the scenario's


@dataclass(frozen=True)
class Budget:
    unit_code: str
    unit_name: str
    province_code: str
    year: int
    rows: list[CodeBudget]  # by group, then the codes' priority order
    total: CodeBudget
    scenario: ScenarioCost | None


@dataclass(frozen=True)
class _Period:
    """Days of one calendar month over which every parameter holds."""

    start: date
    end: date

    @property
    def month_days(self) -> int:
        return monthrange(self.start.year, self.start.month)[1]


def periods(year: int, cuts: tuple[date, ...] = ()) -> list[_Period]:
    """The year cut at every month's first day, every parameter change and `cuts`."""
    first, last = date(year, 1, 1), date(year, 12, 31)
    starts = {date(year, month, 1) for month in range(1, 13)} | {day for day in cuts if first <= day <= last}
    for table in _PARAMETER_TABLES:
        for row in read_table(table):
            begins = optional_date(row["effective_from"])
            ends = optional_date(row["effective_to"])
            starts |= {day for day in (begins, ends and ends + timedelta(days=1)) if day and first <= day <= last}
    ordered = sorted(starts)
    return [_Period(start, (ordered[i + 1] - timedelta(days=1)) if i + 1 < len(ordered) else last)
            for i, start in enumerate(ordered)]


def _stays(unit_scope: Scope) -> str:
    """The days of the year each person lives in the unit, alive: one row per residence there. Where
    two of a person's residences in a province overlap (a move recorded without its departure), the
    later one holds from its arrival, as the work lists keep it, so no day counts in two communes. Only
    the people with more than one residence in a province (the snapshot lists them) can have such an
    overlap, so only their residences are put in order."""
    in_year = ("(r.arrived_on IS NULL OR r.arrived_on <= $last) AND (r.left_on IS NULL OR r.left_on >= $first) "
               "AND (r.death_date IS NULL OR r.death_date > $first)")
    return f"""
        SELECT person_id, greatest(coalesce(arrived_on, $first), $first) AS stay_from,
               least(coalesce(left_on, $last), coalesce(death_date - 1, $last), $last, next_from - 1) AS stay_to
        FROM (
            SELECT r.*, NULL::DATE AS next_from FROM residences r
            WHERE {unit_scope.filter} AND {in_year}
              AND r.person_id NOT IN (SELECT person_id FROM multi_residence_persons)
            UNION ALL BY NAME
            SELECT * FROM (
                SELECT r.*, {unit_scope.filter} AS inside,
                       lead(r.arrived_on) OVER (PARTITION BY r.person_id, r.province_code
                                                ORDER BY r.arrived_on NULLS FIRST) AS next_from
                FROM residences r WHERE r.person_id IN (
                    SELECT r.person_id FROM residences r WHERE {unit_scope.filter} AND {in_year}
                      AND r.person_id IN (SELECT person_id FROM multi_residence_persons)))
            WHERE inside
        ) r
        WHERE greatest(coalesce(arrived_on, $first), $first)
              <= least(coalesce(left_on, $last), coalesce(death_date - 1, $last), $last, next_from - 1)
    """


def _covered_days(con: duckdb.DuckDBPyConnection, unit_scope: Scope, year: int, spans: list[_Period],
                  scenario: Scenario | None) -> list[tuple]:
    """Rows (kind, code, period start, number): covered resident days per code and period ('days'),
    people per code ('people'), people under the scenario's code from its start ('from_start'), and
    people in all ('total'). A person's days are first cut to the spans they are covered while
    resident, then to the periods; people are counted from the spans, before the periods multiply them."""
    groups = ", ".join(str(int(group)) for group in BUDGET_GROUPS)
    query = f"""
        WITH stays AS MATERIALIZED ({_stays(unit_scope)}),
        spans AS (SELECT unnest($starts::DATE[]) AS span_from, unnest($ends::DATE[]) AS span_to),
        covered AS MATERIALIZED (
            SELECT s.person_id, s.participant_code, greatest(s.covered_from, t.stay_from) AS day_from,
                   least(s.covered_to, t.stay_to) AS day_to
            FROM card_segments s
            JOIN stays t ON t.person_id = s.person_id AND s.covered_from <= t.stay_to AND s.covered_to >= t.stay_from
            WHERE s.statutory_group IN ({groups}) AND s.covered_to >= $first AND s.covered_from <= $last
        ),
        by_person AS MATERIALIZED (
            SELECT person_id, participant_code, bool_or(participant_code = $code AND day_to >= $start) AS from_start
            FROM covered GROUP BY person_id, participant_code
        )
        SELECT 'days' AS kind, c.participant_code, p.span_from,
               sum(least(c.day_to, p.span_to) - greatest(c.day_from, p.span_from) + 1) AS number
        FROM covered c JOIN spans p ON c.day_from <= p.span_to AND c.day_to >= p.span_from
        GROUP BY c.participant_code, p.span_from
        UNION ALL SELECT 'people', participant_code, NULL, count(*) FROM by_person GROUP BY participant_code
        UNION ALL SELECT 'from_start', participant_code, NULL, count(*) FROM by_person WHERE from_start
                  GROUP BY participant_code
        UNION ALL SELECT 'total', NULL, NULL, count(DISTINCT person_id) FROM by_person
    """
    params = {
        "unit": unit_scope.unit_code, "first": date(year, 1, 1), "last": date(year, 12, 31),
        "starts": [span.start for span in spans], "ends": [span.end for span in spans],
        "code": scenario.participant_code if scenario else "", "start": scenario.start if scenario else date.max,
    }
    return con.execute(query, params).fetchall()


def _uninsured_entitled(con: duckdb.DuckDBPyConnection, unit_scope: Scope, scenario: Scenario) -> int:
    """Residents on the scenario's start day without a card whose entitlement (entitlements.csv, the
    priority order picking one, as the eligible-missing list does) is the scenario's code."""
    query = f"""
        WITH people AS MATERIALIZED ({residents(unit_scope)}),
        coverage AS MATERIALIZED ({coverage_of()}),
        uninsured AS MATERIALIZED (
            SELECT p.*, c.groups_held FROM people p LEFT JOIN coverage c USING (person_id) WHERE c.code_now IS NULL
        ),
        entitled AS ({holding(entitlements_on(scenario.start), "SELECT * FROM uninsured")})
        SELECT count(*) FROM (SELECT person_id FROM entitled GROUP BY person_id
                              HAVING arg_min(participant_code, priority) = $code)
    """
    params = {"unit": unit_scope.unit_code, "as_of": scenario.start, "code": scenario.participant_code}
    return con.execute(query, params).fetchone()[0]


class _Shares:
    """Who pays what share of a month's contribution, per code and period, for one province."""

    def __init__(self, province_code: str, scenario: Scenario | None) -> None:
        self.province_code = province_code
        self.scenario = scenario

    def __call__(self, code: str, day: date, with_scenario: bool = True) -> tuple[Decimal, Decimal]:
        """(state share, province share) on `day`; the province's never beyond what the state leaves."""
        if participant(code).payer == Payer.STATE_BUDGET:
            return _ONE, _ZERO
        state = state_support_share(code, day)
        top_up = province_top_ups(self.province_code, day).get(code, _ZERO)
        if with_scenario and self.scenario and code == self.scenario.participant_code and day >= self.scenario.start:
            top_up += self.scenario.share
        return state, min(top_up, _ONE - state)


@dataclass
class _Sums:
    """Exact amounts of a code's pieces, before rounding."""

    months: Decimal = _ZERO
    full: Decimal = _ZERO
    state: Decimal = _ZERO
    province: Decimal = _ZERO

    def add(self, months: Decimal, monthly: Decimal, state_share: Decimal, province_share: Decimal) -> None:
        full = months * monthly
        self.months += months
        self.full += full
        self.state += full * state_share
        self.province += full * province_share

    def rounded(self, code: str, group: int | None, people: int) -> CodeBudget:
        """Full, state and province each rounded to the đồng; the participants pay the rest."""
        full, state = _to_dong(self.full), _to_dong(self.state)
        province = min(_to_dong(self.province), full - state)
        return CodeBudget(code, group, people, self.months.quantize(_HUNDREDTH, rounding=ROUND_HALF_UP),
                          full, state, province, full - state - province)


def budget(con: duckdb.DuckDBPyConnection, unit: str, year: int, scenario: Scenario | None = None) -> Budget:
    """The budget-paid and budget-supported cards of `unit` (province, commune or hamlet) in `year`:
    per participant code, the people, person-months and who pays what; and, with a `scenario`, what
    the province's added support would cost from its start to 31/12 and whom it reaches."""
    unit_scope = scope(con, unit)
    if scenario is not None and scenario.start.year != year:
        raise ValueError(f"Kịch bản bắt đầu ngày {scenario.start:%d/%m/%Y}, không thuộc năm {year}.")
    province_code = con.execute("SELECT province_code FROM units WHERE code = ?", [unit]).fetchone()[0]
    spans = periods(year, (scenario.start,) if scenario else ())
    span_of = {span.start: span for span in spans}
    shares = _Shares(province_code, scenario)
    found = _covered_days(con, unit_scope, year, spans, scenario)

    sums: dict[str, _Sums] = {}
    people: dict[str, int] = {}
    total_people = 0
    scenario_people = 0
    without, with_ = _Sums(), _Sums()  # the scenario's code from its start
    for kind, code, span_from, number in found:
        if kind == "days":
            span = span_of[span_from]
            months = Decimal(number) / Decimal(span.month_days)
            monthly = monthly_full_contribution(span.start)
            sums.setdefault(code, _Sums()).add(months, monthly, *shares(code, span.start, with_scenario=False))
            if scenario is not None and code == scenario.participant_code and span.start >= scenario.start:
                without.add(months, monthly, *shares(code, span.start, with_scenario=False))
                with_.add(months, monthly, *shares(code, span.start))
        elif kind == "people":
            people[code] = number
        elif kind == "from_start":
            scenario_people = number
        else:
            total_people = number

    order = sorted(sums, key=lambda code: (participant(code).group, participant(code).priority))
    rows = [sums[code].rounded(code, participant(code).group, people[code]) for code in order]
    total = CodeBudget("", None, total_people, sum((row.person_months for row in rows), _ZERO),
                       *(sum((getattr(row, part) for row in rows), _ZERO)
                         for part in ("full", "state", "province", "payable")))
    cost = None
    if scenario is not None:
        cost = _scenario_cost(con, unit_scope, scenario, spans, shares, scenario_people, without, with_)
    return Budget(unit, unit_scope.unit_name, province_code, year, rows, total, cost)


def _scenario_cost(con: duckdb.DuckDBPyConnection, unit_scope: Scope, scenario: Scenario, spans: list[_Period],
                   shares: _Shares, insured_people: int, without: _Sums, with_: _Sums) -> ScenarioCost:
    """The insured's added cost is the province's rounded share with the scenario less without it. The
    uninsured who are entitled are priced as if each held a card from the start day to 31/12 (an upper
    bound: some would join later or for fewer months) at the province's whole share with the scenario,
    since without it they would cost nothing."""
    added = _to_dong(with_.province) - _to_dong(without.province)
    uninsured = _uninsured_entitled(con, unit_scope, scenario)
    joining = _Sums()
    for span in spans:
        if span.start >= scenario.start:
            months = Decimal(uninsured * ((span.end - span.start).days + 1)) / Decimal(span.month_days)
            joining.add(months, monthly_full_contribution(span.start), *shares(scenario.participant_code, span.start))
    return ScenarioCost(scenario, insured_people, with_.months.quantize(_HUNDREDTH, rounding=ROUND_HALF_UP), added,
                        uninsured, joining.months.quantize(_HUNDREDTH, rounding=ROUND_HALF_UP),
                        _to_dong(joining.province))
