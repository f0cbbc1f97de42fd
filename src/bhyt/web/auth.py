"""FastAPI dependencies that guard every route: who is asking (session cookie or bearer token), may
their role do this, and does a form carry the session's CSRF token."""

from __future__ import annotations

import secrets

from fastapi import Depends, HTTPException, Request

from bhyt.web.accounts import Account, account_for_token
from bhyt.web.i18n import gettext

LOGIN_CSRF_COOKIE = "bhyt_login_csrf"


class LoginRequired(Exception):
    """A page was asked for without a session: the app answers with the sign-in page."""


def signed_in(request: Request) -> Account:
    session = request.state.session
    if session is None:
        raise LoginRequired()
    return session.account


def api_account(request: Request) -> Account:
    """A machine client's bearer token, or the browser's session (the pages' own scripts call the API)."""
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        account = account_for_token(request.app.state.engine, header[7:].strip())
        if account is None:
            raise HTTPException(401, gettext("Mã truy cập không hợp lệ hoặc đã bị thu hồi."),
                                headers={"WWW-Authenticate": "Bearer"})
        request.state.token_account = account  # for the audit entry if the request is refused later
        return account
    if request.state.session is None:
        raise HTTPException(401, gettext("Cần đăng nhập hoặc mã truy cập (Authorization: Bearer …)."),
                            headers={"WWW-Authenticate": "Bearer"})
    return request.state.session.account


def permitted(permission: str, account: Account) -> Account:
    if not account.may(permission):
        raise HTTPException(403, gettext("Vai trò của bạn không được làm việc này."))
    return account


def require(permission: str):
    """A page dependency: the signed-in account, if its role has `permission`."""

    def dependency(account: Account = Depends(signed_in)) -> Account:
        return permitted(permission, account)

    return dependency


async def csrf_checked(request: Request) -> None:
    """Every form posts the token of its session (or, before sign-in, of the sign-in cookie); a form
    forged on another site cannot know it."""
    form = await request.form()
    sent = str(form.get("csrf_token", "")) or request.headers.get("x-csrf-token", "")
    session = request.state.session
    expected = session.csrf_token if session else request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not expected or not secrets.compare_digest(sent, expected):
        raise HTTPException(403, gettext("Phiên làm việc đã hết hạn hoặc biểu mẫu không hợp lệ: hãy tải lại trang."))
