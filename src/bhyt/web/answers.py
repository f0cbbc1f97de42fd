"""The answers the server keeps (SharedAnalytics.memo) and the keys they are kept under, in one place:
a page, the API and the start-up warm-up must ask in the same words to share an answer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from bhyt.analytics.coverage import CoverageRow, coverage, coverage_series
from bhyt.analytics.engine import SharedAnalytics
from bhyt.analytics.renewals import GRACE_DAYS, expiry_schedule
from bhyt.analytics.risk import EXPIRING_SHARE, MIN_FALL, RiskRow, units_at_risk
from bhyt.analytics.targets import TargetProgress, target_progress
from bhyt.domain.card_validity import add_months
from bhyt.web.scope import UnitInfo

EXPIRY_WINDOWS = (30, 60, 90)
TREND_MONTHS = 12


@dataclass(frozen=True)
class DashboardFigures:
    trend: list[tuple[date, CoverageRow]]
    expiring: dict[int, int]  # days → insured residents whose coverage ends within them, no later card
    own: TargetProgress
    children: list[TargetProgress]
    official: CoverageRow


def dashboard_figures(shared: SharedAnalytics, unit: UnitInfo, as_of: date) -> DashboardFigures:
    # The trend and the expiries read the registry alone; the standing reads targets and official
    # population too, so it is kept only until those change as well.
    trend = shared.memo(("trend", unit.code, as_of), lambda con: coverage_series(
        con, add_months(as_of, -TREND_MONTHS), as_of, unit.level, unit.code))
    expiring = shared.memo(("expiring", unit.code, as_of), lambda con: _expiring(con, unit, as_of))
    own, children, official = shared.memo(("standing", unit.code, as_of),
                                          lambda con: _standing(con, unit, as_of), live=True)
    return DashboardFigures(trend, expiring, own, children, official)


def risk_rows(shared: SharedAnalytics, as_of: date, level: str, unit: str | None, min_fall: Decimal = MIN_FALL,
              expiring_share: Decimal = EXPIRING_SHARE, grace_days: int = GRACE_DAYS) -> list[RiskRow]:
    """units_at_risk, kept until the registry or the targets change."""
    return shared.memo(
        ("risk", as_of, level, unit, min_fall, expiring_share, grace_days),
        lambda con: units_at_risk(con, as_of, level, unit, min_fall, expiring_share, grace_days), live=True)


def warm(shared: SharedAnalytics, unit: UnitInfo, as_of: date) -> None:
    """Compute what the first visitor of the unit's dashboard would wait for (seconds for a province)."""
    dashboard_figures(shared, unit, as_of)
    if unit.child_level:
        risk_rows(shared, as_of, unit.child_level, unit.code)


def _standing(con, unit: UnitInfo, as_of: date) -> tuple:
    own = target_progress(con, as_of.year, unit.level, unit.code, as_of)[0]
    children = target_progress(con, as_of.year, unit.child_level, unit.code, as_of) if unit.child_level else []
    official = coverage(con, as_of, unit.level, unit.code, source="official")[0]
    return own, children, official


def _expiring(con, unit: UnitInfo, as_of: date) -> dict[int, int]:
    expiring = dict.fromkeys(EXPIRY_WINDOWS, 0)
    for row in expiry_schedule(con, as_of, unit.level, unit.code, EXPIRY_WINDOWS):
        for days, people in row.within.items():
            expiring[days] += people
    return expiring
