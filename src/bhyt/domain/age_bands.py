"""The age bands coverage is broken down by: children under 6 (budget-funded), school age, working
age, the elderly and the very old, whose cards the plans single out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class AgeBand:
    label: str
    lowest: int
    highest: int | None  # None: no upper bound


AGE_BANDS = (
    AgeBand("0-5", 0, 5),
    AgeBand("6-17", 6, 17),
    AgeBand("18-59", 18, 59),
    AgeBand("60-74", 60, 74),
    AgeBand("75+", 75, None),
)


def age_on(birth_date: date, on: date) -> int:
    """Completed years on `on`; someone born on 29 February turns a year older on 1 March in common years."""
    before_birthday = (on.month, on.day) < (birth_date.month, birth_date.day)
    return on.year - birth_date.year - before_birthday


def age_band(birth_date: date, on: date) -> str:
    age = age_on(birth_date, on)
    for band in AGE_BANDS:
        if band.lowest <= age and (band.highest is None or age <= band.highest):
            return band.label
    raise ValueError(f"Ngày sinh {birth_date:%d/%m/%Y} sau ngày tính {on:%d/%m/%Y}.")
