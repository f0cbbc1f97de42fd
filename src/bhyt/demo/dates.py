"""Dates as integer day numbers (days since 1970-01-01), so that whole columns move at once."""

from __future__ import annotations

from datetime import date

import numpy as np

EPOCH = date(1970, 1, 1)


def day(value: date) -> int:
    return (value - EPOCH).days


def to_date(days: int) -> date:
    return date.fromordinal(EPOCH.toordinal() + int(days))


def year_of(days: np.ndarray) -> np.ndarray:
    return days.astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64) + 1970


def jan1(year: np.ndarray | int) -> np.ndarray:
    return (np.asarray(year, dtype=np.int64) - 1970).astype("datetime64[Y]").astype("datetime64[D]").astype(np.int64)


def ymd(year: np.ndarray | int, month: int, day_of_month: int) -> np.ndarray:
    """Day numbers of one fixed calendar day in the given years."""
    months = (np.asarray(year, dtype=np.int64) - 1970) * 12 + (month - 1)
    return months.astype("datetime64[M]").astype("datetime64[D]").astype(np.int64) + (day_of_month - 1)


def add_months(days: np.ndarray, months: np.ndarray | int) -> np.ndarray:
    """The same day ``months`` calendar months later, clamped to the end of a shorter month
    (as ``bhyt.domain.card_validity.add_months``, for whole columns)."""
    dates = days.astype("datetime64[D]")
    month = dates.astype("datetime64[M]")
    offset = dates - month.astype("datetime64[D]")
    target = month + np.asarray(months, dtype=np.int64)
    last = (target + 1).astype("datetime64[D]") - np.timedelta64(1, "D")
    return np.minimum(target.astype("datetime64[D]") + offset, last).astype(np.int64)
