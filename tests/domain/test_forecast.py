"""The month-by-month projection against examples worked by hand."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from fractions import Fraction

import pytest

from bhyt.domain.forecast import (
    ASSUMED,
    PROVINCE,
    UNIT,
    Assumptions,
    ObservedRate,
    StartingState,
    lapse_month,
    month_ends_after,
    project,
)
from bhyt.domain.rates import percent, round_half_up

AS_OF = date(2026, 10, 15)


def assumptions(renewal, enrolment=Fraction(0), enrollee=Fraction(1), population=10, as_of=AS_OF):
    return Assumptions(
        as_of=as_of,
        population=population,
        renewal={code: ObservedRate(rate) for code, rate in renewal.items()},
        enrollee_renewal=ObservedRate(enrollee),
        enrolment=ObservedRate(enrolment),
        grace_days=30,
        renewal_window=(date(2025, 9, 15), date(2026, 9, 14)),
        enrolment_window=(date(2025, 10, 15), AS_OF),
        min_observed=20,
    )


def test_lapse_month_is_the_month_of_the_first_day_without_a_card():
    assert lapse_month(date(2026, 10, 30)) == date(2026, 10, 31)
    assert lapse_month(date(2026, 10, 31)) == date(2026, 11, 30)


def test_month_ends_after_a_mid_month_day_and_after_a_month_end():
    assert month_ends_after(date(2026, 10, 15), date(2026, 12, 31)) == [
        date(2026, 10, 31), date(2026, 11, 30), date(2026, 12, 31)]
    assert month_ends_after(date(2026, 10, 31), date(2026, 12, 31)) == [date(2026, 11, 30), date(2026, 12, 31)]


def test_round_half_up_is_exact():
    assert round_half_up(Fraction(5, 2)) == Decimal(3)
    assert round_half_up(Fraction(12345, 1000), 2) == Decimal("12.35")  # 12.345 as a float rounds down
    assert round_half_up(Fraction(-1, 8), 2) == Decimal("-0.13")  # away from zero, as Decimal's ROUND_HALF_UP
    assert percent(1, 8) == Decimal("12.50")
    assert percent(Fraction(2, 3), 1) == Decimal("66.67")
    assert percent(3, 0) is None


def test_lapses_renewals_and_enrolment_to_year_end():
    # Population 10 on 15/10/2026; 8 insured: GD 4 run out in October and 2 in June 2027, HN 2 in
    # November. GD renews 1/2, HN always; 1/10 of the uninsured join each month.
    state = StartingState(AS_OF, 10, {
        ("GD", date(2026, 10, 31)): 4, ("GD", date(2027, 6, 30)): 2, ("HN", date(2026, 11, 30)): 2})
    result = project(state, assumptions({"GD": Fraction(1, 2), "HN": Fraction(1)}, Fraction(1, 10)),
                     date(2026, 12, 31))
    # 31/10: join 1/10 × 2 = 0.2; GD 4 lapse, 2 renew → 8 + 0.2 − 2 = 6.2
    # 30/11: join 1/10 × 3.8 = 0.38; HN 2 lapse and renew → 6.58
    # 31/12: join 1/10 × 3.42 = 0.342 → 6.922
    assert [month.insured for month in result.months] == [
        Fraction(8), Fraction(31, 5), Fraction(329, 50), Fraction(3461, 500)]
    year_end = result.year_end(2026)
    assert (year_end.insured_count, year_end.coverage_pct) == (7, Decimal("69.22"))


def test_renewed_cards_come_up_again_twelve_months_later():
    # Same 8 insured, nobody joins. GD renews 1/2, HN always.
    state = StartingState(AS_OF, 10, {
        ("GD", date(2026, 10, 31)): 4, ("GD", date(2027, 6, 30)): 2, ("HN", date(2026, 11, 30)): 2})
    result = project(state, assumptions({"GD": Fraction(1, 2), "HN": Fraction(1)}), date(2030, 12, 31))
    # 2026: Oct GD 4 → 2 renew: 6.
    # 2027: Jun GD 2 → 1: 5; Oct the 2 renewed → 1: 4; Nov HN renew: 4.
    # 2028: Jun 1 → 1/2: 3.5; Oct 1 → 1/2: 3.   2029: 3 − 1/4 − 1/4 = 2.5.   2030: 2.5 − 1/8 − 1/8 = 2.25.
    expected = {2026: (6, "60.00"), 2027: (4, "40.00"), 2028: (3, "30.00"), 2029: (3, "25.00"), 2030: (2, "22.50")}
    for year, (count, pct) in expected.items():
        month = result.year_end(year)
        assert (month.insured_count, month.coverage_pct) == (count, Decimal(pct)), year
    assert result.on(date(2028, 6, 30)).insured == Fraction(7, 2)
    assert len(result.months) == 1 + 3 + 48  # 15/10/2026, Oct–Dec 2026, then 4 years of month ends


def test_enrollees_renew_at_their_own_rate():
    # Nobody insured among 10 on 30/09/2026; 1/10 of the uninsured join monthly, enrollees renew 1/2.
    as_of = date(2026, 9, 30)
    state = StartingState(as_of, 10, {})
    result = project(state, assumptions({}, Fraction(1, 10), Fraction(1, 2), as_of=as_of), date(2027, 10, 31))
    # Oct 1, Nov 1.9, Dec 2.71 (27.10 %, 3 people)
    assert (result.year_end(2026).insured_count, result.year_end(2026).coverage_pct) == (3, Decimal("27.10"))
    # Through Sep 2027 nobody lapses: insured = 10 × (1 − 0.9^12).
    september = result.on(date(2027, 9, 30)).insured
    assert september == 10 * (1 - Fraction(9, 10) ** 12)
    # Oct 2027: join 1/10 of the rest, and October 2026's 1 enrollee renews with 1/2.
    assert result.on(date(2027, 10, 31)).insured == september + (10 - september) / 10 - Fraction(1, 2)


def test_starting_on_31_december_reports_that_day():
    as_of = date(2026, 12, 31)
    state = StartingState(as_of, 4, {("GD", date(2027, 1, 31)): 3})
    result = project(state, assumptions({"GD": Fraction(0)}, as_of=as_of, population=4), date(2027, 12, 31))
    assert result.year_end(2026).coverage_pct == Decimal("75.00")
    assert result.year_end(2027).coverage_pct == Decimal("0.00")


def test_refusals():
    state = StartingState(AS_OF, 2, {("GD", date(2026, 10, 31)): 3})
    with pytest.raises(ValueError, match="lớn hơn dân số"):
        project(state, assumptions({"GD": Fraction(1)}), date(2026, 12, 31))
    state = StartingState(AS_OF, 10, {("GD", date(2026, 10, 31)): 3})
    with pytest.raises(ValueError, match="Thiếu tỷ lệ gia hạn cho mã đối tượng: GD"):
        project(state, assumptions({}), date(2026, 12, 31))
    with pytest.raises(ValueError, match="ngày cuối tháng"):
        project(state, assumptions({"GD": Fraction(1)}), date(2026, 12, 30))
    with pytest.raises(ValueError, match="không hợp lệ"):
        ObservedRate.observed(3, 2, UNIT)


def test_assumptions_are_stated_in_vietnamese():
    stated = Assumptions(
        as_of=AS_OF,
        population=1234,
        renewal={"HN": ObservedRate(Fraction(1)), "GD": ObservedRate.observed(5, 7, UNIT)},
        enrollee_renewal=ObservedRate.observed(30, 40, PROVINCE),
        enrolment=ObservedRate.observed(1, 50, UNIT),
        grace_days=30,
        renewal_window=(date(2025, 9, 15), date(2026, 9, 14)),
        enrolment_window=(date(2025, 10, 15), AS_OF),
        min_observed=20,
    ).lines()
    assert stated[0] == ("Dân số giữ nguyên 1,234 người (số cư dân ngày 15/10/2026): "
                         "không tính sinh, mất, chuyển đến, chuyển đi.")
    assert "từ 15/09/2025 đến 14/09/2026" in stated[2] and "trong vòng 30 ngày" in stated[2]
    assert stated[3] == "  GD: 71.43 % (5/7 lượt hết hạn, quan sát ở đơn vị)"
    assert stated[4] == "  HN: 100.00 % (chưa có số liệu, giả định)"
    assert stated[5].startswith("Tỷ lệ của đơn vị dựa trên ít hơn 20 lượt quan sát")
    assert "75.00 % (30/40 lượt hết hạn, quan sát ở cả tỉnh)" in stated[6]
    assert stated[7] == ("Mỗi tháng có 2.00 % (1/50 người-tháng chưa có thẻ, quan sát ở đơn vị) người chưa có thẻ "
                         "tham gia mới (quan sát từ 15/10/2025 đến 15/10/2026).")
    assert ObservedRate(Fraction(1)).source == ASSUMED
