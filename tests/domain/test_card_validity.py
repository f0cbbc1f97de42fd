from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bhyt.domain.card_validity import add_months, card_period, card_start
from bhyt.domain.participants import UnknownParticipantCode

ONE_DAY = timedelta(days=1)


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2028, 1, 31), 1, date(2028, 2, 29)),
        (date(2028, 2, 29), 12, date(2029, 2, 28)),
        (date(2026, 11, 30), 3, date(2027, 2, 28)),
        (date(2026, 12, 15), 1, date(2027, 1, 15)),
        (date(2026, 3, 31), -1, date(2026, 2, 28)),
        (date(2026, 5, 10), 0, date(2026, 5, 10)),
    ],
)
def test_add_months_clamps_to_month_end(day, months, expected):
    assert add_months(day, months) == expected


def test_first_card_waits_30_days():
    assert card_start(date(2026, 3, 1), None) == date(2026, 3, 31)
    assert card_period(date(2026, 3, 1), 12) == (date(2026, 3, 31), date(2027, 3, 30))


def test_renewal_before_expiry_continues_the_old_card():
    assert card_period(date(2026, 3, 1), 12, date(2026, 3, 31)) == (date(2026, 4, 1), date(2027, 3, 31))


def test_renewal_paid_on_the_last_day_is_continuous():
    assert card_start(date(2026, 3, 31), date(2026, 3, 31)) == date(2026, 4, 1)


def test_renewal_paid_the_day_after_runs_from_payment():
    assert card_start(date(2026, 4, 1), date(2026, 3, 31)) == date(2026, 4, 1)


def test_renewal_within_three_months_runs_from_payment():
    # Uncovered 01/04–29/06: less than three months.
    assert card_start(date(2026, 6, 30), date(2026, 3, 31)) == date(2026, 6, 30)


def test_break_of_exactly_three_months_waits_30_days():
    # Uncovered 01/04–30/06: exactly three months.
    assert card_start(date(2026, 7, 1), date(2026, 3, 31)) == date(2026, 7, 31)
    # A card ending mid-month: uncovered 16/01–15/04.
    assert card_start(date(2026, 4, 15), date(2026, 1, 15)) == date(2026, 4, 15)
    assert card_start(date(2026, 4, 16), date(2026, 1, 15)) == date(2026, 5, 16)


def test_leap_day():
    # Card ending 29/02/2028: uncovered from 01/03, three months reached on 01/06.
    assert card_start(date(2028, 5, 31), date(2028, 2, 29)) == date(2028, 5, 31)
    assert card_start(date(2028, 6, 1), date(2028, 2, 29)) == date(2028, 7, 1)
    # Paid on 29/02 for the first time; a card starting on 29/02 runs to 27/02 of the next year
    # (29/02 + 12 months is clamped to 28/02, less a day).
    assert card_period(date(2028, 1, 30), 12) == (date(2028, 2, 29), date(2029, 2, 27))
    assert card_period(date(2028, 2, 28), 12, date(2028, 2, 28)) == (date(2028, 2, 29), date(2029, 2, 27))


def test_month_end_start():
    assert card_period(date(2026, 1, 1), 3, date(2026, 1, 30)) == (date(2026, 1, 31), date(2026, 4, 29))


@pytest.mark.parametrize("code", ["DN", "HT", "TE", "CN", "hs"])
def test_groups_1_to_4_run_from_payment(code):
    assert card_start(date(2026, 3, 1), None, code) == date(2026, 3, 1)
    assert card_start(date(2026, 3, 1), date(2026, 6, 30), code) == date(2026, 3, 1)


def test_card_period_errors():
    with pytest.raises(ValueError) as error:
        card_period(date(2026, 3, 1), 0)
    assert str(error.value) == "Thời hạn thẻ phải từ 1 tháng trở lên (nhận được 0)."
    with pytest.raises(UnknownParticipantCode):
        card_start(date(2026, 3, 1), None, "ZZ")


@given(
    payment=st.dates(date(2016, 1, 1), date(2040, 12, 31)),
    previous=st.one_of(st.none(), st.dates(date(2015, 1, 1), date(2041, 12, 31))),
    months=st.sampled_from([3, 6, 12]),
)
def test_period_properties(payment, previous, months):
    start, end = card_period(payment, months, previous)
    if previous is not None and payment <= previous:
        assert start == previous + ONE_DAY
    else:
        assert start in (payment, payment + timedelta(days=30))
    assert end == add_months(start, months) - ONE_DAY
    # Paying a day later never makes the card start earlier.
    assert card_start(payment + ONE_DAY, previous) >= start
