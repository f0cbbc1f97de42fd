"""Looking up people and households: the search, one person's record with residences and cards, and
one household's members. Only residents of the officer's own unit; every list and record shown is
written to the audit log, and a personal ID is shown whole only after a POST that is audited too."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Depends, HTTPException, Query, Request

from bhyt.analytics.worklists.insured import CLASSIFICATION_LABELS
from bhyt.domain.participants import PARTICIPANT_CODES
from bhyt.web.accounts import Account
from bhyt.web.audit import record
from bhyt.web.auth import csrf_checked, require
from bhyt.web.people_search import (
    KINDS,
    PersonRecord,
    SearchError,
    household_record,
    person_record,
    scope_of,
    search_people,
)
from bhyt.web.i18n import N_, gettext, named
from bhyt.web.routes import NavItem
from bhyt.web.scope import OutOfScope, UnitInfo, check_unit
from bhyt.web.templating import render

router = APIRouter(include_in_schema=False)
NAV = [NavItem(20, N_("Tra cứu người, hộ"), "/people", "view")]

KIND_LABELS = {"name": N_("Họ tên"), "personal_id": N_("Số định danh"), "household": N_("Mã hộ")}
SEX_NAMES = {1: N_("Nam"), 2: N_("Nữ")}


def _code_names() -> dict[str, str]:
    """The participant codes by code, named in the reader's language (the data file has both names)."""
    return {code: named(item.name_vi, item.name_en) for code, item in PARTICIPANT_CODES.items()}


def _client(request: Request) -> str | None:
    return request.client.host if request.client else None


def _private(response):
    """Pages with named people are kept out of the browser's and any proxy's cache."""
    response.headers["Cache-Control"] = "no-store"
    return response


@router.get("/people")
def people_search(request: Request, q: str = Query(""), by: str = Query("name"),
                  page: int = Query(1), account: Account = Depends(require("view"))):
    engine = request.app.state.engine
    scope = scope_of(engine, account)
    result, error = None, None
    if q.strip():
        try:
            result = search_people(engine, scope, q, by, date.today(), page)
        except SearchError as problem:
            error = str(problem)
        else:
            record(engine, account.username, "view_people", unit_code=account.unit_code, subject=q.strip()[:200],
                   detail={"by": by, "page": result.page, "total": result.total,
                           "person_ids": [row.id for row in result.rows]},
                   client=_client(request))
    response = render(request, "people/search.html", status_code=400 if error else 200, q=q, by=by,
                      kinds=KINDS, kind_labels=KIND_LABELS, scope=scope, result=result, error=error,
                      sex_names=SEX_NAMES, today=date.today())
    return _private(response)


def _visible_person(request: Request, account: Account, person_id: int) -> tuple[PersonRecord, list[UnitInfo]]:
    """The person's record and the lineage of where they live, if the account may see them: someone
    living now inside the account's unit (an account over everything sees everyone)."""
    engine = request.app.state.engine
    today = date.today()
    found = person_record(engine, person_id, today)
    if found is None:
        raise HTTPException(404, gettext("Không có người này trong sổ đăng ký."))
    current = [place for place in found.places if place.current(today)]
    for place in current:
        try:
            return found, check_unit(engine, account, place.hamlet_code or place.commune_code)
        except OutOfScope:
            continue
    if account.unit_code is None:
        return found, []
    raise OutOfScope(current[0].commune_code if current else "")


def _person_page(request: Request, account: Account, person_id: int, revealed: bool):
    found, chain = _visible_person(request, account, person_id)
    place = found.person.place
    record(request.app.state.engine, account.username, "reveal_id" if revealed else "view_person",
           unit_code=place.hamlet_code or place.commune_code if place else None, subject=str(person_id),
           client=_client(request))
    response = render(request, "people/person.html", found=found, person=found.person, chain=chain,
                      revealed=revealed, sex_names=SEX_NAMES, code_names=_code_names(), today=date.today())
    return _private(response)


@router.get("/people/{person_id}")
def person_page(request: Request, person_id: int, account: Account = Depends(require("view"))):
    return _person_page(request, account, person_id, revealed=False)


@router.post("/people/{person_id}/reveal", dependencies=[Depends(csrf_checked)])
def reveal_personal_id(request: Request, person_id: int, account: Account = Depends(require("reveal_id"))):
    """The whole ID number, in this one response only; the reveal is audited."""
    return _person_page(request, account, person_id, revealed=True)


@router.get("/households/{household_id}")
def household_page(request: Request, household_id: int, account: Account = Depends(require("view"))):
    engine = request.app.state.engine
    found = household_record(engine, household_id, date.today())
    if found is None:
        raise HTTPException(404, gettext("Không có hộ này trong sổ đăng ký."))
    chain = check_unit(engine, account, found.hamlet_code or found.commune_code)
    record(engine, account.username, "view_people", unit_code=found.hamlet_code or found.commune_code,
           subject=f"hộ {found.code}", detail={"household_id": found.id,
                                               "person_ids": [member.id for member in found.members]},
           client=_client(request))
    response = render(request, "people/household.html", household=found, chain=chain, sex_names=SEX_NAMES,
                      classification_names=CLASSIFICATION_LABELS, today=date.today())
    return _private(response)
