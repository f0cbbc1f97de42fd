"""The web application: `create_app(engine)` wires the middleware, the error pages and the routes."""

from __future__ import annotations

import secrets
import threading
from contextlib import asynccontextmanager
from datetime import date
from http import HTTPStatus
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from sqlalchemy import Engine
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from urllib.parse import quote

from bhyt.analytics.engine import SharedAnalytics
from bhyt.store.db import default_engine
from bhyt.web import i18n
from bhyt.web.auth import LOGIN_CSRF_COOKIE, LoginRequired
from bhyt.web.i18n import N_
from bhyt.web.scope import NoSuchUnit, OutOfScope
from bhyt.web.sessions import COOKIE, session_for
from bhyt.web.templating import render, templates

STATIC = Path(__file__).parent / "static"
# Scripts and styles only from this server: no CDN, no inline script (data reaches the charts as JSON).
CONTENT_SECURITY_POLICY = "default-src 'self'; img-src 'self' data:; object-src 'none'; frame-ancestors 'none'; form-action 'self'"

# Files and the health check need no session: their requests skip the lookup.
SESSIONLESS_PATHS = ("/static/", "/healthz")
# Starlette's own errors (no such path, a method the path does not take) say it in English.
ROUTING_ERRORS = {404: N_("Không có trang hoặc tài nguyên này."), 405: N_("Địa chỉ này không nhận phương thức đó.")}


def create_app(engine: Engine | None = None, warm_up: bool = False) -> FastAPI:
    """`warm_up`: once serving, work out the busiest province's dashboard in the background, so its first
    visitor does not wait the seconds it takes (the server does; tests do not)."""
    from bhyt.web.routes import nav_items, routers

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        if warm_up:
            threading.Thread(target=_warm_busiest_province, args=(app,), daemon=True, name="warm-up").start()
        yield

    app = FastAPI(title="BHYT Toàn Dân", version="0.1.0",
                  description="API độ bao phủ, đơn vị, chỉ tiêu, nguy cơ và dự báo bảo hiểm y tế.",
                  docs_url="/api/docs", openapi_url="/api/openapi.json", redoc_url=None, lifespan=lifespan)
    app.state.engine = engine or default_engine()
    app.state.analytics = SharedAnalytics(app.state.engine)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    for router in routers():
        app.include_router(router)
    templates.env.globals["nav_items"] = nav_items()

    @app.middleware("http")
    async def session_and_language(request: Request, call_next):
        sessionless = request.scope["path"].startswith(SESSIONLESS_PATHS)
        secret = None if sessionless else request.cookies.get(COOKIE)
        # A database read: on a worker thread, so the event loop goes on serving the other requests.
        request.state.session = await run_in_threadpool(session_for, app.state.engine, secret) if secret else None
        login_csrf = request.cookies.get(LOGIN_CSRF_COOKIE)
        request.state.login_csrf = login_csrf or secrets.token_urlsafe(32)
        token = i18n.current_language.set(i18n.language_of(request.cookies.get(i18n.COOKIE)))
        try:
            with app.state.analytics.one_reading():
                response = await call_next(request)
        finally:
            i18n.current_language.reset(token)
        if request.state.session is None and not login_csrf and not sessionless:
            response.set_cookie(LOGIN_CSRF_COOKIE, request.state.login_csrf, httponly=True, samesite="strict",
                                secure=request.url.scheme == "https")
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        return response

    @app.exception_handler(LoginRequired)
    async def to_login(request: Request, _error: LoginRequired):
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={quote(target)}", status_code=303)

    @app.exception_handler(OutOfScope)
    async def out_of_scope(request: Request, error: OutOfScope):
        from bhyt.web.audit import record

        session = request.state.session
        account = session.account if session else getattr(request.state, "token_account", None)
        record(app.state.engine, account.username if account else "(không rõ)", "refused",
               unit_code=str(error), subject=request.url.path, client=_client(request))
        return _error_response(request, 403, i18n.gettext("Đơn vị này nằm ngoài phạm vi tài khoản của bạn."))

    @app.exception_handler(NoSuchUnit)
    async def no_such_unit(request: Request, error: NoSuchUnit):
        return _error_response(request, 404, i18n.gettext("Không có đơn vị mã %(code)s.") % {"code": error})

    # Starlette's class, which FastAPI's HTTPException extends: an unknown path or method is answered
    # in the same form as the routes' own errors.
    @app.exception_handler(HTTPException)
    async def http_error(request: Request, error: HTTPException):
        message = str(error.detail)
        if error.status_code in ROUTING_ERRORS and message == HTTPStatus(error.status_code).phrase:
            message = i18n.gettext(ROUTING_ERRORS[error.status_code])
        response = _error_response(request, error.status_code, message)
        for name, value in (error.headers or {}).items():
            response.headers[name] = value
        return response

    return app


def _warm_busiest_province(app: FastAPI) -> None:
    from bhyt.web.answers import warm
    from bhyt.web.scope import busiest_province, unit_info

    try:
        with app.state.analytics.connection() as con:
            code = busiest_province(con)
        warm(app.state.analytics, unit_info(app.state.engine, code), date.today())
    except NoSuchUnit:
        pass  # an empty database: nothing to prepare


def _client(request: Request) -> str | None:
    return request.client.host if request.client else None


def _error_response(request: Request, status: int, message: str):
    if request.url.path.startswith("/fhir"):
        from bhyt.web.routes.fhir import fhir_error

        return fhir_error(status, message)
    if request.url.path.startswith("/api"):
        return JSONResponse({"detail": message}, status_code=status)
    return render(request, "error.html", status_code=status, status=status, message=message)
