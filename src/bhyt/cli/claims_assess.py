"""`bhyt claims assess|rules|prices|facilities|decide|rejections`: assessing the claims in the lake
against the rule catalogue, the reference lists the rules read, and the assessors' decisions."""

from __future__ import annotations

import getpass
import shutil
from datetime import date
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.table import Table

from bhyt.analytics.engine import plain_url
from bhyt.claims.assessment import Assessment, AssessmentError, Scope, assess, period_text
from bhyt.claims.assessment_files import (
    FINDING_COLUMNS,
    REJECTION_COLUMNS,
    SUMMARY_COLUMNS,
    decision_text,
    finding_row,
    rejection_rows,
    summary_rows,
    write_assessment_xlsx,
    write_csv_file,
    write_rejections_xlsx,
)
from bhyt.claims.catalogue import CatalogueError, Rule, load_catalogue, pick
from bhyt.claims.decisions import ACCEPT, REJECT, DecisionRefused, record_decision
from bhyt.claims.lake import ClaimsLake, LakeError
from bhyt.claims.reference import APPROVED_PRICES, FACILITY_TIERS, ReferenceError, ReferenceList, import_reference
from bhyt.cli.claims import claims_app
from bhyt.cli.common import Format, console, emit, errors, fail, parse_date
from bhyt.config import claims_lake_dir
from bhyt.store.db import default_engine

SHOWN = 100  # findings printed on the terminal; the files have them all

LakeOption = Annotated[Optional[Path], typer.Option(help="Thư mục kho hồ sơ (mặc định: BHYT_CLAIMS_LAKE hoặc "
                                                         "data/claims_lake).")]
FromOption = Annotated[Optional[date], typer.Option("--from", parser=parse_date, metavar="YYYY-MM-DD",
                                                   help="Hồ sơ ra viện (NGAY_RA) từ ngày.")]
ToOption = Annotated[Optional[date], typer.Option("--to", parser=parse_date, metavar="YYYY-MM-DD",
                                                 help="… đến ngày (tính cả ngày này).")]


class EngineName(str, Enum):
    duckdb = "duckdb"
    spark = "spark"


class OutputFormat(str, Enum):
    table = "table"
    csv = "csv"
    xlsx = "xlsx"


def _lake(lake: Path | None) -> ClaimsLake:
    return ClaimsLake(lake.resolve() if lake else claims_lake_dir())


def _run(lake: Path | None, scope: Scope, rule_ids: list[str] | None, engine: EngineName = EngineName.duckdb,
         spark_master: str = "local[*]") -> Assessment:
    if scope.first and scope.last and scope.first > scope.last:
        raise fail("--from phải trước hoặc bằng --to.")
    try:
        rules = pick(load_catalogue(), rule_ids, scope.first, scope.last)
        if not rules:
            raise fail("Không có quy tắc nào có hiệu lực trong khoảng thời gian đã chọn.")
        if engine is EngineName.spark:
            return _assess_on_spark(_lake(lake), plain_url(default_engine()), rules, scope, spark_master)
        return assess(_lake(lake), plain_url(default_engine()), rules, scope)
    except (CatalogueError, AssessmentError, LakeError) as error:
        raise fail(str(error)) from None


def _assess_on_spark(lake: ClaimsLake, database_url: str, rules: list[Rule], scope: Scope, master: str) -> Assessment:
    """The assessment with the rules run by Spark (the `spark` extra, and Java 17 for local mode)."""
    try:
        from bhyt.claims.spark_engine import assess_on_spark, spark_session
    except ImportError:
        raise fail("Chưa cài Spark: pip install 'bhyt[spark]'.") from None
    if master.startswith("local") and shutil.which("java") is None:
        raise fail("Spark cần Java 17 (apt-get install openjdk-17-jre-headless).")
    spark = spark_session(master)
    try:
        return assess_on_spark(spark, lake, database_url, rules, scope)
    finally:
        spark.stop()


@claims_app.command("assess")
def assess_command(
    first: FromOption = None,
    last: ToOption = None,
    facility: Annotated[Optional[str], typer.Option(help="Chỉ hồ sơ của cơ sở KCB này (MA_CSKCB).")] = None,
    rule: Annotated[Optional[list[str]], typer.Option("--rule", help="Chỉ quy tắc này (lặp lại được).")] = None,
    output: Annotated[OutputFormat, typer.Option("--format", help="table, csv hoặc xlsx.")] = OutputFormat.table,
    out: Annotated[Optional[Path], typer.Option(help="Ghi ra tệp này (bắt buộc với xlsx).")] = None,
    lake: LakeOption = None,
    engine: Annotated[EngineName, typer.Option(
        help="duckdb (một máy) hoặc spark (cụm máy; cùng kết quả).")] = EngineName.duckdb,
    spark_master: Annotated[str, typer.Option(help="Địa chỉ cụm Spark (spark://…, yarn) hoặc local[*] để chạy "
                                                   "trên máy này.")] = "local[*]",
) -> None:
    """Giám định hồ sơ trong kho theo danh mục quy tắc: mỗi dòng một cảnh báo (MA_LK, quy tắc, mức độ,
    số tiền có nguy cơ, giải thích), rồi tổng hợp theo cơ sở KCB và quy tắc. Tệp xlsx có thêm danh sách
    đề nghị từ chối thanh toán của từng cơ sở."""
    if output is OutputFormat.xlsx and out is None:
        raise fail("Định dạng xlsx cần --out TỆP.xlsx.")
    assessment = _run(lake, Scope(first, last, facility), rule, engine, spark_master)
    period = period_text(first, last)
    if output is OutputFormat.csv:
        write_csv_file(out, FINDING_COLUMNS, [finding_row(f) for f in assessment.findings])
    elif output is OutputFormat.xlsx:
        write_assessment_xlsx(out, assessment, f"Kết quả giám định, {period}")
    else:
        _print_findings(assessment)
    # The summary goes to the terminal; with CSV on stdout it goes to stderr, out of the data.
    target = errors if output is OutputFormat.csv and out is None else console
    _print_summary(assessment, period, target)
    if out is not None:
        target.print(f"Đã ghi {out}")


def _print_findings(assessment: Assessment) -> None:
    """The findings for a reader: the line as one cell and the explanation given the room."""
    findings = assessment.findings
    table = Table(title=f"{len(findings):,} cảnh báo", title_justify="left")
    table.add_column("MA_LK", no_wrap=True)
    table.add_column("Quy tắc", overflow="fold")
    table.add_column("Mức độ")
    table.add_column("Số tiền (đồng)", justify="right")
    table.add_column("Dòng")
    table.add_column("Giải thích", ratio=1)
    table.add_column("Quyết định", max_width=14)
    for f in findings[:SHOWN]:
        line = f.bang if f.stt is None else f"{f.bang} STT {f.stt}"
        table.add_row(f.ma_lk, f.rule_id, f.severity, f"{f.amount_at_risk:,.0f}", line, f.explanation,
                      decision_text(f))
    console.print(table)
    if len(findings) > SHOWN:
        console.print(f"… và {len(findings) - SHOWN:,} cảnh báo khác; ghi đủ bằng --format csv hoặc xlsx --out TỆP.")


def _cell(column, value: object) -> str:
    if value is None:
        return ""
    if column.kind == "money":
        return f"{value:,.0f}"
    return str(value)


def _print_summary(assessment: Assessment, period: str, target) -> None:
    table = Table(title=f"Tổng hợp ({period}): {assessment.episodes:,} hồ sơ, {assessment.lines:,} dòng, "
                        f"{len(assessment.rules)} quy tắc", title_justify="left")
    for column in SUMMARY_COLUMNS:
        table.add_column(column.title, justify="right" if column.kind in ("money", "int") else "left")
    for row in summary_rows(assessment):
        table.add_row(*(_cell(column, value) if column.kind == "money" else f"{value:,}" if column.kind == "int"
                        else str(value) for column, value in zip(SUMMARY_COLUMNS, row)))
    target.print(table)


@claims_app.command("rules")
def rules_command(
    output: Annotated[Format, typer.Option("--format", help="table, csv hoặc json.")] = Format.table,
) -> None:
    """Danh mục quy tắc giám định: mã, nội dung, mức độ, căn cứ pháp lý, thời gian hiệu lực."""
    try:
        rules = load_catalogue()
    except CatalogueError as error:
        raise fail(str(error)) from None
    emit(["rule_id", "title", "severity", "legal_basis", "effective_from", "effective_to", "version"],
         ["Mã", "Nội dung", "Mức độ", "Căn cứ", "Hiệu lực từ", "Đến", "Phiên bản"],
         [[r.id, r.title_vi, r.severity_vi, r.legal_basis, r.effective_from.isoformat(),
           r.effective_to.isoformat() if r.effective_to else "", r.version] for r in rules], output)


def _import(reference: ReferenceList, file: Path, lake: Path | None) -> None:
    root = _lake(lake).root
    try:
        count = import_reference(reference, file, root)
    except ReferenceError as error:
        if error.errors:
            table = Table(title=str(error), title_justify="left")
            table.add_column("Dòng", justify="right")
            table.add_column("Lỗi")
            for line, reason in error.errors:
                table.add_row(str(line), reason)
            errors.print(table)
        raise fail(str(error)) from None
    console.print(f"Đã nhập {count:,} dòng {reference.title} vào {root}.")


@claims_app.command("prices")
def prices_command(
    file: Annotated[Path, typer.Argument(help="Tệp CSV: ma_cskcb,bang,ma,ten,don_vi_tinh,don_gia,tu_ngay,den_ngay.",
                                         exists=True, dir_okay=False)],
    lake: LakeOption = None,
) -> None:
    """Nhập bảng giá được phê duyệt của các cơ sở KCB (quy tắc PRICE_ABOVE_APPROVED); thay cả bảng cũ.
    Tệp có lỗi không thay gì."""
    _import(APPROVED_PRICES, file, lake)


@claims_app.command("facilities")
def facilities_command(
    file: Annotated[Path, typer.Argument(help="Tệp CSV: ma_cskcb,ten,cap (ban_dau, co_ban hoặc chuyen_sau).",
                                         exists=True, dir_okay=False)],
    lake: LakeOption = None,
) -> None:
    """Nhập cấp chuyên môn của các cơ sở KCB (quy tắc BENEFIT_MISMATCH: mức hưởng 100 % ở cơ sở cấp ban
    đầu); thay cả danh sách cũ. Tệp có lỗi không thay gì."""
    _import(FACILITY_TIERS, file, lake)


@claims_app.command("decide")
def decide_command(
    ma_lk: Annotated[str, typer.Argument(help="Mã liên kết của hồ sơ (MA_LK).")],
    rule_id: Annotated[str, typer.Argument(help="Mã quy tắc của cảnh báo.")],
    accept: Annotated[bool, typer.Option("--accept", help="Xác nhận cảnh báo: từ chối thanh toán số tiền.")] = False,
    reject: Annotated[bool, typer.Option("--reject", help="Bác bỏ cảnh báo (cần --reason).")] = False,
    reason: Annotated[Optional[str], typer.Option(help="Lý do.")] = None,
    by: Annotated[Optional[str], typer.Option(help="Giám định viên (mặc định: tên người dùng máy).")] = None,
    lake: LakeOption = None,
) -> None:
    """Ghi quyết định của giám định viên về cảnh báo của một quy tắc trên một hồ sơ. Quyết định được
    giữ khi giám định lại; quyết định mới thay quyết định cũ."""
    if accept == reject:
        raise fail("Chọn đúng một trong --accept hoặc --reject.")
    found = _run(lake, Scope(ma_lk=ma_lk), [rule_id]).findings
    if not found:
        raise fail(f"Hồ sơ {ma_lk} không có cảnh báo {rule_id} (hoặc không có trong kho).")
    try:
        record_decision(default_engine(), ma_lk, rule_id, ACCEPT if accept else REJECT, reason, by or getpass.getuser())
    except DecisionRefused as error:
        raise fail(str(error)) from None
    amount = sum(f.amount_at_risk for f in found)
    console.print(f"Đã ghi: {'xác nhận' if accept else 'bác bỏ'} cảnh báo {rule_id} của hồ sơ {ma_lk} "
                  f"({len(found)} cảnh báo, {amount:,.0f} đồng).")


@claims_app.command("rejections")
def rejections_command(
    facility: Annotated[str, typer.Option(help="Cơ sở KCB (MA_CSKCB).")],
    out: Annotated[Path, typer.Option(help="Tệp .xlsx hoặc .csv.")],
    first: FromOption = None,
    last: ToOption = None,
    lake: LakeOption = None,
) -> None:
    """Danh sách đề nghị từ chối thanh toán gửi cơ sở KCB (để điều chỉnh theo Mẫu 09/BH): các cảnh báo đã
    xác nhận và chưa quyết định, với số tiền, lý do và căn cứ; không gồm cảnh báo đã bác bỏ."""
    if out.suffix.lower() not in (".xlsx", ".csv"):
        raise fail("--out phải là tệp .xlsx hoặc .csv.")
    assessment = _run(lake, Scope(first, last, facility), None)
    period = period_text(first, last)
    rows = rejection_rows(assessment, facility)
    if out.suffix.lower() == ".csv":
        write_csv_file(out, REJECTION_COLUMNS, rows)
    else:
        write_rejections_xlsx(out, assessment, facility, period)
    amount = [column.key for column in REJECTION_COLUMNS].index("amount")
    total = sum(row[amount] for row in rows)
    console.print(f"Đã ghi {out}: {len(rows):,} dòng đề nghị từ chối, {total:,.0f} đồng ({period}).")
