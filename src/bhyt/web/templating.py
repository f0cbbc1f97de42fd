"""The Jinja2 environment every page is rendered with: the gettext callables, number formats as
Vietnamese officers write them (1.234.567 and 95,50 %), and the signed-in user and CSRF token."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from fastapi import Request
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader, select_autoescape

from bhyt.web import i18n

_environment = Environment(loader=FileSystemLoader(Path(__file__).parent / "templates"),
                           extensions=["jinja2.ext.i18n"], autoescape=select_autoescape())
templates = Jinja2Templates(env=_environment)
templates.env.install_gettext_callables(i18n.gettext, i18n.ngettext, newstyle=True)


def number(value: int | Decimal | None) -> str:
    """12345678 → '12.345.678' in Vietnamese, '12,345,678' in English; a fraction keeps its digits
    after the decimal mark of the language ('1.234,5' / '1,234.5')."""
    if value is None:
        return "–"
    grouped = f"{value:,}"
    if i18n.current_language.get() != "vi":
        return grouped
    return grouped.translate(str.maketrans({",": ".", ".": ","}))


def percent(value: Decimal | float | None, places: int = 2) -> str:
    if value is None:
        return "–"
    text = f"{Decimal(value):.{places}f}"
    return (text.replace(".", ",") if i18n.current_language.get() == "vi" else text) + " %"


templates.env.filters["number"] = number
templates.env.filters["percent"] = percent
templates.env.filters["translated"] = i18n.translated


def render(request: Request, name: str, status_code: int = 200, **context):
    session = getattr(request.state, "session", None)
    context.setdefault("user", session.account if session else None)
    context.setdefault("csrf_token", session.csrf_token if session else request.state.login_csrf)
    context["lang"] = i18n.current_language.get()
    context["languages"] = i18n.LANGUAGES
    return templates.TemplateResponse(request, name, context, status_code=status_code)
