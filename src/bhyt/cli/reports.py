"""`bhyt report`: the official XLSX reports — the target appendix and the periodic coverage reports."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import Enum
from pathlib import Path
from typing import Annotated, Callable, Optional, TypeVar

import duckdb
import typer
from xlsxwriter.exceptions import FileCreateError

from bhyt.analytics.coverage import LEVELS, UnknownUnit
from bhyt.analytics.engine import analytics
from bhyt.cli.app import app
from bhyt.cli.common import Level, console, fail, parse_date
from bhyt.domain.report_periods import InvalidPeriod, PeriodKind, previous_as_of, report_period
from bhyt.domain.targets import TargetError
from bhyt.reports.appendix import APPENDIX_NUMBER, appendix_rows, appendix_subtitle, appendix_title, write_appendix
from bhyt.reports.official import DocumentHeader, count_text, percent_text
from bhyt.reports.periodic import PERIODIC_NUMBER, periodic_report, periodic_title, write_periodic
from bhyt.reports.headers import unit_header
from bhyt.reports.unit_names import PEOPLES_COMMITTEE, UNIT_TITLES, full_name, in_sentence
from bhyt.store.db import default_engine
from bhyt.store.migrate import upgrade

T = TypeVar("T")

report_app = typer.Typer(help="Báo cáo XLSX theo thể thức văn bản hành chính: phụ lục chỉ tiêu, báo cáo định kỳ.",
                         no_args_is_help=True)
app.add_typer(report_app, name="report")


class Source(str, Enum):
    registry = "registry"
    official = "official"


@dataclass(frozen=True)
class _Unit:
    code: str
    name: str
    level: str
    kind: str
    # The unit whose People's Committee issues the report: a hamlet has none, its commune does.
    issuer_name: str
    issuer_kind: str
    issuer_level: str


Year = Annotated[int, typer.Option(help="Năm báo cáo hoặc năm chỉ tiêu.")]
Out = Annotated[Path, typer.Option("--out", help="Tệp XLSX sẽ ghi.")]
UnitOption = Annotated[Optional[str], typer.Option(
    help="Đơn vị báo cáo (mã tỉnh hoặc xã). Mặc định: tỉnh duy nhất có trong sổ đăng ký.")]
LevelOption = Annotated[Optional[Level], typer.Option(
    help="Cấp của các dòng trong bảng. Mặc định: cấp ngay dưới đơn vị (tỉnh → xã, xã → thôn).")]
AsOf = Annotated[Optional[str], typer.Option(help="Ngày chốt số liệu (YYYY-MM-DD).")]
Issuer = Annotated[Optional[str], typer.Option(
    help="Cơ quan ban hành, các dòng cách nhau bởi '/'. Mặc định: Ủy ban nhân dân của đơn vị.")]
Signer = Annotated[Optional[str], typer.Option(
    help="Khối chữ ký, các dòng cách nhau bởi '/'. Mặc định: 'TM. ỦY BAN NHÂN DÂN/CHỦ TỊCH'.")]
Number = Annotated[Optional[str], typer.Option(help="Dòng số, ký hiệu văn bản, ví dụ 'Số: 12/BC-UBND'.")]
Place = Annotated[Optional[str], typer.Option(help="Địa danh ở dòng ngày tháng. Mặc định: tên đơn vị.")]
PeriodicSource = Annotated[Source, typer.Option(
    help="registry: sổ đăng ký; official: dân số chính thức và báo cáo tổng hợp của BHXH (đơn vị chưa có dân số "
         "chính thức thì lấy sổ đăng ký).")]
DocumentDate = Annotated[Optional[str], typer.Option("--date", help="Ngày ký văn bản (YYYY-MM-DD). Mặc định: hôm nay.")]


@report_app.command("appendix")
def appendix_command(
    year: Year,
    out: Out,
    unit: UnitOption = None,
    level: LevelOption = None,
    as_of: Annotated[Optional[str], typer.Option(
        help="Ngày tính số người tham gia (YYYY-MM-DD). Mặc định: 31/12 năm trước.")] = None,
    source: Annotated[Source, typer.Option(
        help="official: dân số chính thức năm trước và báo cáo tổng hợp (đơn vị chưa có thì lấy sổ đăng ký); "
             "registry: chỉ sổ đăng ký.")] = Source.official,
    issuer: Issuer = None,
    signer: Signer = None,
    number: Number = None,
    subtitle: Annotated[Optional[str], typer.Option(
        help="Dòng dưới tiêu đề, ví dụ '(Kèm theo Kế hoạch số …)'.")] = None,
    place: Place = None,
    document_date: DocumentDate = None,
) -> None:
    """Phụ lục chỉ tiêu phát triển BHYT của năm: dân số, người tham gia cuối năm trước, chỉ tiêu, số phải vận động."""
    _check_out(out)
    when = parse_date(as_of) if as_of else date(year - 1, 12, 31)
    engine = default_engine()
    upgrade(engine)
    with analytics(engine) as con:
        scope = _resolve_unit(con, unit)
        rows_level = _rows_level(scope, level)
        try:
            rows = appendix_rows(con, year, rows_level, scope.code, when, source.value)
        except (UnknownUnit, TargetError, ValueError) as error:
            raise fail(str(error)) from None
    header = _header(
        scope, issuer, signer, number or APPENDIX_NUMBER, place, document_date, appendix_title(year),
        subtitle if subtitle is not None else appendix_subtitle(in_sentence(scope.issuer_name, scope.issuer_kind)),
    )
    total = _written(out, lambda: write_appendix(out, header, rows, year, when, UNIT_TITLES[rows_level]))
    if total.target_count is None:
        targets = "chưa đủ chỉ tiêu của mọi đơn vị (xem ghi chú trong tệp)"
    else:
        rate = f" ({percent_text(total.target_rate)} %)" if total.target_rate is not None else ""
        targets = (f"chỉ tiêu {count_text(total.target_count)} người{rate}, "
                   f"phải vận động {count_text(total.still_to_enrol)}")
    console.print(f"Đã ghi {out}", soft_wrap=True)
    console.print(
        f"Phụ lục chỉ tiêu năm {year} của {full_name(scope.name, scope.kind)}, {len(rows)} đơn vị. Tổng cộng: "
        f"dân số {count_text(total.population)}, tham gia {count_text(total.insured)}, {targets}.",
        soft_wrap=True,
    )


def _periodic(kind: PeriodKind, year: int, number: int | None, out: Path, unit: str | None, level: Level | None,
              as_of: str | None, source: Source, issuer: str | None, signer: str | None, document_number: str | None,
              place: str | None, document_date: str | None) -> None:
    try:
        period = report_period(kind, year, number)
    except InvalidPeriod as error:
        raise fail(str(error)) from None
    _check_out(out)
    when = parse_date(as_of) if as_of else period.end
    before = previous_as_of(period, when)
    engine = default_engine()
    upgrade(engine)
    with analytics(engine) as con:
        scope = _resolve_unit(con, unit)
        rows_level = _rows_level(scope, level)
        try:
            report = periodic_report(con, period, scope.code, rows_level, when, before, source.value)
        except (UnknownUnit, ValueError) as error:
            raise fail(str(error)) from None
    header = _header(scope, issuer, signer, document_number or PERIODIC_NUMBER, place, document_date,
                     periodic_title(period), "")
    total = _written(out, lambda: write_periodic(out, header, report))
    rate = f" ({percent_text(total.coverage_pct)} %)" if total.coverage_pct is not None else ""
    change = count_text(total.insured_change, signed=True) + " người"
    if total.pct_change is not None:
        change += f", {percent_text(total.pct_change, signed=True)} điểm %"
    console.print(f"Đã ghi {out}", soft_wrap=True)
    console.print(
        f"{period.name}, {full_name(scope.name, scope.kind)}, {len(report.units)} đơn vị, số liệu đến ngày "
        f"{when:%d/%m/%Y} so với ngày {before:%d/%m/%Y}. Tổng cộng: dân số {count_text(total.population or 0)}, "
        f"tham gia {count_text(total.insured)}{rate}; so với kỳ trước {change}.",
        soft_wrap=True,
    )


@report_app.command("monthly")
def monthly_command(
    year: Year, out: Out,
    period: Annotated[int, typer.Option(help="Tháng (1–12).")],
    unit: UnitOption = None, level: LevelOption = None, as_of: AsOf = None,
    source: PeriodicSource = Source.registry,
    issuer: Issuer = None, signer: Signer = None, number: Number = None, place: Place = None,
    document_date: DocumentDate = None,
) -> None:
    """Báo cáo tháng: bao phủ theo đơn vị, nhóm và mã đối tượng, so với cuối tháng trước."""
    _periodic(PeriodKind.MONTH, year, period, out, unit, level, as_of, source, issuer, signer, number, place,
              document_date)


@report_app.command("quarterly")
def quarterly_command(
    year: Year, out: Out,
    period: Annotated[int, typer.Option(help="Quý (1–4).")],
    unit: UnitOption = None, level: LevelOption = None, as_of: AsOf = None,
    source: PeriodicSource = Source.registry,
    issuer: Issuer = None, signer: Signer = None, number: Number = None, place: Place = None,
    document_date: DocumentDate = None,
) -> None:
    """Báo cáo quý: bao phủ theo đơn vị, nhóm và mã đối tượng, so với cuối quý trước."""
    _periodic(PeriodKind.QUARTER, year, period, out, unit, level, as_of, source, issuer, signer, number, place,
              document_date)


@report_app.command("half-year")
def half_year_command(
    year: Year, out: Out,
    period: Annotated[int, typer.Option(help="1: 6 tháng đầu năm, 2: 6 tháng cuối năm.")] = 1,
    unit: UnitOption = None, level: LevelOption = None,
    as_of: Annotated[Optional[str], typer.Option(
        help="Ngày chốt số liệu (YYYY-MM-DD). Mặc định: cuối kỳ (30/6). Báo cáo nộp trước 20/5 có thể chốt sớm, "
             "ví dụ 2026-05-15; khi đó kỳ trước tính đến cùng ngày 6 tháng trước (2025-11-15).")] = None,
    source: PeriodicSource = Source.registry,
    issuer: Issuer = None, signer: Signer = None, number: Number = None, place: Place = None,
    document_date: DocumentDate = None,
) -> None:
    """Báo cáo 6 tháng (Quảng Trị: nộp trước 20/5): bao phủ theo đơn vị, nhóm và mã đối tượng, so với kỳ trước."""
    _periodic(PeriodKind.HALF_YEAR, year, period, out, unit, level, as_of, source, issuer, signer, number, place,
              document_date)


@report_app.command("annual")
def annual_command(
    year: Year, out: Out,
    unit: UnitOption = None, level: LevelOption = None,
    as_of: Annotated[Optional[str], typer.Option(
        help="Ngày chốt số liệu (YYYY-MM-DD). Mặc định: 31/12. Báo cáo nộp trước 20/11 có thể chốt sớm, "
             "ví dụ 2026-11-15; khi đó năm trước tính đến cùng ngày (2025-11-15).")] = None,
    source: PeriodicSource = Source.registry,
    issuer: Issuer = None, signer: Signer = None, number: Number = None, place: Place = None,
    document_date: DocumentDate = None,
) -> None:
    """Báo cáo năm (Quảng Trị: nộp trước 20/11): bao phủ theo đơn vị, nhóm và mã đối tượng, so với năm trước."""
    _periodic(PeriodKind.YEAR, year, None, out, unit, level, as_of, source, issuer, signer, number, place,
              document_date)


def _resolve_unit(con: duckdb.DuckDBPyConnection, code: str | None) -> _Unit:
    if code is None:
        provinces = [row[0] for row in con.execute(
            "SELECT DISTINCT province_code FROM residences WHERE province_code IS NOT NULL ORDER BY 1").fetchall()]
        if len(provinces) != 1:
            found = f"có {len(provinces)} tỉnh" if provinces else "chưa có ai"
            raise fail(f"Sổ đăng ký {found}: hãy chọn đơn vị báo cáo bằng --unit.")
        code = provinces[0]
    found = con.execute(
        """SELECT u.name, u.level, u.kind, p.name, p.kind FROM db.units u LEFT JOIN db.units p ON p.code = u.parent_code
           WHERE u.code = ?""", [code]).fetchone()
    if found is None:
        raise fail(f"Không có đơn vị mã '{code}'.")
    name, level, kind, parent_name, parent_kind = found
    if level == "hamlet":
        return _Unit(code, name, level, kind, parent_name, parent_kind, "commune")
    return _Unit(code, name, level, kind, name, kind, level)


def _rows_level(scope: _Unit, level: Level | None) -> str:
    if level is not None:
        if LEVELS.index(level.value) < LEVELS.index(scope.level):
            raise fail(f"Cấp {level.value} lớn hơn đơn vị '{scope.code}' ({scope.level}): chọn cấp bằng hoặc nhỏ hơn.")
        return level.value
    if scope.level == "hamlet":
        raise fail(f"'{scope.name}' là thôn, không có đơn vị cấp dưới: chọn --level hamlet hoặc báo cáo của xã.")
    return LEVELS[LEVELS.index(scope.level) + 1]


def _header(scope: _Unit, issuer: str | None, signer: str | None, number: str, place: str | None,
            document_date: str | None, title: str, subtitle: str) -> DocumentHeader:
    issuer_lines = _lines(issuer) if issuer else None
    if issuer_lines and issuer_lines[0] != PEOPLES_COMMITTEE and not signer:
        raise fail("Cơ quan ban hành không phải Ủy ban nhân dân: hãy cho biết khối chữ ký bằng --signer, "
                   "ví dụ 'KT. GIÁM ĐỐC/PHÓ GIÁM ĐỐC'.")
    return unit_header(scope.issuer_name, scope.issuer_kind, scope.issuer_level, number, title, subtitle,
                       issuer_lines=issuer_lines, signer_lines=_lines(signer) if signer else None, place=place,
                       document_date=parse_date(document_date) if document_date else None)


def _lines(text: str) -> tuple[str, ...]:
    return tuple(line.strip() for line in text.split("/") if line.strip())


def _check_out(out: Path) -> None:
    """Refuse a bad output path before any figure is computed."""
    if out.suffix.lower() != ".xlsx":
        raise fail(f"Tệp ra phải có đuôi .xlsx: '{out}'.")
    if not out.parent.is_dir():
        raise fail(f"Không có thư mục '{out.parent}' để ghi báo cáo.")


def _written(out: Path, write: Callable[[], T]) -> T:
    try:
        return write()
    except FileCreateError as error:
        raise fail(f"Không ghi được tệp '{out}': {error}") from None
