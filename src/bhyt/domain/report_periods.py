"""Reporting periods: monthly, quarterly, 6-monthly and annual coverage reports.

The Tháp Mười plan asks communes for monthly, quarterly, 6-monthly and yearly reports; the Quảng Trị
plan wants the 6-monthly report before 20 May and the annual one before 20 November. Those deadlines
fall before the periods end, so a province may cut its figures off early (for example at 15 May and
15 November). The plans do not fix that cut-off, so a report counts at its period's last day unless
the officer gives another date; `previous_as_of` then compares with the same point of the previous
period.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date
from enum import StrEnum


class PeriodKind(StrEnum):
    MONTH = "month"
    QUARTER = "quarter"
    HALF_YEAR = "half-year"
    YEAR = "year"


# How many periods a year has, and how many months each one spans.
_PERIODS_PER_YEAR = {PeriodKind.MONTH: 12, PeriodKind.QUARTER: 4, PeriodKind.HALF_YEAR: 2, PeriodKind.YEAR: 1}
_ROMAN = ("I", "II", "III", "IV")
_KIND_NAMES = {PeriodKind.MONTH: "tháng", PeriodKind.QUARTER: "quý", PeriodKind.HALF_YEAR: "kỳ 6 tháng",
               PeriodKind.YEAR: "năm"}


class InvalidPeriod(ValueError):
    pass


@dataclass(frozen=True)
class ReportPeriod:
    kind: PeriodKind
    year: int
    number: int

    @property
    def months(self) -> int:
        return 12 // _PERIODS_PER_YEAR[self.kind]

    @property
    def start(self) -> date:
        return date(self.year, (self.number - 1) * self.months + 1, 1)

    @property
    def end(self) -> date:
        month = self.number * self.months
        return date(self.year, month, calendar.monthrange(self.year, month)[1])

    @property
    def name(self) -> str:
        """The period as a report title names it: "Tháng 11 năm 2026", "Quý IV năm 2026"…"""
        if self.kind is PeriodKind.MONTH:
            return f"Tháng {self.number} năm {self.year}"
        if self.kind is PeriodKind.QUARTER:
            return f"Quý {_ROMAN[self.number - 1]} năm {self.year}"
        if self.kind is PeriodKind.HALF_YEAR:
            return f"6 tháng {'đầu' if self.number == 1 else 'cuối'} năm {self.year}"
        return f"Năm {self.year}"

    def previous(self) -> ReportPeriod:
        if self.number > 1:
            return ReportPeriod(self.kind, self.year, self.number - 1)
        return ReportPeriod(self.kind, self.year - 1, _PERIODS_PER_YEAR[self.kind])


def report_period(kind: PeriodKind | str, year: int, number: int | None = None) -> ReportPeriod:
    """The period, checked: a month 1–12, a quarter 1–4, a half-year 1–2; a year needs no number."""
    try:
        kind = PeriodKind(kind)
    except ValueError:
        raise InvalidPeriod(
            f"Loại kỳ báo cáo '{kind}' không hợp lệ; chọn một trong: {', '.join(k.value for k in PeriodKind)}."
        ) from None
    if not 1900 <= year <= 9999:
        raise InvalidPeriod(f"Năm báo cáo {year} không hợp lệ.")
    count = _PERIODS_PER_YEAR[kind]
    if kind is PeriodKind.YEAR:
        if number not in (None, 1):
            raise InvalidPeriod("Báo cáo năm không có số kỳ (bỏ --period).")
        return ReportPeriod(kind, year, 1)
    if number is None:
        raise InvalidPeriod(f"Hãy cho biết {_KIND_NAMES[kind]} nào (--period từ 1 đến {count}).")
    if not 1 <= number <= count:
        raise InvalidPeriod(f"Số {_KIND_NAMES[kind]} phải từ 1 đến {count}, không phải {number}.")
    return ReportPeriod(kind, year, number)


def previous_as_of(period: ReportPeriod, as_of: date) -> date:
    """The date the previous report counted at: the previous period's end when this report counts at
    its own end, else the same cut-off one period earlier (the day kept, or the month's last day
    when that month is shorter)."""
    if as_of == period.end:
        return period.previous().end
    months = as_of.year * 12 + as_of.month - 1 - period.months
    year, month = divmod(months, 12)
    month += 1
    return date(year, month, min(as_of.day, calendar.monthrange(year, month)[1]))

