from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bhyt.domain.contributions import (
    Quote,
    SupportRule,
    base_salary,
    contribution_rate,
    household_contributions,
    household_quotes,
    member_quote,
    monthly_full_contribution,
    province_top_ups,
    state_support_share,
)
from bhyt.domain.legal_data import LegalDataError
from bhyt.domain.participants import UnknownParticipantCode

NEW_BASE = date(2026, 7, 1)
OLD_BASE = date(2026, 6, 30)


def amounts(*values: int) -> list[Decimal]:
    return [Decimal(value) for value in values]


@pytest.mark.parametrize(
    ("on", "salary"),
    [
        (date(2019, 7, 1), 1_490_000),
        (date(2023, 6, 30), 1_490_000),
        (date(2023, 7, 1), 1_800_000),
        (date(2024, 7, 1), 2_340_000),
        (OLD_BASE, 2_340_000),
        (NEW_BASE, 2_530_000),
        (date(2030, 1, 1), 2_530_000),
    ],
)
def test_base_salary_history(on, salary):
    assert base_salary(on) == Decimal(salary)


def test_base_salary_before_the_table():
    with pytest.raises(LegalDataError) as error:
        base_salary(date(2019, 6, 30))
    assert str(error.value) == "Không có quy định về lương cơ sở có hiệu lực vào ngày 30/06/2019."


def test_rate_and_monthly_amount():
    assert contribution_rate(date(2020, 1, 1)) == contribution_rate(NEW_BASE) == Decimal("0.045")
    assert monthly_full_contribution(NEW_BASE) == Decimal(113_850)
    assert monthly_full_contribution(OLD_BASE) == Decimal(105_300)


def test_household_of_five_under_the_2026_base():
    assert household_contributions(NEW_BASE, 5) == amounts(1_366_200, 956_340, 819_720, 683_100, 546_480)


def test_household_of_five_under_the_2024_base():
    assert household_contributions(OLD_BASE, 5) == amounts(1_263_600, 884_520, 758_160, 631_800, 505_440)


def test_sixth_member_pays_like_the_fifth():
    assert household_contributions(NEW_BASE, 7)[4:] == amounts(546_480, 546_480, 546_480)


def test_shorter_payment_periods():
    assert household_contributions(NEW_BASE, 2, months=3) == amounts(341_550, 239_085)
    assert household_contributions(NEW_BASE, 1, months=6) == amounts(683_100)


def test_earlier_base_salaries():
    # 1,490,000 × 4.5 % = 67,050 a month.
    assert household_contributions(date(2020, 1, 1), 3, months=3) == amounts(201_150, 140_805, 120_690)
    # 1,800,000 × 4.5 % × 12 = 972,000.
    assert household_contributions(date(2024, 1, 1), 3) == amounts(972_000, 680_400, 583_200)


def test_rounding_is_half_up_to_whole_dong():
    # 3 months in 2026: full 341,550; a 33 % top-up is 112,711.5 đồng, rounded up to 112,712.
    rules = [SupportRule("52", "GB", Decimal("0.33"), date(2026, 1, 1), None, "giả định")]
    quote = member_quote(NEW_BASE, "GB", months=3, province_code="52", top_up_rules=rules)
    assert quote == Quote(*amounts(341_550, 102_465, 112_712, 126_373))


@pytest.mark.parametrize("months", [0, 1, 5, 24])
def test_payment_period_must_be_3_6_or_12(months):
    with pytest.raises(ValueError) as error:
        household_contributions(NEW_BASE, 1, months=months)
    assert str(error.value) == f"Số tháng đóng phải là 3, 6 hoặc 12 (nhận được {months})."


def test_household_size_must_be_positive():
    with pytest.raises(ValueError) as error:
        household_contributions(NEW_BASE, 0)
    assert str(error.value) == "Số thành viên hộ gia đình phải từ 1 trở lên (nhận được 0)."
    with pytest.raises(ValueError, match="^Số thành viên hộ gia đình phải từ 1 trở lên"):
        household_quotes(NEW_BASE, 0)


@given(
    on=st.dates(date(2019, 7, 1), date(2035, 12, 31)),
    size=st.integers(1, 12),
    months=st.sampled_from([3, 6, 12]),
)
def test_ladder_properties(on, size, months):
    members = household_contributions(on, size, months)
    assert len(members) == size
    assert all(earlier >= later for earlier, later in zip(members, members[1:]))
    assert members[0] == (monthly_full_contribution(on) * months).quantize(Decimal(1))
    assert household_contributions(on, size + 1, months)[:size] == members
    quotes = household_quotes(on, size, months=months)
    assert sum(q.payable for q in quotes) == sum(members)
    assert all(q.payable == q.full and q.state_support == q.province_support == 0 for q in quotes)


def test_state_support_minimums():
    assert state_support_share("CN", NEW_BASE) == Decimal("0.70")
    assert state_support_share("CN", NEW_BASE, poor_commune=True) == Decimal("1.00")
    assert state_support_share("hs", NEW_BASE) == state_support_share("SV", NEW_BASE) == Decimal("0.50")
    assert state_support_share("GB", NEW_BASE) == Decimal("0.30")
    assert state_support_share("GD", NEW_BASE) == state_support_share("TE", NEW_BASE) == Decimal(0)


def test_state_support_under_decree_146():
    before = date(2025, 6, 30)
    assert state_support_share("HS", before) == state_support_share("SV", before) == Decimal("0.30")
    assert state_support_share("CN", before) == Decimal("0.70")
    # No poor-commune row before Decree 188: the general minimum applies.
    assert state_support_share("CN", before, poor_commune=True) == Decimal("0.70")
    assert state_support_share("GB", before, poor_commune=True) == Decimal("0.30")


def test_state_support_without_data_for_the_date():
    with pytest.raises(LegalDataError) as error:
        state_support_share("HS", date(2018, 11, 30))
    assert str(error.value) == (
        "Không có quy định về mức hỗ trợ đóng cho đối tượng HS có hiệu lực vào ngày 30/11/2018."
    )


def test_pupil_pays_half():
    assert member_quote(NEW_BASE, "HS") == Quote(*amounts(1_366_200, 683_100, 0, 683_100))
    assert member_quote(OLD_BASE, "SV").payable == Decimal(631_800)


def test_near_poor_nationally_and_in_dong_thap():
    assert member_quote(NEW_BASE, "CN") == Quote(*amounts(1_366_200, 956_340, 0, 409_860))
    in_dong_thap = member_quote(NEW_BASE, "CN", province_code="82")
    assert in_dong_thap == Quote(*amounts(1_366_200, 956_340, 273_240, 136_620))
    assert member_quote(NEW_BASE, "HS", province_code="82").province_support == 0
    assert member_quote(NEW_BASE, "CN", province_code="01").payable == Decimal(409_860)


def test_near_poor_in_a_poor_commune_pays_nothing_and_top_up_is_capped():
    quote = member_quote(NEW_BASE, "CN", province_code="82", poor_commune=True)
    assert quote == Quote(*amounts(1_366_200, 1_366_200, 0, 0))


def test_top_ups_never_push_payable_below_zero():
    rules = [SupportRule("66", "GB", Decimal("0.90"), date(2025, 1, 1), None, "giả định")]
    quote = member_quote(NEW_BASE, "GB", province_code="66", top_up_rules=rules)
    assert quote == Quote(*amounts(1_366_200, 409_860, 956_340, 0))


def test_province_top_ups_from_the_table():
    assert province_top_ups("82", NEW_BASE) == {"CN": Decimal("0.20")}
    assert province_top_ups("82", date(2023, 12, 31)) == {}
    assert province_top_ups("01", NEW_BASE) == {}


def test_province_top_ups_with_given_rules():
    rules = [
        SupportRule("66", "CN", Decimal("0.30"), date(2025, 1, 1), date(2025, 12, 31), "giả định"),
        SupportRule("66", "HS", Decimal("0.05"), date(2025, 1, 1), None, "giả định"),
        SupportRule("01", "HS", Decimal("0.10"), date(2025, 1, 1), None, "giả định"),
    ]
    assert province_top_ups("66", date(2025, 12, 31), rules) == {"CN": Decimal("0.30"), "HS": Decimal("0.05")}
    assert province_top_ups("66", date(2026, 1, 1), rules) == {"HS": Decimal("0.05")}


def test_overlapping_top_ups_are_refused():
    rules = [
        SupportRule("66", "CN", Decimal("0.30"), date(2025, 1, 1), None, "a"),
        SupportRule("66", "CN", Decimal("0.10"), date(2025, 6, 1), None, "b"),
    ]
    with pytest.raises(LegalDataError) as error:
        province_top_ups("66", date(2025, 7, 1), rules)
    assert str(error.value) == (
        "Tỉnh 66 có hai mức hỗ trợ thêm cho đối tượng CN cùng có hiệu lực vào ngày 01/07/2025."
    )


def test_groups_paid_by_others():
    assert member_quote(NEW_BASE, "TE") == Quote(*amounts(1_366_200, 1_366_200, 0, 0))
    for code in ("DN", "HT"):
        quote = member_quote(NEW_BASE, code, position=3)
        assert quote == Quote(*amounts(1_366_200, 0, 0, 0))
        assert quote.paid_by_others == Decimal(1_366_200)


def test_ladder_only_for_household_members():
    assert [q.payable for q in household_quotes(NEW_BASE, 3, "HS")] == amounts(683_100, 683_100, 683_100)
    assert [q.payable for q in household_quotes(NEW_BASE, 2, months=6)] == amounts(683_100, 478_170)


def test_member_quote_errors():
    with pytest.raises(ValueError) as error:
        member_quote(NEW_BASE, position=0)
    assert str(error.value) == "Thứ tự thành viên trong hộ phải từ 1 trở lên (nhận được 0)."
    with pytest.raises(UnknownParticipantCode):
        member_quote(NEW_BASE, "XX")
    with pytest.raises(ValueError, match=r"^Số tháng đóng phải là 3, 6 hoặc 12 \(nhận được 2\).$"):
        member_quote(NEW_BASE, "HS", months=2)


@given(
    on=st.dates(date(2019, 7, 1), date(2035, 12, 31)),
    code=st.sampled_from(["CN", "HS", "SV", "GB"]),
    poor_commune=st.booleans(),
    top_up=st.decimals(0, 1, places=2),
)
def test_group_4_quotes_add_up(on, code, poor_commune, top_up):
    rules = [SupportRule("52", code, top_up, date(2019, 1, 1), None, "giả định")]
    quote = member_quote(on, code, province_code="52", poor_commune=poor_commune, top_up_rules=rules)
    assert quote.payable >= 0
    assert quote.paid_by_others == 0
    assert quote.state_support + quote.province_support + quote.payable == quote.full
