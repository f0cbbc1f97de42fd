"""Units at risk, worked by hand. As of D = 30/06/2026: a month ago is 30/05/2026, a year ago
30/06/2025; renewals are observed on expiries from 31/05/2025 to 30/05/2026 (grace 30 days).

Phường Đồng Hới (18880), target 70 % of its own — falls since last month:
  F1 F2 F3  HN 2025-01-01 → 2025-12-31 → 2026-12-31 (renewed on time)
  F4        GD 2024-06-01 → 2025-05-31, GD 2025-07-01 → 2026-06-15 (renewed after 30 days: in grace)
  now F1 F2 F3 of 4 = 75.00 %; 30/05: all 4 = 100.00 % (−25.00); 30/06/2025: F4 between cards,
  75.00 % (0.00). Nothing ends within 90 days. Year end: nobody lapses in 2026 and nobody joins
  (below) → 75.00 % ≥ 70.00 %. Flagged: fell since last month.
Phường Đồng Sơn (18871), no target: the province's 96 % — stable:
  P1 … P4   HN 2025-01-01 → 2025-12-31 → 2026-12-31. 100.00 % now, a month and a year ago, and at
  the year end. Not flagged.
Phường Đồng Thuận (18859), target a count of 4 people, over its 5 residents = 80.00 %:
  T1 T2     HN 2025-01-01 → 2025-12-31 → 2026-12-31
  T3        GD 2024-07-20 → 2025-07-19 → 2026-07-20 (ends within 30 days: on or before 30/07)
  T4        GD 2024-07-25 → 2025-07-24 → 2026-07-24 (the same)
  T5        GD 2024-06-01 → 2025-06-01, never renewed
  now 4 of 5 = 80.00 %; a month ago 80.00 %; a year ago T5 had lapsed: 80.00 %. Expiring within
  30/60/90 days: T3 T4 = 2 of 4 insured = 50.00 % ≥ 15 %. GD renewals (fewer than 30 anywhere: the
  province's) F4 T3 T4 renewed, T5 not: 3/4. Joining: only T5 is ever uninsured outside a grace period
  (30/07/2025 … 30/05/2026, 11 month starts), never joins: 0. Year end: T3 and T4 lapse in July and
  renew at 3/4 → 4 − 1/2 = 3.5 → 70.00 % < 80.00 %. Flagged: expiring, below target.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import insert

from bhyt.analytics.engine import analytics
from bhyt.analytics.risk import (
    BELOW_TARGET,
    FELL_SINCE_LAST_MONTH,
    expiring_reason,
    units_at_risk,
)
from bhyt.store.models import Target
from tests.analytics.shared import shared_engine
from tests.analytics.test_renewals import DONG_HOI, DONG_SON, DONG_THUAN, build_registry, lives
from tests.conftest import DATABASES

D = date(2026, 6, 30)
RESIDENCES = [
    *(lives(name) for name in ("F1", "F2", "F3", "F4")),
    *(lives(name, DONG_SON, "Khu phố 3") for name in ("P1", "P2", "P3", "P4")),
    *(lives(name, DONG_THUAN) for name in ("T1", "T2", "T3", "T4", "T5")),
]


def renewed_on_time(name, code="HN"):
    return [(name, code, "2025-01-01", "2025-12-31"), (name, code, "2026-01-01", "2026-12-31")]


CARDS = [
    *(card for name in ("F1", "F2", "F3", "P1", "P2", "P3", "P4", "T1", "T2") for card in renewed_on_time(name)),
    ("F4", "GD", "2024-06-01", "2025-05-31"), ("F4", "GD", "2025-07-01", "2026-06-15"),
    ("T3", "GD", "2024-07-20", "2025-07-19"), ("T3", "GD", "2025-07-20", "2026-07-20"),
    ("T4", "GD", "2024-07-25", "2025-07-24"), ("T4", "GD", "2025-07-25", "2026-07-24"),
    ("T5", "GD", "2024-06-01", "2025-06-01"),
]


def target(unit_code, rate=None, count=None, year=2026):
    return {"unit_code": unit_code, "year": year, "group_code": "", "rate": rate, "count": count,
            "origin": "manual", "set_at": datetime(2026, 1, 5)}


@pytest.fixture(scope="module", params=DATABASES)
def registry(request, tmp_path_factory):
    with shared_engine(request.param, "risk", tmp_path_factory) as engine:
        build_registry(engine, RESIDENCES, CARDS)
        with engine.begin() as connection:
            connection.execute(insert(Target), [
                target("44", rate=Decimal("96.00")), target(DONG_HOI, rate=Decimal("70.00")),
                target(DONG_THUAN, count=4), target("44", rate=Decimal("50.00"), year=2025),
            ])
        yield engine


def at_risk(engine, level="commune", unit="44", **thresholds):
    with analytics(engine) as con:
        return units_at_risk(con, D, level, unit, **thresholds)


def test_flags_and_order(registry):
    rows = at_risk(registry)
    assert len(rows) == 78  # every commune of Quảng Trị, the empty ones last and unflagged
    thuan, hoi, son = rows[0], rows[1], next(row for row in rows if row.unit_code == DONG_SON)
    assert [row.unit_code for row in rows[:2]] == [DONG_THUAN, DONG_HOI]
    assert thuan.reasons == [expiring_reason(Decimal("15")), BELOW_TARGET]
    assert hoi.reasons == [FELL_SINCE_LAST_MONTH]
    assert son.reasons == []
    assert all(not row.reasons for row in rows[2:])


def test_the_numbers_of_each_unit(registry):
    rows = {row.unit_code: row for row in at_risk(registry)}
    hoi, son, thuan = rows[DONG_HOI], rows[DONG_SON], rows[DONG_THUAN]
    assert (hoi.population, hoi.insured, hoi.coverage_pct) == (4, 3, Decimal("75.00"))
    assert (hoi.month_ago_pct, hoi.month_change) == (Decimal("100.00"), Decimal("-25.00"))
    assert (hoi.year_ago_pct, hoi.year_change) == (Decimal("75.00"), Decimal("0.00"))
    assert hoi.expiring == {30: 0, 60: 0, 90: 0}
    assert (hoi.projected_pct, hoi.target_pct) == (Decimal("75.00"), Decimal("70.00"))

    assert (son.coverage_pct, son.month_change, son.year_change) == (
        Decimal("100.00"), Decimal("0.00"), Decimal("0.00"))
    assert (son.projected_pct, son.target_pct) == (Decimal("100.00"), Decimal("96.00"))  # the province's

    assert (thuan.coverage_pct, thuan.month_change, thuan.year_change) == (
        Decimal("80.00"), Decimal("0.00"), Decimal("0.00"))
    assert thuan.expiring == {30: 2, 60: 2, 90: 2}
    assert thuan.expiring_pct == {30: Decimal("50.00"), 60: Decimal("50.00"), 90: Decimal("50.00")}
    assert (thuan.projected_pct, thuan.target_pct) == (Decimal("70.00"), Decimal("80.00"))


def test_an_empty_commune_has_no_figures(registry):
    empty = next(row for row in at_risk(registry) if row.unit_code == "19742")  # Đặc khu Cồn Cỏ
    assert (empty.population, empty.coverage_pct, empty.month_change, empty.projected_pct) == (0, None, None, None)
    assert empty.expiring_pct == {30: None, 60: None, 90: None}
    assert (empty.target_pct, empty.reasons) == (Decimal("96.00"), [])


def test_thresholds(registry):
    rows = {row.unit_code: row.reasons for row in at_risk(registry, min_fall=Decimal("30"),
                                                           expiring_share=Decimal("60"))}
    # Đồng Hới fell 25 points (not more than 30); Đồng Thuận's 50 % expiring is under 60 %.
    assert rows[DONG_HOI] == []
    assert rows[DONG_THUAN] == [BELOW_TARGET]


def test_hamlets_inherit_their_communes_target(registry):
    rows = at_risk(registry, "hamlet", DONG_THUAN)
    # The one hamlet holds all 5 people: the commune's count target over the commune, 80.00 %.
    assert [(row.unit_code, row.coverage_pct, row.projected_pct, row.target_pct) for row in rows] == [
        (f"{DONG_THUAN}-001", Decimal("80.00"), Decimal("70.00"), Decimal("80.00"))]
