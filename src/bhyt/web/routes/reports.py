"""Report downloads: the target appendix and the monthly, quarterly, 6-monthly and annual coverage
reports, as the XLSX files `bhyt report` writes, by the same functions and with the same defaults."""

from __future__ import annotations

import tempfile
import unicodedata
from datetime import date
from pathlib import Path
from urllib.parse import quote

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from sqlalchemy import Engine, select

from bhyt.analytics.engine import SharedAnalytics
from bhyt.domain.report_periods import PeriodKind, previous_as_of, report_period
from bhyt.reports.appendix import APPENDIX_NUMBER, appendix_rows, appendix_subtitle, appendix_title, write_appendix
from bhyt.reports.periodic import PERIODIC_NUMBER, periodic_report, periodic_title, write_periodic
from bhyt.reports.headers import unit_header
from bhyt.reports.unit_names import UNIT_TITLES, full_name, in_sentence
from bhyt.store.models import Unit
from bhyt.web.accounts import Account
from bhyt.web.audit import record
from bhyt.web.auth import require
from bhyt.web.i18n import N_, error_text, gettext
from bhyt.web.routes import NavItem
from bhyt.web.scope import UnitInfo, check_unit, home_unit
from bhyt.web.templating import render

router = APIRouter(include_in_schema=False)
NAV = [NavItem(60, N_("Báo cáo"), "/reports", "download_reports")]

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
APPENDIX = "appendix"
# The report kinds of `bhyt report`, with the period kind each one counts over (None: the appendix).
REPORT_KINDS = {
    APPENDIX: (None, N_("Phụ lục chỉ tiêu phát triển BHYT")),
    "monthly": (PeriodKind.MONTH, N_("Báo cáo tháng")),
    "quarterly": (PeriodKind.QUARTER, N_("Báo cáo quý")),
    "half-year": (PeriodKind.HALF_YEAR, N_("Báo cáo 6 tháng")),
    "annual": (PeriodKind.YEAR, N_("Báo cáo năm")),
}
SOURCES = {"registry": N_("Sổ đăng ký"), "official": N_("Dân số chính thức và báo cáo tổng hợp của BHXH")}
# As the CLI: the appendix divides by the official population, the periodic reports count the registry.
DEFAULT_SOURCE = {APPENDIX: "official"}


class ReportRefused(ValueError):
    """Arguments no report can be made from, with the reason for the officer."""


@router.get("/reports")
def reports_page(request: Request, account: Account = Depends(require("download_reports"))):
    return _page(request, account, {"kind": "quarterly", "year": date.today().year, "period": "", "unit": None,
                                    "source": "", "as_of": "", "date": ""})


@router.get("/reports/download")
def download(request: Request, kind: str = Query(...), year: int = Query(...), period: str = Query(""),
             unit: str | None = Query(None), source: str = Query(""), as_of: str = Query(""),
             document_date: str = Query("", alias="date"),
             account: Account = Depends(require("download_reports"))):
    engine = request.app.state.engine
    if unit is None:
        with request.app.state.analytics.connection() as con:
            unit = home_unit(con, account)
    chain = check_unit(engine, account, unit)
    chosen = {"kind": kind, "year": year, "period": period, "unit": unit, "source": source, "as_of": as_of,
              "date": document_date}
    try:
        content, title = _report(engine, request.app.state.analytics, chain[-1], kind, year, period,
                                 source or DEFAULT_SOURCE.get(kind, "registry"), _date(as_of, N_("Ngày chốt số liệu")),
                                 _date(document_date, N_("Ngày ký văn bản")))
    except ValueError as error:  # ReportRefused, InvalidPeriod, TargetError, UnknownUnit
        return _page(request, account, chosen, status_code=400, error=error_text(error))
    ascii_name = _ascii(title)
    record(engine, account.username, "download_report", unit_code=chain[-1].code, subject=ascii_name,
           detail=chosen, client=request.client.host if request.client else None)
    disposition = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(title)}"
    return Response(content, media_type=XLSX, headers={"Content-Disposition": disposition})


def _report(engine: Engine, shared: SharedAnalytics, unit: UnitInfo, kind: str, year: int, period: str, source: str,
            as_of: date | None, document_date: date | None) -> tuple[bytes, str]:
    """The XLSX file and its name, from the functions and defaults of `bhyt report`."""
    if kind not in REPORT_KINDS:
        raise ReportRefused(gettext("Hãy chọn loại báo cáo."))
    if source not in SOURCES:
        raise ReportRefused(gettext("Nguồn số liệu phải là sổ đăng ký hoặc dân số chính thức."))
    if unit.child_level is None:
        raise ReportRefused(gettext("'%(unit)s' là thôn, không có đơn vị cấp dưới: hãy chọn báo cáo của xã.")
                            % {"unit": unit.name})
    with engine.connect() as connection:
        unit_kind = connection.execute(select(Unit.kind).where(Unit.code == unit.code)).scalar_one()
    period_kind, label = REPORT_KINDS[kind]
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "report.xlsx"
        if period_kind is None:
            when = as_of or date(year - 1, 12, 31)
            with shared.connection() as con:
                rows = appendix_rows(con, year, unit.child_level, unit.code, when, source)
            header = unit_header(unit.name, unit_kind, unit.level, APPENDIX_NUMBER, appendix_title(year),
                                 appendix_subtitle(in_sentence(unit.name, unit_kind)), document_date=document_date)
            write_appendix(out, header, rows, year, when, UNIT_TITLES[unit.child_level])
            title = f"{label} năm {year} - {full_name(unit.name, unit_kind)}.xlsx"
        else:
            number = None if period_kind is PeriodKind.YEAR else _period_number(period)
            report_of = report_period(period_kind, year, number)
            when = as_of or report_of.end
            with shared.connection() as con:
                report = periodic_report(con, report_of, unit.code, unit.child_level, when,
                                         previous_as_of(report_of, when), source)
            header = unit_header(unit.name, unit_kind, unit.level, PERIODIC_NUMBER, periodic_title(report_of),
                                 document_date=document_date)
            write_periodic(out, header, report)
            name = report_of.name  # "Quý III năm 2026": only its first letter goes lower case in a sentence
            title = f"Báo cáo {name[:1].lower()}{name[1:]} - {full_name(unit.name, unit_kind)}.xlsx"
        return out.read_bytes(), title


def _period_number(text: str) -> int:
    if not text.strip().isdigit():
        raise ReportRefused(gettext("Hãy chọn kỳ báo cáo: tháng 1–12, quý 1–4 hoặc 6 tháng 1–2."))
    return int(text)


def _date(text: str, what: str) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ReportRefused(gettext("%(what)s không hợp lệ: '%(text)s' (cần dạng YYYY-MM-DD).")
                            % {"what": gettext(what), "text": text}) from None


def _ascii(name: str) -> str:
    """The file name for browsers that ignore filename*: Vietnamese letters without their marks."""
    plain = unicodedata.normalize("NFKD", name.replace("đ", "d").replace("Đ", "D"))
    plain = "".join(char for char in plain if not unicodedata.combining(char))
    return "".join(char if char.isascii() and (char.isalnum() or char in ".-_") else "_" for char in plain)


def _page(request: Request, account: Account, chosen: dict, status_code: int = 200, error: str | None = None):
    """The form, offering the account's own unit and, for a province, its communes."""
    engine = request.app.state.engine
    with request.app.state.analytics.connection() as con:
        chain = check_unit(engine, account, home_unit(con, account))
    account_unit = chain[-1]
    chosen = dict(chosen, unit=chosen["unit"] or account_unit.code)
    units = [(account_unit.code, account_unit.name)]
    if account_unit.child_level == "commune":
        with engine.connect() as connection:
            units += connection.execute(select(Unit.code, Unit.name).where(
                Unit.parent_code == account_unit.code).order_by(Unit.name)).all()
    return render(request, "reports/index.html", status_code=status_code, chain=chain, chosen=chosen, units=units,
                  kinds={code: label for code, (_, label) in REPORT_KINDS.items()}, sources=SOURCES, error=error)
