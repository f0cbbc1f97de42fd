"""The dates a monthly series is read on."""

from __future__ import annotations

import calendar
from datetime import date


def month_end(day: date) -> date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def month_ends(start: date, end: date) -> list[date]:
    """Every month end from `start` to `end` inclusive, and `end` itself when it is not one."""
    dates = []
    year, month = start.year, start.month
    while (year, month) <= (end.year, end.month):
        last = month_end(date(year, month, 1))
        if start <= last <= end:
            dates.append(last)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    if not dates or dates[-1] != end:
        dates.append(end)
    return dates
