from datetime import date

from bhyt.domain.age_bands import age_band, age_on
from bhyt.domain.series import month_ends


def test_age_counts_completed_years():
    assert age_on(date(2000, 5, 10), date(2006, 5, 9)) == 5
    assert age_on(date(2000, 5, 10), date(2006, 5, 10)) == 6
    # Born on 29 February: a year older on 1 March in a common year.
    assert age_on(date(2020, 2, 29), date(2021, 2, 28)) == 0
    assert age_on(date(2020, 2, 29), date(2021, 3, 1)) == 1


def test_band_edges():
    assert age_band(date(2020, 7, 1), date(2026, 6, 30)) == "0-5"
    assert age_band(date(2020, 7, 1), date(2026, 7, 1)) == "6-17"
    assert age_band(date(1951, 7, 1), date(2026, 7, 1)) == "75+"
    assert age_band(date(1951, 7, 2), date(2026, 7, 1)) == "60-74"


def test_month_ends_include_the_end_date():
    assert month_ends(date(2026, 1, 31), date(2026, 3, 15)) == [date(2026, 1, 31), date(2026, 2, 28), date(2026, 3, 15)]
    assert month_ends(date(2026, 1, 1), date(2026, 1, 31)) == [date(2026, 1, 31)]
    assert month_ends(date(2026, 1, 5), date(2026, 1, 20)) == [date(2026, 1, 20)]
