"""The visit log on the web: the form that records a visit to a household (opened from a work-list row),
the visits page of a unit — recent visits, progress per hamlet and per officer, the latest reasons for
not joining per hamlet — and putting a hamlet's households in an officer's charge. The same functions as
`bhyt visits`; every visit recorded and every hamlet assigned is written to the audit log."""

from __future__ import annotations

from datetime import date, timedelta
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, HTTPException, Query, Request
from fastapi.responses import RedirectResponse

from bhyt import visits
from bhyt.masking import mask
from bhyt.web.accounts import Account
from bhyt.web.audit import record
from bhyt.web.auth import csrf_checked, require
from bhyt.web.i18n import N_, error_text, gettext
from bhyt.web.routes import NavItem
from bhyt.web.scope import UnitInfo, check_unit
from bhyt.web.templating import render
from bhyt.web.worklist_views import QueryError, client_host, home_of, no_store, parse_date, unit_choices

router = APIRouter(include_in_schema=False)
NAV = [NavItem(35, N_("Sổ thăm hộ"), "/visits", "view")]

# visits.OUTCOMES, marked for the English catalogue (a test keeps the two in step).
OUTCOME_LABELS = {
    "joined": N_("Đã tham gia"),
    "promised": N_("Hẹn sẽ tham gia"),
    "refused": N_("Từ chối"),
    "not_home": N_("Không gặp"),
    "other": N_("Khác"),
}
# The visits the page lists: those of the last RECENT_DAYS days up to the day asked, newest first.
RECENT_DAYS = 90
RECENT_SHOWN = 200


def _back(target: str) -> str | None:
    """Only a work-list page of this site may be the way back after a visit is recorded."""
    return target if target.startswith("/worklists/") and "//" not in target else None


@router.get("/visits")
def visits_page(request: Request, unit: str | None = Query(None), as_of: str = Query(""),
                recorded: int | None = Query(None), back: str = Query(""),
                account: Account = Depends(require("view"))):
    engine = request.app.state.engine
    chain = check_unit(engine, account, unit or home_of(request.app.state.analytics, account))
    try:
        day = parse_date(as_of, "Ngày tính") or date.today()
    except QueryError as error:
        return _page(request, account, chain, date.today(), status_code=400, error=str(error))
    notice = None
    if recorded is not None:
        notice = gettext("Đã ghi lần thăm số %(number)s.") % {"number": recorded}
    return _page(request, account, chain, day, notice=notice, back=_back(back))


@router.post("/visits/assign", dependencies=[Depends(csrf_checked)])
def assign(request: Request, unit: str = Form(...), hamlet: str = Form(""), officer: str = Form(""),
           account: Account = Depends(require("assign_visits"))):
    engine = request.app.state.engine
    chain = check_unit(engine, account, unit)
    if not hamlet:
        return _page(request, account, chain, date.today(), status_code=400, error=gettext("Hãy chọn thôn, tổ để giao."))
    hamlet_unit = check_unit(engine, account, hamlet)[-1]
    try:
        result = visits.assign_hamlet(engine, hamlet_unit.code, officer, account.username, date.today())
    except visits.VisitError as error:
        return _page(request, account, chain, date.today(), status_code=400, error=error_text(error),
                     entered={"hamlet": hamlet, "officer": officer})
    record(engine, account.username, "assign_visits", unit_code=hamlet_unit.code, subject=officer.strip(),
           detail={"households": result.households, "changed": result.changed}, client=client_host(request))
    notice = gettext("%(hamlet)s: %(households)s hộ do %(officer)s phụ trách (%(changed)s hộ mới giao).") % {
        "hamlet": hamlet_unit.name, "households": result.households, "officer": officer.strip(),
        "changed": result.changed}
    return _page(request, account, chain, date.today(), notice=notice)


def _page(request: Request, account: Account, chain: list[UnitInfo], day: date, status_code: int = 200,
          error: str | None = None, notice: str | None = None, back: str | None = None, entered: dict | None = None):
    engine = request.app.state.engine
    unit = chain[-1]
    found = visits.list_visits(engine, unit.code, day - timedelta(days=RECENT_DAYS), day)
    recent = sorted(found, key=lambda row: row.visited_on, reverse=True)[:RECENT_SHOWN]
    with request.app.state.analytics.connection() as con:
        by_hamlet = visits.progress_by_hamlet(con, unit.code, day)
        by_officer = visits.progress_by_officer(con, unit.code, day)
        reasons = visits.reasons_by_hamlet(con, unit.code, day)
    # The list names the people visited: who saw it is written down.
    record(engine, account.username, "view_people", unit_code=unit.code, subject="visits list",
           detail={"from": day - timedelta(days=RECENT_DAYS), "to": day, "rows": len(found)},
           client=client_host(request))
    hamlets = [(row.key, row.name) for row in by_hamlet if row.key] if unit.level != "province" else []
    return no_store(render(
        request, "visits/index.html", status_code=status_code, chain=chain, unit=unit, as_of=day, recent=recent,
        total=len(found), recent_days=RECENT_DAYS, by_hamlet=by_hamlet, by_officer=by_officer, reasons=reasons,
        outcomes=OUTCOME_LABELS, mask=mask, hamlets=hamlets, error=error, notice=notice, back=back,
        entered=entered or {"hamlet": "", "officer": ""},
        choices=unit_choices(engine, request.app.state.analytics, account, chain)))


def _household(request: Request, account: Account, code: str) -> tuple[visits.HouseholdToVisit, list[UnitInfo]]:
    engine = request.app.state.engine
    household = visits.household_to_visit(engine, code.strip())
    if household is None:
        raise HTTPException(404, gettext("Không có hộ mã '%(code)s'.") % {"code": code})
    return household, check_unit(engine, account, household.hamlet_code or household.commune_code)


def _form(request: Request, household: visits.HouseholdToVisit, chain: list[UnitInfo], entered: dict,
          status_code: int = 200, error: str | None = None):
    return no_store(render(request, "visits/form.html", status_code=status_code, household=household, chain=chain,
                           entered=entered, outcomes=OUTCOME_LABELS,
                           reasons=[reason for reason in visits.reasons(request.app.state.engine) if reason.active],
                           error=error))


@router.get("/visits/new")
def visit_form(request: Request, household: str = Query(...), person: str = Query(""), back: str = Query(""),
               account: Account = Depends(require("record_visits"))):
    found, chain = _household(request, account, household)
    entered = {"person": person, "visited_on": date.today().isoformat(), "officer": account.display_name,
               "outcome": "", "reason": "", "note": "", "follow_up": "", "back": _back(back) or ""}
    return _form(request, found, chain, entered)


@router.post("/visits", dependencies=[Depends(csrf_checked)])
def record_visit(request: Request, household: str = Form(...), person: str = Form(""), visited_on: str = Form(""),
                 officer: str = Form(""), outcome: str = Form(""), reason: str = Form(""), note: str = Form(""),
                 follow_up: str = Form(""), back: str = Form(""),
                 account: Account = Depends(require("record_visits"))):
    engine = request.app.state.engine
    found, chain = _household(request, account, household)
    entered = {"person": person, "visited_on": visited_on, "officer": officer, "outcome": outcome, "reason": reason,
               "note": note, "follow_up": follow_up, "back": _back(back) or ""}
    try:
        day = parse_date(visited_on, "Ngày thăm")
        if day is None:
            raise QueryError(gettext("Hãy ghi ngày thăm."))
        if day > date.today():
            raise QueryError(gettext("Ngày thăm %(day)s ở tương lai.") % {"day": f"{day:%d/%m/%Y}"})
        if not outcome:
            raise QueryError(gettext("Hãy chọn kết quả lần thăm."))
        member = _member(found, person)
        number = visits.record_visit(
            engine, found.code, day, officer, outcome, account.username,
            person_id=member.personal_id if member else None, reason_code=reason or None,
            note=note.strip() or None, follow_up_on=parse_date(follow_up, "Ngày hẹn thăm lại"))
    except (QueryError, visits.VisitError) as error:
        return _form(request, found, chain, entered, status_code=400, error=error_text(error))
    record(engine, account.username, "record_visit", unit_code=chain[-1].code, subject=f"hộ {found.code}",
           detail={"visit": number, "outcome": outcome, "person_id": member.id if member else None},
           client=client_host(request))
    target = {"unit": chain[-1].code, "recorded": number}
    if entered["back"]:
        target["back"] = entered["back"]
    return RedirectResponse(f"/visits?{urlencode(target)}", status_code=303)


def _member(household: visits.HouseholdToVisit, person: str) -> visits.Member | None:
    """The member the visit was about (the form sends the registry's id), or None for the household."""
    if not person:
        return None
    for member in household.members:
        if str(member.id) == person.strip():
            return member
    raise QueryError(gettext("Người được chọn không thuộc hộ %(code)s.") % {"code": household.code})
