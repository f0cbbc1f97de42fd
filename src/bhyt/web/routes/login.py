"""Signing in and out, and the language switch."""

from __future__ import annotations

from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse

from bhyt.web import i18n
from bhyt.web.accounts import AccountError, authenticate
from bhyt.web.audit import record
from bhyt.web.auth import csrf_checked
from bhyt.web.sessions import COOKIE, LIFETIME, end_session, start_session
from bhyt.web.templating import render

router = APIRouter(include_in_schema=False)


def _safe_next(target: str | None) -> str:
    """Only a path on this site: a sign-in link must not send anyone elsewhere."""
    if not target:
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return "/"
    return target


@router.get("/login")
def login_page(request: Request, next: str | None = None):
    return render(request, "login.html", next=_safe_next(next), error=None, username="")


@router.post("/login", dependencies=[Depends(csrf_checked)])
def login(request: Request, username: str = Form(...), password: str = Form(...), next: str = Form("/")):
    engine = request.app.state.engine
    client = request.client.host if request.client else None
    try:
        account = authenticate(engine, username.strip(), password)
    except AccountError as error:
        record(engine, username.strip()[:64] or "(trống)", "login_failed", client=client)
        return render(request, "login.html", status_code=401, next=_safe_next(next), error=i18n.error_text(error),
                      username=username)
    secret = start_session(engine, account)
    record(engine, account.username, "login", unit_code=account.unit_code, client=client)
    response = RedirectResponse(_safe_next(next), status_code=303)
    response.set_cookie(COOKIE, secret, max_age=int(LIFETIME.total_seconds()), httponly=True, samesite="lax",
                        secure=request.url.scheme == "https")
    return response


@router.post("/logout", dependencies=[Depends(csrf_checked)])
def logout(request: Request):
    secret = request.cookies.get(COOKIE)
    if secret and request.state.session:
        end_session(request.app.state.engine, secret)
        record(request.app.state.engine, request.state.session.account.username, "logout")
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(COOKIE)
    return response


@router.get("/lang/{language}")
def switch_language(language: str, next: str | None = None):
    response = RedirectResponse(_safe_next(next), status_code=303)
    response.set_cookie(i18n.COOKIE, i18n.language_of(language), max_age=365 * 24 * 3600, samesite="lax")
    return response
