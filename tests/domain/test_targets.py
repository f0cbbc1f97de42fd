"""Targets on worked examples: counts, still to enrol, completion classes, ranking and the cascade."""

from __future__ import annotations

import math
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bhyt.domain.target_groups import TARGET_GROUPS, UnknownTargetGroup, target_group
from bhyt.domain.targets import (
    STATUS_LABELS,
    Standing,
    TargetError,
    UnitFigures,
    cascade,
    count_status,
    rank,
    rate_from_count,
    status,
    still_to_enrol,
    target_count,
)

D = Decimal


# Tháp Mười's appendix (Kế hoạch 418/KH-UBND, 2024): population at the end of 2023, insured, target count.
@pytest.mark.parametrize(
    ("population", "insured", "count", "still", "rate"),
    [
        (19_537, 17_973, 18_162, 189, D("92.97")),  # Thị trấn Mỹ An: 18162 / 19537 = 92.9620…% → 92.97
        (4_557, 4_335, 4_345, 10, D("95.35")),  # Xã Thạnh Lợi: 95.3478…% → 95.35 (the appendix prints 95,3 %)
        (8_009, 7_272, 7_606, 334, D("94.97")),  # Xã Hưng Thạnh: 94.9681…% → 94.97 (printed 95 %)
        (7_922, 7_780, 7_803, 23, D("98.50")),  # Xã Mỹ Đông: 98.4978…% → 98.50 (printed 98,5 %)
    ],
)
def test_tháp_mười_count_targets(population, insured, count, still, rate):
    assert count - insured == still
    assert rate_from_count(count, population) == rate
    # The rounded-up rate asks for at least the count: 92.97 % of 19,537 = 18,163.55 → 18,164.
    assert target_count(rate, population) >= count


def test_target_count_rounds_up_to_a_whole_person():
    assert target_count(D("96"), 1_483_326) == 1_423_993  # 1,423,992.96 → 1,423,993
    assert target_count(D("95.5"), 1_000) == 955  # exact: no rounding
    assert target_count(D("95.5"), 1_001) == 956  # 955.955 → 956
    assert target_count(D("33.33"), 3) == 1  # 0.9999 → 1
    assert target_count(D("0"), 500) == 0
    assert target_count(D("100"), 0) == 0


def test_still_to_enrol():
    # Quảng Trị at 96 %: 1,483,326 residents, 1,383,428 insured → 1,423,993 − 1,383,428.
    assert still_to_enrol(D("96"), 1_483_326, 1_383_428) == 40_565
    # A hamlet of 212 people at 95.5 %: ceil(202.46) = 203, 198 insured → 5.
    assert still_to_enrol(D("95.5"), 212, 198) == 5
    # Above target: never below zero.
    assert still_to_enrol(D("95.5"), 212, 210) == 0


def test_rate_from_count_rounds_up():
    assert rate_from_count(6, 7) == D("85.72")  # 85.714…
    assert rate_from_count(955, 1_000) == D("95.50")
    assert rate_from_count(1_423_993, 1_483_326) == D("96.01")  # 96.0000027…%: up to the next hundredth
    assert rate_from_count(2, 3) == D("66.67")
    assert target_count(D("66.67"), 3) == 3  # 2.0001 → 3: why a unit's own count is kept as a count
    assert rate_from_count(0, 10) == D("0.00")
    assert rate_from_count(12, 10) == D("120.00")  # unreachable with this population, and visibly so
    with pytest.raises(TargetError, match="không có dân số"):
        rate_from_count(5, 0)


@given(st.integers(1, 200_000), st.data())
def test_rate_from_count_never_asks_for_fewer(population, data):
    count = data.draw(st.integers(0, population))
    rate = rate_from_count(count, population)
    assert rate * population >= count * 100
    assert rate * population - count * 100 < D("0.01") * population
    assert count <= target_count(rate, population) <= count + math.ceil(population / 10_000)


@pytest.mark.parametrize(
    ("coverage", "target", "expected"),
    [
        ("96.00", "96", "met"),
        ("97.10", "96", "met"),
        ("95.00", "96", "near"),  # exactly one point short
        ("95.99", "96", "near"),
        ("94.99", "96", "behind"),
        ("0.00", "0", "met"),
    ],
)
def test_status(coverage, target, expected):
    assert status(D(coverage), D(target)) == expected


def test_count_status_agrees_with_still_to_enrol():
    # 10,000 people at 96 %: 9,600 needed.
    assert count_status(10_000, 9_600, 9_600) == "met"
    # 9,599 insured reads 95.99 %, one person short → near; 9,500 is 100 short = 1 % → near; 9,499 behind.
    assert count_status(10_000, 9_599, 9_600) == "near"
    assert count_status(10_000, 9_500, 9_600) == "near"
    assert count_status(10_000, 9_499, 9_600) == "behind"
    # 9,999 of 10,416 = 95.9965…% reads 96.00 % once rounded, yet one person is still missing.
    assert target_count(D("96"), 10_416) == 10_000
    assert count_status(10_416, 9_999, 10_000) == "near"


def test_status_labels_are_vietnamese():
    assert dict(STATUS_LABELS) == {"met": "Đạt", "near": "Gần đạt (thiếu ≤ 1 điểm)", "behind": "Chưa đạt"}


def test_rank_by_margin_then_coverage_then_code():
    standings = [
        Standing("A", D("97.00"), D("96")),  # +1.00
        Standing("B", D("95.50"), D("95.5")),  # 0, coverage 95.50
        Standing("C", D("96.00"), D("96")),  # 0, coverage 96.00 → before B
        Standing("D", D("90.00"), D("96")),  # −6.00
        Standing("E", D("96.00"), D("96")),  # ties C on both: code decides
    ]
    assert rank(standings) == {"A": 1, "C": 2, "E": 3, "B": 4, "D": 5}


# --- cascade -----------------------------------------------------------------------------------------

def test_cascade_shares_the_gap_by_uninsured_people_with_one_override():
    """Parent 96 %. Σ population 2,300 → required ceil(2,208) = 2,208.

    unit  population insured last year  floor count          uninsured
    A     1,000      900     93.00 %    930                  100
    B       600      560     94.50 %    567                   40
    C       400      380     96.00 %    384                   20
    D       300      290     override 97.00 % → 291 people    —

    Promised 930 + 567 + 384 + 291 = 2,172; 36 people to share by 100 : 40 : 20 (of 160):
    quotas A 22.5, B 9.0, C 4.5 → whole parts 22, 9, 4 = 35; the one left over goes to the largest
    fractional part: A and C tie at .5 and A has more uninsured people → A 23, B 9, C 4.
    A 953 / 1,000 = 95.30 %; B 576 / 600 = 96.00 %; C 388 / 400 = 97.00 %; D kept at 97.00 %.
    """
    units = [
        UnitFigures("A", 1_000, 900, D("93.00")),
        UnitFigures("B", 600, 560, D("94.50")),
        UnitFigures("C", 400, 380, D("96.00")),
        UnitFigures("D", 300, 290, D("95.00")),
    ]
    rates = cascade(D("96"), units, {"D": D("97.00")})
    assert rates == {"A": D("95.30"), "B": D("96.00"), "C": D("97.00"), "D": D("97.00")}
    assert sum(target_count(rates[u.code], u.population) for u in units) == 2_208


def test_cascade_floors_already_exceed_the_requirement():
    """Parent 90 %: required ceil(2,070) = 2,070 < 2,172 promised by floors and the override:
    everyone keeps last year's rate (the cascade never lowers a unit), the override stays."""
    units = [
        UnitFigures("A", 1_000, 900, D("93.00")),
        UnitFigures("B", 600, 560, D("94.50")),
        UnitFigures("C", 400, 380, D("96.00")),
        UnitFigures("D", 300, 290, D("95.00")),
    ]
    rates = cascade(D("90"), units, {"D": D("97.00")})
    assert rates == {"A": D("93.00"), "B": D("94.50"), "C": D("96.00"), "D": D("97.00")}


def test_cascade_caps_units_at_100_percent_and_passes_the_rest_on():
    """Parent 96 %, Σ 1,700 → required 1,632; floors A 920 (92 %), B 450 (90 %), C 0 (no rate last
    year) = 1,370; 262 to share by uninsured 70 : 60 : 50.
    Quotas A 101.9 > room 80 and B 87.3 > room 50: both filled to 100 %; 262 − 130 = 132 left, all
    for C (room 200) → 132 / 200 = 66.00 %."""
    units = [
        UnitFigures("A", 1_000, 930, D("92.00")),
        UnitFigures("B", 500, 440, D("90.00")),
        UnitFigures("C", 200, 150, None),
    ]
    assert cascade(D("96"), units, {}) == {"A": D("100.00"), "B": D("100.00"), "C": D("66.00")}


def test_cascade_gives_what_units_with_uninsured_cannot_take_to_the_others():
    """Parent 95 %, Σ 200 → 190; floors A 90, B 50 → 50 to share. Only A has uninsured people but
    room for just 10 → A 100 %; the remaining 40 go to B (everyone insured, room 50) → 90 / 100 = 90 %."""
    units = [UnitFigures("A", 100, 50, D("90.00")), UnitFigures("B", 100, 100, D("50.00"))]
    assert cascade(D("95"), units, {}) == {"A": D("100.00"), "B": D("90.00")}


def test_cascade_rate_rounds_up_and_units_without_people():
    """Parent 95.5 %, Σ 7 → ceil(6.685) = 7: every person in hamlet X must be insured (7 / 7 = 100 %).
    Hamlet Y has nobody: it gets the parent's rate, or its floor when that is higher."""
    units = [UnitFigures("X", 7, 5, D("80.00")), UnitFigures("Y", 0, 0, None), UnitFigures("Z", 0, 0, D("97.00"))]
    assert cascade(D("95.5"), units, {}) == {"X": D("100.00"), "Y": D("95.5"), "Z": D("97.00")}
    # Σ 3 at 50 % → 2 people; floors 0; by uninsured 2 : 1 → quotas 1.33, 0.67 → P 1, Q 1 (largest
    # remainder .67 to Q) → 1/2 = 50.00 %, 1/1 = 100.00 %.
    pair = [UnitFigures("P", 2, 0, None), UnitFigures("Q", 1, 0, None)]
    assert cascade(D("50"), pair, {}) == {"P": D("50.00"), "Q": D("100.00")}


def test_cascade_low_overrides_leave_a_visible_shortfall():
    """Parent 100 % of 200 people; the override keeps A at 0 %: B can give at most its 100 people."""
    units = [UnitFigures("A", 100, 0, None), UnitFigures("B", 100, 0, None)]
    rates = cascade(D("100"), units, {"A": D("0")})
    assert rates == {"A": D("0"), "B": D("100.00")}
    assert sum(target_count(rates[u.code], u.population) for u in units) == 100


def test_cascade_refuses_bad_input():
    units = [UnitFigures("A", 100, 0, None)]
    with pytest.raises(TargetError, match="từ 0 đến 100"):
        cascade(D("101"), units, {})
    with pytest.raises(TargetError, match="'Z' không thuộc"):
        cascade(D("95"), units, {"Z": D("95")})
    with pytest.raises(TargetError, match="không được âm"):
        cascade(D("95"), [UnitFigures("A", -1, 0, None)], {})


@st.composite
def cascades(draw):
    size = draw(st.integers(1, 6))
    units = []
    for index in range(size):
        population = draw(st.integers(0, 5_000))
        insured = draw(st.integers(0, population))
        last = draw(st.none() | st.integers(0, 10_000).map(lambda cents: Decimal(cents).scaleb(-2)))
        units.append(UnitFigures(f"U{index:02d}", population, insured, last))
    overridden = draw(st.lists(st.sampled_from([u.code for u in units]), unique=True, max_size=size))
    overrides = {code: Decimal(draw(st.integers(0, 10_000))).scaleb(-2) for code in overridden}
    parent = Decimal(draw(st.integers(0, 10_000))).scaleb(-2)
    return parent, units, overrides


@settings(max_examples=300, deadline=None)
@given(cascades())
def test_cascade_properties(case):
    parent, units, overrides = case
    rates = cascade(parent, units, overrides)
    assert list(rates) == [u.code for u in units]
    for unit in units:
        if unit.code in overrides:
            assert rates[unit.code] == overrides[unit.code]
        else:
            assert rates[unit.code] >= (unit.last_year_pct or 0)
            assert rates[unit.code] <= 100
    required = target_count(parent, sum(u.population for u in units))
    reachable = sum(
        target_count(overrides[u.code], u.population) if u.code in overrides else u.population for u in units
    )
    if reachable >= required:
        assert sum(target_count(rates[u.code], u.population) for u in units) >= required


@settings(max_examples=200, deadline=None)
@given(cascades(), st.integers(1, 5_000), st.integers(0, 10_000), st.data())
def test_cascade_is_monotone_in_uninsured_people(case, population, last_cents, data):
    """Two units alike but for their insured count: the one with more uninsured people is never asked
    for a lower rate."""
    parent, others, overrides = case
    fewer = data.draw(st.integers(0, population - 1))
    more = data.draw(st.integers(fewer + 1, population))
    last = Decimal(last_cents).scaleb(-2)
    units = [*others, UnitFigures("Y1", population, fewer, last), UnitFigures("Y2", population, more, last)]
    rates = cascade(parent, units, overrides)
    assert rates["Y1"] >= rates["Y2"]


def test_target_groups_table():
    assert list(TARGET_GROUPS) == [
        "tre_em_duoi_6", "hoc_sinh_sinh_vien", "ngheo", "can_ngheo", "nong_lam_ngu_diem_nghiep_tb",
    ]
    children = target_group("tre_em_duoi_6")
    assert (children.eligible, children.min_age, children.max_age) == ("age", 0, 5)
    pupils = target_group("hoc_sinh_sinh_vien")
    assert (pupils.eligible, pupils.min_age, pupils.max_age, pupils.participant_codes) == (
        "age_or_card", 6, 17, ("HS", "SV"))
    assert target_group("can_ngheo").classification == "can_ngheo"
    assert all(group.default_target_pct == 100 for group in TARGET_GROUPS.values())
    assert all(group.name_vi and group.name_en for group in TARGET_GROUPS.values())
    assert (pupils.name_vi, pupils.name_en) == ("Học sinh, sinh viên", "Pupils and students")
    with pytest.raises(UnknownTargetGroup, match="'hoc_sinh'"):
        target_group("hoc_sinh")
