"""Exact percentages: every rate a unit reports is rounded half-up to 2 decimals from exact numbers,
never from binary floats."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from math import floor


def round_half_up(value: Fraction, places: int = 0) -> Decimal:
    """Exact rounding of a fraction, halves away from zero as Decimal's ROUND_HALF_UP does (no binary
    floats, no double rounding)."""
    scaled = floor(abs(value) * 10**places + Fraction(1, 2))
    return Decimal(-scaled if value < 0 else scaled).scaleb(-places)


def percent(part: Fraction | int, whole: int | None) -> Decimal | None:
    """part / whole in percent to 2 decimals; none without a whole."""
    if not whole:
        return None
    return round_half_up(Fraction(part) * 100 / whole, 2)
