"""Coverage projected month by month from who is insured now, when their cards run out, how often
cards of each participant code are renewed and how many uninsured people join each month.

The model, one step per month (the first step runs from the starting day to its month end):
1. a share of the people uninsured at the start of the month joins (the monthly enrolment rate);
2. the people whose coverage runs out in the month (first day without a card falls in it) renew at
   the renewal rate of their participant code, and the rest become uninsured;
3. a renewed or new card lasts `card_months`, so the same people come up again that many months on.
People who join renew at a rate of their own (the unit's rate over all codes). The population stays
what it was on the starting day: no births, deaths or moves are projected.

Counts are expected values, so they are kept as exact fractions; reports round them half-up, and
rates are computed exactly from the fractions, then rounded half-up to two decimals.
"""

from __future__ import annotations

import calendar
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

from bhyt.domain.messages import Message, N_
from bhyt.domain.rates import percent, round_half_up

HORIZON_YEAR = 2030  # universal coverage by 2030 (Directive 52-CT/TW; every plan in shared/plans)
CARD_MONTHS = 12

UNIT, PROVINCE, ASSUMED = "unit", "province", "assumed"
_SOURCE_LABELS = {UNIT: Message(N_("quan sát ở đơn vị")), PROVINCE: Message(N_("quan sát ở cả tỉnh")),
                  ASSUMED: Message(N_("chưa có số liệu, giả định"))}
# What a rate was observed on, in `ObservedRate.describe`.
EXPIRIES = Message(N_("lượt hết hạn"))
UNINSURED_MONTHS = Message(N_("người-tháng chưa có thẻ"))


def month_end(day: date) -> date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def lapse_month(coverage_end: date) -> date:
    """The month end of the step in which coverage ending on `coverage_end` runs out: the month of
    the first day without a card."""
    return month_end(coverage_end + timedelta(days=1))


def month_ends_after(start: date, until: date) -> list[date]:
    """Every month end in (start, until], and `until` is expected to be a month end itself."""
    ends, day = [], month_end(start)
    if day == start:
        day = month_end(day + timedelta(days=1))
    while day <= until:
        ends.append(day)
        day = month_end(day + timedelta(days=1))
    return ends


@dataclass(frozen=True)
class ObservedRate:
    """A share with what it was observed on: `successes` of `trials`, at the unit or the province;
    ASSUMED when there was nothing to observe (then `rate` is the assumption)."""

    rate: Fraction
    successes: int = 0
    trials: int = 0
    source: str = ASSUMED

    @classmethod
    def observed(cls, successes: int, trials: int, source: str) -> ObservedRate:
        if trials <= 0 or not 0 <= successes <= trials:
            raise ValueError(f"Tỷ lệ quan sát không hợp lệ: {successes}/{trials}.")
        return cls(Fraction(successes, trials), successes, trials, source)

    @property
    def pct(self) -> Decimal:
        return round_half_up(self.rate * 100, 2)

    def describe(self, what: Message) -> Message:
        if self.source == ASSUMED:
            return Message(N_("%(pct)s %% (%(source)s)"), pct=self.pct, source=_SOURCE_LABELS[ASSUMED])
        return Message(N_("%(pct)s %% (%(successes)s/%(trials)s %(what)s, %(source)s)"), pct=self.pct,
                       successes=f"{self.successes:,}", trials=f"{self.trials:,}", what=what,
                       source=_SOURCE_LABELS[self.source])


@dataclass(frozen=True)
class Assumptions:
    """What a projection rests on, to be printed with it."""

    as_of: date
    population: int
    renewal: Mapping[str, ObservedRate]  # per participant code
    enrollee_renewal: ObservedRate
    enrolment: ObservedRate  # monthly, of the uninsured
    grace_days: int
    renewal_window: tuple[date, date]  # the coverage ends the renewal rates were observed on
    enrolment_window: tuple[date, date]
    min_observed: int  # below it, a unit's observation gives way to its province's
    card_months: int = CARD_MONTHS

    def lines(self) -> list[Message]:
        """The assumptions, one sentence each; a line starting with spaces belongs to the one before."""
        start, end = self.renewal_window
        lines = [
            Message(N_("Dân số giữ nguyên %(population)s người (số cư dân ngày %(as_of)s): không tính sinh, mất, "
                       "chuyển đến, chuyển đi."), population=f"{self.population:,}", as_of=f"{self.as_of:%d/%m/%Y}"),
            Message(N_("Người đang có thẻ hết hạn vào ngày cuối của thời gian có thẻ liên tục (các thẻ nối tiếp "
                       "hoặc chồng lấn được gộp; thẻ đã đóng trước cho kỳ sau là đã gia hạn).")),
            Message(N_("Tỷ lệ gia hạn theo mã đối tượng: trong những người hết hạn thẻ từ %(start)s đến %(end)s, tỷ lệ "
                       "có thẻ mới trong vòng %(grace_days)s ngày sau ngày hết hạn (không tính người mất hoặc chuyển "
                       "đi trước khi hết thời gian chờ)."),
                    start=f"{start:%d/%m/%Y}", end=f"{end:%d/%m/%Y}", grace_days=self.grace_days),
        ]
        lines += [Message(N_("  %(code)s: %(rate)s"), code=code, rate=rate.describe(EXPIRIES))
                  for code, rate in sorted(self.renewal.items())]
        lines += [
            Message(N_("Tỷ lệ của đơn vị dựa trên ít hơn %(min_observed)s lượt quan sát (lượt hết hạn, người-tháng "
                       "chưa có thẻ) được thay bằng tỷ lệ của cả tỉnh; tỉnh cũng không có lượt nào thì giả định gia "
                       "hạn hết và không có người tham gia mới."), min_observed=self.min_observed),
            Message(N_("Thẻ gia hạn và thẻ mới có giá trị %(card_months)s tháng; người tham gia mới gia hạn với tỷ lệ "
                       "chung %(rate)s."), card_months=self.card_months, rate=self.enrollee_renewal.describe(EXPIRIES)),
            Message(N_("Mỗi tháng có %(rate)s người chưa có thẻ tham gia mới (quan sát từ %(start)s đến %(end)s)."),
                    rate=self.enrolment.describe(UNINSURED_MONTHS), start=f"{self.enrolment_window[0]:%d/%m/%Y}",
                    end=f"{self.enrolment_window[1]:%d/%m/%Y}"),
        ]
        return lines


@dataclass(frozen=True)
class StartingState:
    """Who is insured on `as_of`: how many people per (participant code, lapse month), the lapse
    month being `lapse_month` of the end of their continuous coverage."""

    as_of: date
    population: int
    lapses: Mapping[tuple[str, date], int]

    @property
    def insured(self) -> int:
        return sum(self.lapses.values())


@dataclass(frozen=True)
class ProjectedMonth:
    on: date
    insured: Fraction  # expected people insured on `on`
    population: int

    @property
    def insured_count(self) -> int:
        return int(round_half_up(self.insured))

    @property
    def coverage_pct(self) -> Decimal | None:
        return percent(self.insured, self.population)


@dataclass(frozen=True)
class Projection:
    months: tuple[ProjectedMonth, ...]  # the starting day, then every month end to the horizon
    assumptions: Assumptions = field(repr=False)

    def on(self, day: date) -> ProjectedMonth:
        for month in self.months:
            if month.on == day:
                return month
        raise ValueError(f"Dự báo không có ngày {day:%d/%m/%Y}.")

    def year_end(self, year: int) -> ProjectedMonth:
        """31/12 of `year`, or the starting day when the projection starts on it."""
        return self.on(date(year, 12, 31))


def project(state: StartingState, assumptions: Assumptions, until: date) -> Projection:
    """Month-end projections from `state.as_of` to `until` (a 31 December on or after it)."""
    if until < state.as_of or until != month_end(until):
        raise ValueError(f"Dự báo phải kết thúc vào một ngày cuối tháng từ {state.as_of:%d/%m/%Y} trở đi.")
    if state.insured > state.population:
        raise ValueError(f"Số người có thẻ ({state.insured:,}) lớn hơn dân số ({state.population:,}).")
    missing = sorted({code for code, _ in state.lapses} - set(assumptions.renewal))
    if missing:
        raise ValueError(f"Thiếu tỷ lệ gia hạn cho mã đối tượng: {', '.join(missing)}.")
    ends = month_ends_after(state.as_of, until)
    step_of = {end: step for step, end in enumerate(ends)}
    # Enrollees are kept under a key no participant code can take.
    rates: dict[str | None, Fraction] = {code: rate.rate for code, rate in assumptions.renewal.items()}
    rates[None] = assumptions.enrollee_renewal.rate
    due: dict[int, dict[str | None, Fraction]] = defaultdict(lambda: defaultdict(Fraction))
    for (code, month), count in state.lapses.items():
        if month <= state.as_of:
            raise ValueError(f"Thẻ mã {code} hết hạn trước ngày tính {state.as_of:%d/%m/%Y}.")
        if month in step_of:
            due[step_of[month]][code] += count
    insured = Fraction(state.insured)
    months = [ProjectedMonth(state.as_of, insured, state.population)]
    for step, end in enumerate(ends):
        joined = assumptions.enrolment.rate * (state.population - insured)
        due[step + assumptions.card_months][None] += joined
        lost = Fraction(0)
        for code, lapsing in due.pop(step, {}).items():
            renewed = rates[code] * lapsing
            due[step + assumptions.card_months][code] += renewed
            lost += lapsing - renewed
        insured += joined - lost
        months.append(ProjectedMonth(end, insured, state.population))
    return Projection(tuple(months), assumptions)
