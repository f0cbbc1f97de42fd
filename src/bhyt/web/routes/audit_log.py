"""The audit-log page: who saw, revealed, exported or changed what, and when, newest first."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Depends, Query, Request

from bhyt.web.accounts import Account
from bhyt.web.audit import ACTION_NAMES
from bhyt.web.audit_entries import AuditFilter, audit_page, known_usernames
from bhyt.web.auth import require
from bhyt.web.i18n import N_
from bhyt.web.routes import NavItem
from bhyt.web.templating import render

router = APIRouter(include_in_schema=False)
NAV = [NavItem(90, N_("Nhật ký truy cập"), "/audit", "view_audit")]


class FilterError(ValueError):
    pass


def _day(text: str, what: str) -> date | None:
    """A date from the filter form, whose empty fields arrive as empty strings."""
    if not text.strip():
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise FilterError(f"{what} '{text}' không phải một ngày (YYYY-MM-DD).") from None


def _filter(user: str, action: str, since: str, until: str) -> AuditFilter:
    if action and action not in ACTION_NAMES:
        raise FilterError(f"Không có hành động '{action}'.")
    wanted = AuditFilter(user.strip() or None, action or None, _day(since, "Từ ngày"), _day(until, "Đến ngày"))
    if wanted.since and wanted.until and wanted.until < wanted.since:
        raise FilterError("Đến ngày phải sau hoặc bằng từ ngày.")
    return wanted


@router.get("/audit")
def audit_log_page(request: Request, user: str = Query(""), action: str = Query(""),
                   since: str = Query("", alias="from"), until: str = Query("", alias="to"),
                   page: int = Query(1), account: Account = Depends(require("view_audit"))):
    engine = request.app.state.engine
    params = {"user": user, "action": action, "from": since, "to": until}
    try:
        wanted = _filter(user, action, since, until)
    except FilterError as error:
        result, message = None, str(error)
    else:
        result, message = audit_page(engine, account.unit_code, wanted, page), None
    response = render(request, "audit/log.html", status_code=400 if message else 200, result=result,
                      error=message, params=params, action_names=ACTION_NAMES,
                      usernames=known_usernames(engine, account.unit_code))
    response.headers["Cache-Control"] = "no-store"
    return response
