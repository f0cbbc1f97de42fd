from datetime import date

import pytest

from bhyt.domain.report_periods import InvalidPeriod, PeriodKind, previous_as_of, report_period


@pytest.mark.parametrize(
    ("kind", "number", "start", "end", "name"),
    [
        ("month", 11, date(2026, 11, 1), date(2026, 11, 30), "Tháng 11 năm 2026"),
        ("month", 2, date(2026, 2, 1), date(2026, 2, 28), "Tháng 2 năm 2026"),
        ("quarter", 4, date(2026, 10, 1), date(2026, 12, 31), "Quý IV năm 2026"),
        ("quarter", 2, date(2026, 4, 1), date(2026, 6, 30), "Quý II năm 2026"),
        ("half-year", 1, date(2026, 1, 1), date(2026, 6, 30), "6 tháng đầu năm 2026"),
        ("half-year", 2, date(2026, 7, 1), date(2026, 12, 31), "6 tháng cuối năm 2026"),
        ("year", None, date(2026, 1, 1), date(2026, 12, 31), "Năm 2026"),
    ],
)
def test_period_bounds_and_names(kind, number, start, end, name):
    period = report_period(kind, 2026, number)
    assert (period.start, period.end, period.name) == (start, end, name)


def test_leap_february_ends_on_the_29th():
    assert report_period("month", 2028, 2).end == date(2028, 2, 29)


@pytest.mark.parametrize(
    ("kind", "number", "previous"),
    [
        ("month", 1, (2025, 12)),
        ("month", 11, (2026, 10)),
        ("quarter", 1, (2025, 4)),
        ("half-year", 1, (2025, 2)),
        ("half-year", 2, (2026, 1)),
        ("year", None, (2025, 1)),
    ],
)
def test_previous_period_crosses_the_year(kind, number, previous):
    period = report_period(kind, 2026, number).previous()
    assert (period.kind, period.year, period.number) == (PeriodKind(kind), *previous)


def test_previous_as_of_at_the_period_end_is_the_previous_end():
    assert previous_as_of(report_period("half-year", 2026, 1), date(2026, 6, 30)) == date(2025, 12, 31)
    assert previous_as_of(report_period("month", 2026, 3), date(2026, 3, 31)) == date(2026, 2, 28)


def test_previous_as_of_at_an_early_cut_off_keeps_the_day():
    # 6-month report due before 20 May, cut off at 15 May: compare with 15 November.
    assert previous_as_of(report_period("half-year", 2026, 1), date(2026, 5, 15)) == date(2025, 11, 15)
    # Annual report cut off at 15 November: the previous annual report's 15 November.
    assert previous_as_of(report_period("year", 2026), date(2026, 11, 15)) == date(2025, 11, 15)
    # 30 May one quarter back is 28 February (short month).
    assert previous_as_of(report_period("quarter", 2026, 2), date(2026, 5, 30)) == date(2026, 2, 28)


@pytest.mark.parametrize(
    ("kind", "number", "message"),
    [
        ("month", 13, "Số tháng phải từ 1 đến 12, không phải 13."),
        ("quarter", 0, "Số quý phải từ 1 đến 4, không phải 0."),
        ("half-year", 3, "Số kỳ 6 tháng phải từ 1 đến 2, không phải 3."),
        ("month", None, "Hãy cho biết tháng nào (--period từ 1 đến 12)."),
        ("year", 2, "Báo cáo năm không có số kỳ (bỏ --period)."),
        ("week", 1, "Loại kỳ báo cáo 'week' không hợp lệ; chọn một trong: month, quarter, half-year, year."),
    ],
)
def test_bad_periods_are_refused_in_vietnamese(kind, number, message):
    with pytest.raises(InvalidPeriod) as error:
        report_period(kind, 2026, number)
    assert str(error.value) == message
