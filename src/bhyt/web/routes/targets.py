"""The targets editor: the child units of a unit against their targets (the table of `bhyt targets
show`), a form to set a unit's rate or count for a year, and the cascade of the unit's target to its
children (`bhyt targets cascade`), which keeps every target an officer set by hand."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation

from fastapi import APIRouter, Depends, Form, Query, Request
from sqlalchemy import select

from bhyt.analytics.targets import CASCADE, MANUAL, cascade_targets, default_as_of, set_target, target_progress
from bhyt.domain.target_groups import TARGET_GROUPS
from bhyt.domain.targets import STATUS_LABELS, TargetError
from bhyt.store.models import Target
from bhyt.web.accounts import Account
from bhyt.web.audit import record
from bhyt.web.auth import csrf_checked, require
from bhyt.web.i18n import N_, error_text, gettext, named
from bhyt.web.routes import NavItem
from bhyt.web.scope import UnitInfo, check_unit, home_unit
from bhyt.web.templating import number, percent, render

router = APIRouter(include_in_schema=False)
NAV = [NavItem(50, N_("Chỉ tiêu"), "/targets", "view")]

ORIGIN_LABELS = {MANUAL: N_("Tự đặt"), CASCADE: N_("Phân bổ")}


class FormError(ValueError):
    """A value typed into the form that cannot be a target, with the reason for the officer."""


@router.get("/targets")
def targets_page(request: Request, year: int | None = Query(None), unit: str | None = Query(None),
                 group: str = Query(""), account: Account = Depends(require("view"))):
    chain = _chain(request, account, unit)
    return _page(request, account, chain, year or date.today().year, group)


@router.post("/targets/set", dependencies=[Depends(csrf_checked)])
def set_unit_target(request: Request, page_unit: str = Form(...), unit: str = Form(...), year: int = Form(...),
                    measure: str = Form("rate"), value: str = Form(""), group: str = Form(""),
                    account: Account = Depends(require("set_targets"))):
    engine = request.app.state.engine
    chain = check_unit(engine, account, page_unit)
    target_unit = check_unit(engine, account, unit)[-1]
    try:
        rate, count = _parsed(measure, value)
        set_target(engine, target_unit.code, year, rate=rate, count=count, group=group, set_by=account.username)
    except (FormError, ValueError) as error:  # TargetError, UnknownTargetGroup are ValueErrors
        return _page(request, account, chain, year, group, status_code=400, error=error_text(error),
                     entered={"unit": unit, "measure": measure, "value": value, "group": group})
    record(engine, account.username, "set_target", unit_code=target_unit.code, subject=f"{year}",
           detail={"rate": rate, "count": count, "group": group}, client=_client(request))
    what = percent(rate) if rate is not None else gettext("%(count)s người") % {"count": number(count)}
    notice = gettext("Đã đặt chỉ tiêu năm %(year)s của %(unit)s: %(target)s.") % {
        "year": year, "unit": target_unit.name, "target": what}
    return _page(request, account, chain, year, group, notice=notice)


@router.post("/targets/cascade", dependencies=[Depends(csrf_checked)])
def cascade(request: Request, unit: str = Form(...), year: int = Form(...),
            account: Account = Depends(require("set_targets"))):
    engine = request.app.state.engine
    chain = check_unit(engine, account, unit)
    try:
        with request.app.state.analytics.connection() as con:
            rows = cascade_targets(engine, con, chain[-1].code, year)
    except ValueError as error:
        return _page(request, account, chain, year, "", status_code=400, error=error_text(error))
    changed = sum(row.changed for row in rows)
    kept = sum(row.origin == MANUAL for row in rows)
    record(engine, account.username, "cascade_targets", unit_code=chain[-1].code, subject=f"{year}",
           detail={"units": len(rows), "changed": changed, "kept_manual": kept}, client=_client(request))
    return _page(request, account, chain, year, "", cascaded=rows, changed=changed, kept=kept)


def _chain(request: Request, account: Account, unit: str | None) -> list[UnitInfo]:
    engine = request.app.state.engine
    if unit is None:
        with request.app.state.analytics.connection() as con:
            unit = home_unit(con, account)
    return check_unit(engine, account, unit)


def _parsed(measure: str, value: str) -> tuple[Decimal | None, int | None]:
    """A rate as officers write it (95,5 or 95.5 %), or a whole number of people."""
    text = value.strip().removesuffix("%").strip()
    if measure == "count":
        digits = text.replace(".", "").replace(" ", "")
        if not digits.isdigit():
            raise FormError(gettext("'%(value)s' không phải một số người (ví dụ 1.250).") % {"value": value})
        return None, int(digits)
    if measure != "rate":
        raise FormError(gettext("Hãy chọn chỉ tiêu theo tỷ lệ (%) hoặc theo số người."))
    try:
        rate = Decimal(text.replace(",", "."))
    except InvalidOperation:
        rate = None
    if rate is None or not rate.is_finite():
        raise FormError(gettext("'%(value)s' không phải một tỷ lệ phần trăm (ví dụ 95,5).") % {"value": value})
    return rate, None


def _page(request: Request, account: Account, chain: list[UnitInfo], year: int, group: str, status_code: int = 200,
          error: str | None = None, notice: str | None = None, entered: dict | None = None, **cascaded):
    engine = request.app.state.engine
    unit = chain[-1]
    as_of = default_as_of(year)
    try:
        with request.app.state.analytics.connection() as con:
            own = target_progress(con, year, unit.level, unit.code, as_of, group=group)
            children = (target_progress(con, year, unit.child_level, unit.code, as_of, group=group)
                        if unit.child_level else [])
    except (TargetError, ValueError) as problem:
        own, children = [], []
        error, status_code = error or error_text(problem), 400
    ranked = sorted(children, key=lambda row: (row.rank is None, row.rank or 0, row.unit_code))
    codes = [unit.code] + [row.unit_code for row in children]
    with engine.connect() as connection:
        stored = {code: (origin, set_by) for code, origin, set_by in connection.execute(
            select(Target.unit_code, Target.origin, Target.set_by).where(
                Target.unit_code.in_(codes), Target.year == year, Target.group_code == group))}
    editable = ([(unit.code, unit.name)] + [(row.unit_code, row.unit_name) for row in children]
                if account.may("set_targets") else [])
    return render(request, "targets/index.html", status_code=status_code, chain=chain, unit=unit, year=year,
                  group=group, groups=_group_names(), as_of=as_of, own=own[0] if own else None, children=ranked,
                  stored=stored, origin_labels=ORIGIN_LABELS, status_labels=STATUS_LABELS, editable=editable,
                  error=error, notice=notice, entered=entered or {"unit": unit.code, "measure": "rate", "value": "",
                                                                   "group": group},
                  cascaded=cascaded.get("cascaded"), changed=cascaded.get("changed"), kept=cascaded.get("kept"))


def _group_names() -> dict[str, str]:
    """The target groups by code, named in the reader's language (the data file has both names)."""
    return {code: named(group.name_vi, group.name_en) for code, group in TARGET_GROUPS.items()}


def _client(request: Request) -> str | None:
    return request.client.host if request.client else None
