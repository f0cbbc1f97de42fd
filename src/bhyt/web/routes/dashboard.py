"""The dashboard of a unit, from the province down to a hamlet: coverage against the year's target,
people still to enrol, the trend, the child units ranked, and the cards about to expire."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import RedirectResponse

from bhyt.analytics.coverage import coverage, coverage_series
from bhyt.analytics.renewals import expiry_schedule
from bhyt.analytics.targets import target_progress
from bhyt.domain.card_validity import add_months
from bhyt.domain.targets import STATUS_LABELS
from bhyt.web.accounts import Account
from bhyt.web.auth import require, signed_in
from bhyt.web.scope import check_unit, home_unit
from bhyt.web.templating import render

router = APIRouter(include_in_schema=False)
EXPIRY_WINDOWS = (30, 60, 90)
TREND_MONTHS = 12


@router.get("/")
def home(request: Request, account: Account = Depends(signed_in)):
    with request.app.state.analytics.connection() as con:
        return RedirectResponse(f"/units/{home_unit(con, account)}", status_code=303)


@router.get("/units/{code}")
def unit_dashboard(request: Request, code: str, as_of: date | None = Query(None),
                   account: Account = Depends(require("view"))):
    engine = request.app.state.engine
    chain = check_unit(engine, account, code)
    unit = chain[-1]
    as_of = as_of or date.today()
    shared = request.app.state.analytics
    # Kept until the registry changes (and, for the figures that read targets and official population,
    # until those change): a second look at a dashboard, by anyone, costs a lookup.
    trend = shared.memo(("trend", unit.code, as_of), lambda con: coverage_series(
        con, add_months(as_of, -TREND_MONTHS), as_of, unit.level, unit.code))
    expiring = shared.memo(("expiring", unit.code, as_of), lambda con: _expiring(con, unit, as_of))
    own, children, official = shared.memo(("standing", unit.code, as_of),
                                          lambda con: _standing(con, unit, as_of), live=True)
    # Ranked against target where there is one, then by coverage: the weakest units stand out either way.
    ranked = sorted(children, key=lambda row: (row.rank is None, row.rank or 0, row.coverage_pct is None,
                                               -(row.coverage_pct or 0), row.unit_code))
    chart = {
        "labels": [day.strftime("%m/%Y") if day != as_of else as_of.strftime("%d/%m/%Y") for day, _ in trend],
        "coverage": [float(row.coverage_pct) if row.coverage_pct is not None else None for _, row in trend],
        "target": float(own.target_pct) if own.target_pct is not None else None,
    }
    return render(request, "dashboard.html", chain=chain, unit=unit, as_of=as_of, own=own, official=official,
                  children=ranked, chart=chart, trend=trend, expiring=expiring, status_labels=STATUS_LABELS)


def _standing(con, unit, as_of: date) -> tuple:
    """The unit and its children against the year's target, and the unit's official coverage."""
    own = target_progress(con, as_of.year, unit.level, unit.code, as_of)[0]
    children = target_progress(con, as_of.year, unit.child_level, unit.code, as_of) if unit.child_level else []
    official = coverage(con, as_of, unit.level, unit.code, source="official")[0]
    return own, children, official


def _expiring(con, unit, as_of: date) -> dict[int, int]:
    """Insured residents whose continuous coverage ends within each window, no later card yet."""
    expiring = dict.fromkeys(EXPIRY_WINDOWS, 0)
    for row in expiry_schedule(con, as_of, unit.level, unit.code, EXPIRY_WINDOWS):
        for days, people in row.within.items():
            expiring[days] += people
    return expiring
