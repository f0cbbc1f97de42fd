"""Forecasts of a commune and its hamlets, worked by hand from small registries.

Phường Đồng Thuận (18859) as of D = 31/10/2026, grace 30 days: renewals observed on expiries from
01/10/2025 to 30/09/2026; enrolment over the months opening 31/10/2025, 30/11, 31/12, 31/01/2026,
28/02, 31/03, 30/04, 31/05, 30/06, 31/07, 31/08, 30/09 (each closing a month later).

person  hamlet  cards (code, from → to)                                    expiry in window   insured on D until
A1      Tổ 1    GD 2024-11-01 → 2025-10-31 → 2026-10-31 → 2027-10-31         31/10/2025 renewed 31/10/2027 (Nov 2027)
A2      Tổ 1    GD 2025-01-01 → 2025-12-31, GD 2026-01-01 → 2026-12-31       31/12/2025 renewed 31/12/2026 (Jan 2027)
A3      Tổ 1    GD 2025-01-01 → 2025-12-31                                   31/12/2025 not     —
A4      Tổ 1    GD 2025-06-01 → 2026-05-31, GD 2026-06-01 → 2026-11-30       31/05/2026 renewed 30/11/2026 (Dec 2026)
A5      Tổ 1    GD 2025-12-01 → 2026-11-30                                   —                  30/11/2026 (Dec 2026)
A6      Tổ 1    none                                                         —                  —
B1      Tổ 2    HN 2026-01-01 → 2026-12-31                                   —                  31/12/2026 (Jan 2027)
B2      Tổ 2    none                                                         —                  —
B3      Tổ 2    GD 2026-01-01 → 2026-11-15                                   —                  15/11/2026 (Nov 2026)

Renewals: Tổ 1 GD 3 of 4 (A1 A2 A4; A3 not), all codes 3 of 4; Tổ 2 none; commune and province
the same as Tổ 1. No HN expiry anywhere: HN is assumed renewed (100 %).
Enrolment (uninsured month starts → insured at the month's end):
  Tổ 1: A3 from 31/01/2026 (on 31/12/2025 still covered) 9, A6 12, A5 on 31/10 and 30/11/2025 2,
        joining by 31/12/2025 → 1 of 23.
  Tổ 2: B1 3 (31/10, 30/11, 31/12/2025) joining by 31/01/2026, B2 12, B3 3 joining → 2 of 18.
  Commune: 3 of 41.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from fractions import Fraction

import pytest

from bhyt.analytics.coverage import UnknownUnit
from bhyt.analytics.engine import analytics
from bhyt.analytics.forecast import forecast
from bhyt.domain.forecast import ASSUMED, PROVINCE, UNIT
from tests.analytics.shared import shared_engine
from tests.analytics.test_renewals import DONG_SON, DONG_THUAN, build_registry, lives
from tests.conftest import DATABASES

D = date(2026, 10, 31)

RESIDENCES = [
    *(lives(name, DONG_THUAN) for name in ("A1", "A2", "A3", "A4", "A5", "A6")),
    *(lives(name, DONG_THUAN, "Tổ 2") for name in ("B1", "B2", "B3")),
]
CARDS = [
    ("A1", "GD", "2024-11-01", "2025-10-31"), ("A1", "GD", "2025-11-01", "2026-10-31"),
    ("A1", "GD", "2026-11-01", "2027-10-31"),
    ("A2", "GD", "2025-01-01", "2025-12-31"), ("A2", "GD", "2026-01-01", "2026-12-31"),
    ("A3", "GD", "2025-01-01", "2025-12-31"),
    ("A4", "GD", "2025-06-01", "2026-05-31"), ("A4", "GD", "2026-06-01", "2026-11-30"),
    ("A5", "GD", "2025-12-01", "2026-11-30"),
    ("B1", "HN", "2026-01-01", "2026-12-31"),
    ("B3", "GD", "2026-01-01", "2026-11-15"),
]


@pytest.fixture(scope="module", params=DATABASES)
def registry(request, tmp_path_factory):
    with shared_engine(request.param, "forecast", tmp_path_factory) as engine:
        build_registry(engine, RESIDENCES, CARDS)
        yield engine


def summary(unit_forecast, year):
    end = unit_forecast.projection.year_end(year)
    return unit_forecast.unit_code, unit_forecast.now.population, end.insured, end.insured_count, end.coverage_pct


def test_commune_and_hamlets_to_the_year_end(registry):
    with analytics(registry) as con:
        result = forecast(con, DONG_THUAN, 2026, D, min_observed=1)
    # Commune: 9 people, 6 insured (A1 A2 A4 A5 B1 B3); GD renews 3/4, HN 1, 3/41 of the uninsured join.
    #   Nov: join 3/41 × 3 = 9/41; B3 lapses, 1/4 lost → 6 + 9/41 − 1/4 = 979/164
    #   Dec: join 3/41 × (9 − 979/164) = 1491/6724; A4 A5 lapse, 1/2 lost → 9567/1681 ≈ 5.6913
    #   → 6 people, 63.24 %
    assert summary(result.unit, 2026) == (DONG_THUAN, 9, Fraction(9567, 1681), 6, Decimal("63.24"))
    tổ_1, tổ_2 = result.children
    # Tổ 1: 6 people, 4 insured; GD 3/4, joins 1/23.
    #   Nov: join 2/23 → 94/23;  Dec: join 1/23 × 44/23 = 44/529, A4 A5 lose 1/2 → 3883/1058 ≈ 3.6701
    assert summary(tổ_1, 2026) == (f"{DONG_THUAN}-001", 6, Fraction(3883, 1058), 4, Decimal("61.17"))
    # Tổ 2: 3 people, 2 insured; no GD expiry of its own: the province's 3/4; joins 2/18 = 1/9 (its own).
    #   Nov: join 1/9, B3 loses 1/4 → 67/36;  Dec: join 1/9 × 41/36 = 41/324 → 161/81 ≈ 1.9877
    assert summary(tổ_2, 2026) == (f"{DONG_THUAN}-002", 3, Fraction(161, 81), 2, Decimal("66.26"))
    stated = tổ_2.projection.assumptions
    assert (stated.renewal["GD"].source, stated.renewal["GD"].rate) == (PROVINCE, Fraction(3, 4))
    assert (stated.renewal["HN"].source, stated.renewal["HN"].rate) == (ASSUMED, Fraction(1))
    assert (stated.enrolment.source, stated.enrolment.successes, stated.enrolment.trials) == (UNIT, 2, 18)
    assert stated.renewal_window == (date(2025, 10, 1), date(2026, 9, 30))


def test_too_few_observations_use_the_province(registry):
    with analytics(registry) as con:
        result = forecast(con, DONG_THUAN, 2026, D)
    # With the default minimum of 30, every rate is the province's: the commune's own here.
    stated = result.children[0].projection.assumptions
    assert (stated.renewal["GD"].source, stated.renewal["GD"].rate) == (PROVINCE, Fraction(3, 4))
    assert (stated.enrolment.source, stated.enrolment.rate) == (PROVINCE, Fraction(3, 41))


# Đồng Sơn, Khu phố 3, as of D: C1 HN renewed on time (HN 1 of 1); C3 GD renewed after 19 days,
# C4 GD never (GD 1 of 2). Nobody uninsured ever joins: C4 uninsured from 31/03/2026 (on 31/03 its
# card's end, 28/02, is more than 30 days back) to 30/09, 7 month starts, 0 joins.
STEADY_RESIDENCES = [lives(name, DONG_SON, "Khu phố 3") for name in ("C1", "C3", "C4")]
STEADY_CARDS = [
    ("C1", "HN", "2025-01-01", "2025-12-31"), ("C1", "HN", "2026-01-01", "2026-12-31"),
    ("C3", "GD", "2025-03-01", "2026-02-28"), ("C3", "GD", "2026-03-20", "2027-03-19"),
    ("C4", "GD", "2025-03-01", "2026-02-28"),
]


@pytest.fixture(scope="module", params=DATABASES)
def steady(request, tmp_path_factory):
    with shared_engine(request.param, "steady", tmp_path_factory) as engine:
        build_registry(engine, STEADY_RESIDENCES, STEADY_CARDS)
        yield engine


def test_projection_to_2030(steady):
    with analytics(steady) as con:
        result = forecast(con, DONG_SON, 2027, D)
    # 3 people; C1 renews every January (HN 1), C3 every March at GD 1/2:
    # end 2026: 2 (66.67 %); 2027: 1 + 1/2 = 1.5 → 2 people (half up), 50.00 %; 2028: 1.25; 2029: 1.125;
    # 2030: 1 + 1/16 = 1.0625 → 1 person, 35.42 %.
    assert summary(result.unit, 2026) == (DONG_SON, 3, Fraction(2), 2, Decimal("66.67"))
    assert summary(result.unit, 2027) == (DONG_SON, 3, Fraction(3, 2), 2, Decimal("50.00"))
    assert summary(result.unit, 2030) == (DONG_SON, 3, Fraction(17, 16), 1, Decimal("35.42"))
    assert [child.unit_code for child in result.children] == [f"{DONG_SON}-001"]
    assert summary(result.children[0], 2030) == (f"{DONG_SON}-001", 3, Fraction(17, 16), 1, Decimal("35.42"))
    assert result.horizon_year == 2030
    lines = result.unit.projection.assumptions.lines()
    assert "  GD: 50.00 % (1/2 lượt hết hạn, quan sát ở cả tỉnh)" in lines
    assert "  HN: 100.00 % (1/1 lượt hết hạn, quan sát ở cả tỉnh)" in lines


def test_refusals(steady):
    with analytics(steady) as con:
        with pytest.raises(ValueError, match="Năm dự báo 2025 đã qua"):
            forecast(con, DONG_SON, 2025, D)
        with pytest.raises(UnknownUnit):
            forecast(con, "99999", 2026, D)
