"""`GET /api/worklists/{name}`: a work list as JSON rows keyed by the CSV headers of `bhyt worklist`, ID
numbers masked, scoped and audited like every list of named people."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Depends, HTTPException, Query, Request

from bhyt.analytics.worklists.insured import DEFAULT_DAYS
from bhyt.web.accounts import Account
from bhyt.web.audit import record
from bhyt.web.auth import api_account
from bhyt.web.worklist_views import QueryError, client_host, list_query, list_rows, shown_values
from bhyt.worklist_tables import ListName, columns

router = APIRouter(prefix="/api", tags=["api"])

Cell = str | int | date | None


@router.get("/worklists/{name}", response_model=list[dict[str, Cell]], summary="Danh sách công việc")
def api_worklist(
    request: Request,
    name: ListName,
    unit: str | None = Query(None, description="Mã xã, thôn (hoặc tỉnh); mặc định: đơn vị của tài khoản."),
    as_of: date | None = Query(None, description="Ngày tính; mặc định hôm nay."),
    days: int = Query(DEFAULT_DAYS, ge=1, le=366,
                      description="expiring: hết hạn trong N ngày tới; lapsed: hết hạn trong N ngày qua."),
    since: date | None = Query(None, description="newly-eligible: từ ngày; mặc định đầu tháng của ngày tính."),
    account: Account = Depends(api_account),
):
    """The rows of `bhyt worklist NAME --format json` for the same arguments: one object per person, keyed
    by the CSV headers (`so_dinh_danh`, `ho_ten`, …, `reason`), personal ID and BHXH numbers masked; the
    reason in English for a browser that chose English."""
    shared = request.app.state.analytics
    try:
        query = list_query(request.app.state.engine, shared, account, name, unit, as_of, days, since)
        rows = list_rows(shared, query)
    except QueryError as error:
        raise HTTPException(422, str(error)) from None
    record(request.app.state.engine, account.username, "export_people", unit_code=query.unit.code,
           subject=f"worklist {name.value}", detail={**query.params(), "rows": len(rows), "format": "json"},
           client=client_host(request))
    keys = [column.key for column in columns(name)]
    return [dict(zip(keys, line)) for line in shown_values(query, rows, reveal=False)]
