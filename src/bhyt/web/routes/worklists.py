"""The work lists of a commune or hamlet: an overview with every list's count, one page per list with its
filters, counts per hamlet and rows (ID numbers masked; an audited POST reveals them), and the CSV and
XLSX files of `bhyt worklist` to download. Every list of named people shown or given out is written to
the audit log."""

from __future__ import annotations

from datetime import date
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, HTTPException, Query, Request
from fastapi.responses import Response

from bhyt.analytics.worklists.insured import DEFAULT_DAYS
from bhyt.web.accounts import Account
from bhyt.web.audit import record
from bhyt.web.auth import csrf_checked, permitted, require
from bhyt.web.i18n import N_, gettext
from bhyt.web.routes import NavItem
from bhyt.web.scope import UnitInfo, check_unit
from bhyt.web.templating import render
from bhyt.web.worklist_views import (
    LIST_HINTS,
    LIST_LABELS,
    WITH_DAYS,
    WITH_SINCE,
    XLSX,
    ListQuery,
    QueryError,
    client_host,
    csv_file,
    default_since,
    home_of,
    list_counts,
    list_query,
    list_rows,
    no_store,
    parse_date,
    parse_days,
    per_hamlet,
    participants_xlsx,
    reminders_file,
    shown_values,
    unit_choices,
    xlsx_file,
)
from bhyt.worklist_tables import PARTICIPANT_LISTS, REMINDER_LISTS, ListName, columns

router = APIRouter(include_in_schema=False)
NAV = [NavItem(30, N_("Danh sách công việc"), "/worklists", "view")]

# Rows a page shows; the counts and the files always hold the whole list.
PAGE_SIZE = 100
FORMATS = {"csv": "text/csv; charset=utf-8", "xlsx": XLSX, "reminders": "text/csv; charset=utf-8", "participants": XLSX}


def _list_name(name: str) -> ListName:
    try:
        return ListName(name)
    except ValueError:
        raise HTTPException(404, gettext("Không có danh sách '%(name)s'.") % {"name": name}) from None


@router.get("/worklists")
def worklists_page(request: Request, unit: str | None = Query(None), as_of: str = Query(""),
                   account: Account = Depends(require("view"))):
    engine = request.app.state.engine
    chain = check_unit(engine, account, unit or home_of(request.app.state.analytics, account))
    error = None
    try:
        day = parse_date(as_of, "Ngày tính") or date.today()
    except QueryError as problem:
        error, day = str(problem), date.today()
    current = chain[-1]
    counts = None
    # A province's lists take seconds each: its officers pick a commune to see the counts.
    if current.level != "province" and not error:
        try:
            counts = list_counts(request.app.state.analytics, current, day)
        except QueryError as problem:
            error = str(problem)
    return render(request, "worklists/index.html", status_code=400 if error else 200, chain=chain, unit=current,
                  as_of=day, since=default_since(day), days=DEFAULT_DAYS, counts=counts, labels=LIST_LABELS,
                  hints=LIST_HINTS, names=list(ListName), error=error,
                  choices=unit_choices(engine, request.app.state.analytics, account, chain))


def _query(request: Request, account: Account, name: ListName, unit: str | None, as_of: str, days: str,
           since: str) -> ListQuery:
    return list_query(request.app.state.engine, request.app.state.analytics, account, name, unit,
                      parse_date(as_of, "Ngày tính"), parse_days(days), parse_date(since, "Từ ngày"))


def _list_page(request: Request, account: Account, name: ListName, unit: str | None, as_of: str, days: str,
               since: str, page: int, reveal: bool):
    engine = request.app.state.engine
    entered = {"unit": unit or "", "as_of": as_of, "days": days, "since": since}
    try:
        query = _query(request, account, name, unit, as_of, days, since)
        rows = list_rows(request.app.state.analytics, query)
    except QueryError as error:
        chain = check_unit(engine, account, unit or home_of(request.app.state.analytics, account))
        return no_store(_render_list(request, account, name, chain, entered, status_code=400, error=str(error)))
    pages = max(1, -(-len(rows) // PAGE_SIZE))
    page = min(max(page, 1), pages)
    shown = rows[(page - 1) * PAGE_SIZE:page * PAGE_SIZE]
    record(engine, account.username, "reveal_id" if reveal else "view_people", unit_code=query.unit.code,
           subject=f"worklist {name.value}",
           detail={**query.params(), "rows": len(rows), "page": page,
                   "person_ids": [row.person.person_id for row in shown]},
           client=client_host(request))
    return no_store(_render_list(
        request, account, name, query.chain, {**entered, **query.params()}, query=query, total=len(rows),
        hamlets=per_hamlet(rows) if query.unit.level != "province" else [], columns=columns(name),
        lines=list(zip(shown, shown_values(query, shown, reveal))), revealed=reveal, page=page, pages=pages,
        page_size=PAGE_SIZE, params=query.params(), here=f"/worklists/{name.value}?{urlencode(query.params())}"))


def _render_list(request: Request, account: Account, name: ListName, chain: list[UnitInfo], entered: dict,
                 status_code: int = 200, error: str | None = None, query: ListQuery | None = None, **shown):
    return render(request, "worklists/list.html", status_code=status_code, list_name=name, labels=LIST_LABELS,
                  hints=LIST_HINTS, chain=chain, unit=chain[-1], entered=entered, error=error, query=query,
                  choices=unit_choices(request.app.state.engine, request.app.state.analytics, account, chain),
                  with_days=name in WITH_DAYS, with_since=name in WITH_SINCE,
                  with_reminders=name in REMINDER_LISTS, with_participants=name in PARTICIPANT_LISTS, **shown)


@router.get("/worklists/{name}")
def list_page(request: Request, name: str, unit: str | None = Query(None), as_of: str = Query(""),
              days: str = Query(""), since: str = Query(""), page: int = Query(1),
              account: Account = Depends(require("view"))):
    return _list_page(request, account, _list_name(name), unit, as_of, days, since, page, reveal=False)


@router.post("/worklists/{name}/reveal", dependencies=[Depends(csrf_checked)])
def reveal_page(request: Request, name: str, unit: str = Form(...), as_of: str = Form(""), days: str = Form(""),
                since: str = Form(""), page: int = Form(1), account: Account = Depends(require("reveal_id"))):
    """The page with whole ID and BHXH numbers, in this one response only; the reveal is audited."""
    return _list_page(request, account, _list_name(name), unit, as_of, days, since, page, reveal=True)


def _download(request: Request, account: Account, name: ListName, unit: str | None, as_of: str, days: str,
              since: str, output: str, reveal: bool):
    if output not in FORMATS:
        raise HTTPException(400, gettext("Định dạng tệp phải là csv, xlsx, reminders hoặc participants."))
    if output == "reminders" and (reveal or name not in REMINDER_LISTS):
        raise HTTPException(400, gettext("Tin nhắn nhắc chỉ lập từ danh sách thẻ sắp hết hạn, thẻ đã hết hạn hoặc "
                                         "người chưa có thẻ."))
    if output == "participants" and name not in PARTICIPANT_LISTS:
        raise HTTPException(400, gettext("Danh sách gửi BHXH (mẫu D03-TS) chỉ lập từ danh sách diện ngân sách chưa có "
                                         "thẻ hoặc báo tăng."))
    try:
        query = _query(request, account, name, unit, as_of, days, since)
        rows = list_rows(request.app.state.analytics, query)
    except QueryError as error:
        raise HTTPException(400, str(error)) from None
    detail = {**query.params(), "rows": len(rows), "format": output}
    if output == "reminders":
        # The messages carry phone numbers in full: an export of named people, as the CLI records it.
        content, detail["messages"] = reminders_file(request.app.state.analytics, query, rows)
        filename = f"{query.file_stem}-tin-nhan.csv"
    elif output == "participants":
        content, detail["listed"] = participants_xlsx(request.app.state.analytics, query, rows, reveal)
        filename = f"{query.file_stem}-D03-TS{'-day-du' if reveal else ''}.xlsx"
    else:
        content = csv_file(query, rows, reveal) if output == "csv" else xlsx_file(query, rows, reveal)
        filename = f"{query.file_stem}{'-day-du' if reveal else ''}.{output}"
    # As `bhyt worklist` writes it: the action says whether the numbers went out whole.
    record(request.app.state.engine, account.username, "reveal_id" if reveal else "export_people",
           unit_code=query.unit.code, subject=f"worklist {name.value}", detail=detail, client=client_host(request))
    return no_store(Response(content, media_type=FORMATS[output],
                             headers={"Content-Disposition": f'attachment; filename="{filename}"'}))


@router.get("/worklists/{name}/export")
def export_masked(request: Request, name: str, output: str = Query("xlsx", alias="format"),
                  unit: str | None = Query(None), as_of: str = Query(""), days: str = Query(""),
                  since: str = Query(""), account: Account = Depends(require("export_lists"))):
    return _download(request, account, _list_name(name), unit, as_of, days, since, output, reveal=False)


@router.post("/worklists/{name}/export", dependencies=[Depends(csrf_checked)])
def export_revealed(request: Request, name: str, output: str = Form("xlsx", alias="format"),
                    unit: str = Form(...), as_of: str = Form(""), days: str = Form(""), since: str = Form(""),
                    account: Account = Depends(require("export_lists"))):
    """The file with whole ID and BHXH numbers, for whoever may both download and reveal them."""
    permitted("reveal_id", account)
    return _download(request, account, _list_name(name), unit, as_of, days, since, output, reveal=True)
