"""The dashboard of a unit, from the province down to a hamlet: coverage against the year's target,
people still to enrol, the trend, the child units ranked, and the cards about to expire."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import RedirectResponse
from markupsafe import Markup

from bhyt.analytics.engine import SharedAnalytics
from bhyt.domain.targets import STATUS_LABELS
from bhyt.web.accounts import Account
from bhyt.web.answers import dashboard_figures
from bhyt.web.auth import require, signed_in
from bhyt.web.i18n import current_language
from bhyt.web.scope import UnitInfo, check_unit, home_unit
from bhyt.web.templating import render, templates

router = APIRouter(include_in_schema=False)


@router.get("/")
def home(request: Request, account: Account = Depends(signed_in)):
    with request.app.state.analytics.connection() as con:
        return RedirectResponse(f"/units/{home_unit(con, account)}", status_code=303)


@router.get("/units/{code}")
def unit_dashboard(request: Request, code: str, as_of: date | None = Query(None),
                   account: Account = Depends(require("view"))):
    chain = check_unit(request.app.state.engine, account, code)
    as_of = as_of or date.today()
    # The figures are drawn once per unit, day, language and state of the registry and targets (the
    # same marks as the answers they show): a page seen again costs its frame only.
    shared = request.app.state.analytics
    body = shared.kept(("dashboard page", code, as_of, current_language.get()),
                       lambda: _figures_html(shared, chain, as_of), live=True)
    return render(request, "dashboard.html", unit=chain[-1], body=body)


def _figures_html(shared: SharedAnalytics, chain: list[UnitInfo], as_of: date) -> Markup:
    unit = chain[-1]
    figures = dashboard_figures(shared, unit, as_of)
    own, children, trend = figures.own, figures.children, figures.trend
    # Ranked against target where there is one, then by coverage: the weakest units stand out either way.
    ranked = sorted(children, key=lambda row: (row.rank is None, row.rank or 0, row.coverage_pct is None,
                                               -(row.coverage_pct or 0), row.unit_code))
    chart = {
        "labels": [day.strftime("%m/%Y") if day != as_of else as_of.strftime("%d/%m/%Y") for day, _ in trend],
        "coverage": [float(row.coverage_pct) if row.coverage_pct is not None else None for _, row in trend],
        "target": float(own.target_pct) if own.target_pct is not None else None,
    }
    return Markup(templates.get_template("dashboard_body.html").render(
        chain=chain, unit=unit, as_of=as_of, own=own, official=figures.official, children=ranked, chart=chart,
        trend=trend, expiring=figures.expiring, status_labels=STATUS_LABELS))
