"""Coverage targets: the count a rate asks for, what is still to enrol, how far a unit is from its target,
the ranking, and how a parent's target is shared among its children.

Every figure is exact: rates are `Decimal` percentages, counts whole people, and the arithmetic between
them runs on `Fraction`, so nothing is lost to binary floats. Rounding always favours the target: a
count rounds up to the next whole person, and a rate derived from a count never asks for fewer people
than the count it came from.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from types import MappingProxyType

from bhyt.domain.messages import Message, N_

MET, NEAR, BEHIND = "met", "near", "behind"
STATUS_LABELS = MappingProxyType({MET: N_("Đạt"), NEAR: N_("Gần đạt (thiếu ≤ 1 điểm)"), BEHIND: N_("Chưa đạt")})
# How many percentage points short still counts as "near".
NEAR_MARGIN = Decimal(1)
_HUNDRED = Decimal(100)


class TargetError(ValueError):
    """A target or a cascade input that cannot be right, with a message for the officer: a `Message`, so
    that the web can show it in English while the CLI prints the Vietnamese."""


TARGET_RATE = Message(N_("Tỷ lệ chỉ tiêu"))


def check_rate(rate: Decimal, what: Message = TARGET_RATE) -> None:
    if not Decimal(0) <= rate <= _HUNDRED:
        raise TargetError(Message(N_("%(what)s phải từ 0 đến 100 (%%), không phải %(rate)s."), what=what, rate=rate))


def target_count(target_pct: Decimal, population: int) -> int:
    """People who must be insured for `target_pct` percent of `population`: ceil(rate/100 × population)."""
    return math.ceil(Fraction(target_pct) * population / 100)


def still_to_enrol(target_pct: Decimal, population: int, insured: int) -> int:
    """People still to enrol: ceil(rate/100 × population) − insured, never below zero."""
    return max(0, target_count(target_pct, population) - insured)


def rate_from_count(count: int, population: int) -> Decimal:
    """The rate of a count target: count / population × 100 rounded UP to 2 decimals, so the rate never
    asks for fewer people than the count: `target_count(rate, population) >= count`. It may ask for one
    person more when the count is not a whole hundredth of a point of the population (2 of 3 people →
    66.67 %, and 66.67 % of 3 is 2.0001 → 3): a unit's own count target is therefore kept as a count
    wherever it is used. A count above the population gives a rate above 100: that target cannot be
    reached with this population figure, and the rate says so."""
    if population <= 0:
        raise TargetError(Message(N_("Không đổi được chỉ tiêu số người thành tỷ lệ: đơn vị không có dân số.")))
    return Decimal(math.ceil(Fraction(count * 10_000, population))).scaleb(-2)


def status(coverage_pct: Decimal, target_pct: Decimal) -> str:
    """"met" when coverage ≥ target, "near" when short by at most 1.00 percentage point, else "behind"."""
    if coverage_pct >= target_pct:
        return MET
    return NEAR if target_pct - coverage_pct <= NEAR_MARGIN else BEHIND


def count_status(population: int, insured: int, target: int) -> str:
    """The same three classes measured in people, so that they agree with `still_to_enrol`: "met" exactly
    when nobody is still to enrol, "near" when those still to enrol are at most 1 % of the population.
    (A rounded coverage rate can read 96.00 % while one person is still missing for a 96 % target.)"""
    short = target - insured
    if short <= 0:
        return MET
    return NEAR if short * _HUNDRED <= NEAR_MARGIN * population else BEHIND


@dataclass(frozen=True)
class Standing:
    code: str
    coverage_pct: Decimal
    target_pct: Decimal


def rank(standings: Iterable[Standing]) -> dict[str, int]:
    """Rank 1 = best. Order: coverage − target, largest first (furthest above target leads, furthest
    below trails); then the higher coverage; then the unit code, ascending. Every unit gets its own rank
    (no shared places), so a ranking printed twice reads the same."""
    ordered = sorted(standings, key=lambda s: (s.target_pct - s.coverage_pct, -s.coverage_pct, s.code))
    return {standing.code: place for place, standing in enumerate(ordered, start=1)}


@dataclass(frozen=True)
class UnitFigures:
    code: str
    population: int
    insured: int
    last_year_pct: Decimal | None


def cascade(parent_pct: Decimal, units: Sequence[UnitFigures], overrides: Mapping[str, Decimal]) -> dict[str, Decimal]:
    """Share a parent's target rate among its children; returns every child's rate.

    The children together must reach `required` = ceil(parent_pct/100 × Σ population) insured people.

    1. A child in `overrides` keeps its rate; it contributes ceil(rate × its population) people.
    2. Every other child starts from its floor, last year's actual rate (none → 0), contributing
       ceil(floor × population) people: no child is asked for less than it reached last year.
    3. If required − floors − overrides is positive, that remainder is shared among the children without
       an override in proportion to their uninsured people (population − insured), never taking a child
       above its whole population (100 %). What a capped child cannot take is shared again among the
       others. If the children with uninsured people are all full, the rest goes to those without
       (whose insured count already exceeds their floor) in proportion to the room each has below 100 %.
       Whole people are apportioned by largest remainders: each child gets the whole part of its quota,
       and the people left over go one each to the largest fractional parts (ties: more uninsured
       people first, then the lower code), so the shares add up exactly to the remainder.
    4. A child that received people gets the rate of (floor count + its share), rounded up to 2
       decimals (`rate_from_count`); a child that received none keeps its floor rate exactly.

    Choices the plans leave open:
    - If floors and overrides alone already reach the requirement, every child keeps its floor: the
      cascade never lowers a child below last year, nor changes an override.
    - If the overrides are so low that even 100 % everywhere else cannot reach the requirement, the
      others get 100 % and the shortfall stays visible (the sum of counts is below the requirement).
    - A child with no population contributes nobody; it gets max(parent rate, its floor), so that
      when people arrive it is held to the same target as its siblings.
    """
    check_rate(parent_pct, Message(N_("Tỷ lệ chỉ tiêu của đơn vị cấp trên")))
    codes = {unit.code for unit in units}
    for code, rate in overrides.items():
        if code not in codes:
            raise TargetError(Message(
                N_("Chỉ tiêu giữ nguyên của đơn vị '%(unit)s' không thuộc các đơn vị được phân bổ."), unit=code))
        if rate < 0:
            raise TargetError(Message(N_("Chỉ tiêu của đơn vị '%(unit)s' không được âm: %(rate)s."),
                                      unit=code, rate=rate))
    for unit in units:
        if unit.population < 0 or unit.insured < 0:
            raise TargetError(Message(N_("Dân số và số người có thẻ của đơn vị '%(unit)s' không được âm."),
                                      unit=unit.code))
        if unit.last_year_pct is not None:
            check_rate(unit.last_year_pct, Message(N_("Tỷ lệ năm trước của đơn vị '%(unit)s'"), unit=unit.code))

    required = target_count(parent_pct, sum(unit.population for unit in units))
    free = [unit for unit in units if unit.code not in overrides]
    floor_rate = {unit.code: unit.last_year_pct or Decimal(0) for unit in free}
    floor_count = {unit.code: target_count(floor_rate[unit.code], unit.population) for unit in free}
    promised = sum(floor_count.values()) + sum(
        target_count(overrides[unit.code], unit.population) for unit in units if unit.code in overrides
    )
    extra = _share(required - promised, free, floor_count)

    rates = dict(overrides)
    for unit in free:
        if unit.population == 0:
            rates[unit.code] = max(parent_pct, floor_rate[unit.code])
        elif extra[unit.code]:
            rates[unit.code] = rate_from_count(floor_count[unit.code] + extra[unit.code], unit.population)
        else:
            rates[unit.code] = floor_rate[unit.code]
    return {unit.code: rates[unit.code] for unit in units}


def _share(remainder: int, units: Sequence[UnitFigures], floor_count: Mapping[str, int]) -> dict[str, int]:
    """Whole people per unit, adding up to `remainder` (or to all the room there is)."""
    extra = {unit.code: 0 for unit in units}
    room = {unit.code: unit.population - floor_count[unit.code] for unit in units}
    with_uninsured = [unit for unit in units if unit.population > unit.insured]
    others = [unit for unit in units if unit.population <= unit.insured]
    left = max(remainder, 0)
    for group, weight in (
        (with_uninsured, lambda unit: unit.population - unit.insured),
        (others, lambda unit: room[unit.code]),
    ):
        left = _fill(left, [unit for unit in group if room[unit.code] > 0], weight, room, extra)
    return extra


def _fill(left: int, active: list[UnitFigures], weight, room: dict[str, int], extra: dict[str, int]) -> int:
    """Water-filling: units whose proportional quota would exceed their room are filled to the brim
    and leave; once every quota fits, the rest is apportioned by largest remainders. Returns what
    could not be placed."""
    while left > 0 and active:
        total = sum(weight(unit) for unit in active)
        if total == 0:
            return left
        quota = {unit.code: Fraction(left * weight(unit), total) for unit in active}
        full = [unit for unit in active if quota[unit.code] >= room[unit.code]]
        if full:
            for unit in full:
                extra[unit.code] += room[unit.code]
                left -= room[unit.code]
                room[unit.code] = 0
            active = [unit for unit in active if room[unit.code] > 0]
            continue
        whole = {code: math.floor(share) for code, share in quota.items()}
        leftover = left - sum(whole.values())
        by_remainder = sorted(
            active, key=lambda unit: (whole[unit.code] - quota[unit.code], -weight(unit), unit.code)
        )
        for position, unit in enumerate(by_remainder):
            given = whole[unit.code] + (1 if position < leftover else 0)
            extra[unit.code] += given
            room[unit.code] -= given
        return 0
    return left
