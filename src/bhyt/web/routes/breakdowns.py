"""A unit's coverage broken down (by participant code, group, age band or sex), the units under it at
risk of missing the target, and its forecast: the figures of `bhyt coverage --by`, `bhyt risk` and
`bhyt forecast`, from the same analytics functions."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from fastapi import APIRouter, Depends, HTTPException, Query, Request

from bhyt.analytics.coverage import coverage
from bhyt.analytics.forecast import forecast
from bhyt.analytics.renewals import GRACE_DAYS, WITHIN_DAYS
from bhyt.domain.card_validity import add_months
from bhyt.domain.participants import PARTICIPANT_CODES
from bhyt.domain.rates import percent
from bhyt.reports.periodic import GROUP_NAMES
from bhyt.web.accounts import Account
from bhyt.web.answers import risk_rows
from bhyt.web.auth import require
from bhyt.web.i18n import N_, error_text, gettext, named
from bhyt.web.scope import check_unit
from bhyt.web.templating import render

router = APIRouter(include_in_schema=False)

BREAKDOWN_TITLES = {"code": N_("Mã đối tượng"), "group": N_("Nhóm đối tượng"), "age": N_("Nhóm tuổi"),
                    "sex": N_("Giới tính")}
SEX_NAMES = {"1": N_("Nam"), "2": N_("Nữ")}
AGE_NAMES = {"0-5": N_("Dưới 6 tuổi"), "6-17": N_("6–17 tuổi"), "18-59": N_("18–59 tuổi"),
             "60-74": N_("60–74 tuổi"), "75+": N_("Từ 75 tuổi")}


def key_name(by: str, key: str) -> str:
    """What a breakdown key means, in the officers' words (a participant code's English name in English)."""
    if by == "code":
        if key not in PARTICIPANT_CODES:
            return ""
        code = PARTICIPANT_CODES[key]
        return named(code.name_vi, code.name_en)
    label = {"group": GROUP_NAMES, "age": AGE_NAMES, "sex": SEX_NAMES}[by].get(key, "")
    return gettext(label)


def points(change: Decimal | None) -> str:
    """A change in percentage points with its sign, as the tables write numbers: '+0,25', '-1,50'."""
    if change is None:
        return "–"
    return f"{change:+.2f}".replace(".", ",")


@router.get("/units/{code}/breakdown")
def breakdown_page(request: Request, code: str, by: str = Query("code"), as_of: date | None = Query(None),
                   account: Account = Depends(require("view"))):
    if by not in BREAKDOWN_TITLES:
        raise HTTPException(400, gettext("Cách chia phải là một trong: mã đối tượng, nhóm, tuổi, giới tính."))
    engine = request.app.state.engine
    chain = check_unit(engine, account, code)
    unit = chain[-1]
    as_of = as_of or date.today()
    with request.app.state.analytics.connection() as con:
        rows = coverage(con, as_of, unit.level, unit.code, by)
        total = coverage(con, as_of, unit.level, unit.code)[0]
    # A code or group is a share of the whole population; its share of the insured tells the mix.
    shares = {row.key: percent(row.insured, total.insured) for row in rows} if by in ("code", "group") else {}
    return render(request, "breakdowns/breakdown.html", chain=chain, unit=unit, as_of=as_of, by=by,
                  titles=BREAKDOWN_TITLES, rows=rows, total=total, shares=shares,
                  names={row.key: key_name(by, row.key) for row in rows})


@router.get("/units/{code}/risk")
def risk_page(request: Request, code: str, as_of: date | None = Query(None), every: bool = Query(False, alias="all"),
              account: Account = Depends(require("view"))):
    engine = request.app.state.engine
    chain = check_unit(engine, account, code)
    unit = chain[-1]
    as_of = as_of or date.today()
    # The units under this one; a hamlet has none, so it is weighed on its own.
    level = unit.child_level or unit.level
    rows = risk_rows(request.app.state.analytics, as_of, level, unit.code)
    shown = rows if every else [row for row in rows if row.reasons]
    return render(request, "breakdowns/risk.html", chain=chain, unit=unit, as_of=as_of, every=every, rows=shown,
                  at_risk=sum(1 for row in rows if row.reasons), count=len(rows), level=level,
                  month_ago=add_months(as_of, -1), year_ago=add_months(as_of, -12), grace_days=GRACE_DAYS,
                  within_days=WITHIN_DAYS, points=points)


@router.get("/units/{code}/forecast")
def forecast_page(request: Request, code: str, year: int | None = Query(None, ge=2000, le=2100),
                  as_of: date | None = Query(None), account: Account = Depends(require("view"))):
    engine = request.app.state.engine
    chain = check_unit(engine, account, code)
    unit = chain[-1]
    as_of = as_of or date.today()
    year = year or as_of.year
    with request.app.state.analytics.connection() as con:
        try:
            result = forecast(con, unit.code, year, as_of)
        except ValueError as error:  # a year already past, as `bhyt forecast` refuses it
            raise HTTPException(400, error_text(error)) from None
    years = [result.year] if result.year == result.horizon_year else [result.year, result.horizon_year]
    return render(request, "breakdowns/forecast.html", chain=chain, unit=unit, as_of=as_of, year=year,
                  result=result, years=years, units=[result.unit, *result.children],
                  assumptions=result.unit.projection.assumptions.lines())
