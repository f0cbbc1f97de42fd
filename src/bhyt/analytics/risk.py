"""Units at risk of missing their coverage target: coverage falling since last month or since the same
day a year before, many cards about to run out with no renewal yet, or a year-end projection below
the year's target.

Changes are the difference of the rounded percentages, as the table shows them. The target is the
year's target for everyone as `analytics.targets` resolves it: the unit's own, else its nearest
ancestor's, a count turned into a rate over the registry population on `as_of`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal

import duckdb

from bhyt.analytics.coverage import CoverageRow, coverage
from bhyt.analytics.forecast import observe_provinces, project_units
from bhyt.analytics.renewals import GRACE_DAYS, MIN_OBSERVED, WITHIN_DAYS, expiry_schedule
from bhyt.analytics.targets import target_progress
from bhyt.domain.card_validity import add_months
from bhyt.domain.messages import Message, N_
from bhyt.domain.rates import percent

FELL_SINCE_LAST_MONTH = Message(N_("Giảm so với tháng trước"))
FELL_SINCE_LAST_YEAR = Message(N_("Giảm so với cùng kỳ năm trước"))
BELOW_TARGET = Message(N_("Dự báo cuối năm dưới chỉ tiêu"))

# A fall of more than this many percentage points flags a unit: by default any fall that shows.
MIN_FALL = Decimal("0.00")
# Cards spread evenly over the year run out at about 8.3 % a month; about twice that share running
# out in the next 30 days with no renewal is a wave the commune has to work on now.
EXPIRING_SHARE = Decimal("15")
EXPIRING_DAYS = 30


def expiring_reason(share: Decimal, days: int = EXPIRING_DAYS) -> Message:
    return Message(N_("Nhiều thẻ sắp hết hạn chưa gia hạn (≥ %(share)s %% trong %(days)s ngày)"),
                   share=share, days=days)


@dataclass(frozen=True)
class RiskRow:
    unit_code: str
    unit_name: str
    population: int
    insured: int
    coverage_pct: Decimal | None
    month_ago_pct: Decimal | None
    month_change: Decimal | None  # percentage points
    year_ago_pct: Decimal | None
    year_change: Decimal | None
    expiring: dict[int, int]  # days → insured people whose coverage ends within them, not yet renewed
    expiring_pct: dict[int, Decimal | None]  # of the insured
    projected_pct: Decimal | None  # 31/12 of as_of's year
    target_pct: Decimal | None
    reasons: list[str] = field(default_factory=list)


def units_at_risk(
    con: duckdb.DuckDBPyConnection,
    as_of: date,
    level: str,
    unit: str | None = None,
    min_fall: Decimal = MIN_FALL,
    expiring_share: Decimal = EXPIRING_SHARE,
    grace_days: int = GRACE_DAYS,
    min_observed: int = MIN_OBSERVED,
) -> list[RiskRow]:
    """Every unit of `level` inside `unit`, most at risk first: the most reasons, then the furthest
    below target, then the steepest fall since last month."""
    now = coverage(con, as_of, level, unit)
    month_ago = _pct_by_unit(coverage(con, add_months(as_of, -1), level, unit))
    year_ago = _pct_by_unit(coverage(con, add_months(as_of, -12), level, unit))
    schedule = expiry_schedule(con, as_of, level, unit, WITHIN_DAYS)
    expiring: dict[str, dict[int, int]] = {}
    for row in schedule:
        totals = expiring.setdefault(row.unit_code, dict.fromkeys(WITHIN_DAYS, 0))
        for days, people in row.within.items():
            totals[days] += people
    year_end = date(as_of.year, 12, 31)
    projected = {
        forecast.unit_code: forecast.projection.year_end(as_of.year).coverage_pct
        for forecast in project_units(con, as_of, level, unit, year_end, now, schedule,
                                      observe_provinces(con, as_of, unit, grace_days), grace_days, min_observed)
    }
    targets = {row.unit_code: row.target_pct for row in target_progress(con, as_of.year, level, unit, as_of)}
    rows = []
    for row in now:
        within = expiring.get(row.unit_code, dict.fromkeys(WITHIN_DAYS, 0))
        risk = RiskRow(
            unit_code=row.unit_code,
            unit_name=row.unit_name,
            population=row.population,
            insured=row.insured,
            coverage_pct=row.coverage_pct,
            month_ago_pct=month_ago.get(row.unit_code),
            month_change=_change(row.coverage_pct, month_ago.get(row.unit_code)),
            year_ago_pct=year_ago.get(row.unit_code),
            year_change=_change(row.coverage_pct, year_ago.get(row.unit_code)),
            expiring=within,
            expiring_pct={days: percent(people, row.insured) for days, people in within.items()},
            projected_pct=projected[row.unit_code],
            target_pct=targets.get(row.unit_code),
        )
        rows.append(replace(risk, reasons=_reasons(risk, min_fall, expiring_share)))
    return sorted(rows, key=_urgency)


def _pct_by_unit(rows: list[CoverageRow]) -> dict[str, Decimal | None]:
    return {row.unit_code: row.coverage_pct for row in rows}


def _change(now: Decimal | None, before: Decimal | None) -> Decimal | None:
    return None if now is None or before is None else now - before


def _reasons(row: RiskRow, min_fall: Decimal, expiring_share: Decimal) -> list[str]:
    reasons = []
    if row.month_change is not None and row.month_change < -min_fall:
        reasons.append(FELL_SINCE_LAST_MONTH)
    if row.year_change is not None and row.year_change < -min_fall:
        reasons.append(FELL_SINCE_LAST_YEAR)
    share = row.expiring_pct[EXPIRING_DAYS]
    if share is not None and share >= expiring_share:
        reasons.append(expiring_reason(expiring_share))
    if row.projected_pct is not None and row.target_pct is not None and row.projected_pct < row.target_pct:
        reasons.append(BELOW_TARGET)
    return reasons


def _urgency(row: RiskRow) -> tuple:
    gap = (row.projected_pct - row.target_pct
           if row.projected_pct is not None and row.target_pct is not None else None)
    return (
        -len(row.reasons),
        gap is None, gap,
        row.month_change is None, row.month_change,
        row.unit_code,
    )
