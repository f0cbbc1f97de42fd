"""`bhyt claims …`: QĐ 130 claims (hồ sơ đề nghị thanh toán) — ingest XML files into the claims lake."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.table import Table

from bhyt.claims.lake import ClaimsLake, LakeError
from bhyt.cli.app import app
from bhyt.cli.common import console, errors, fail, progress
from bhyt.config import claims_lake_dir
from bhyt.ingest.claims_service import IngestReport, claim_files, ingest_claims

claims_app = typer.Typer(help="Hồ sơ đề nghị thanh toán BHYT (XML theo QĐ 130): nhập vào kho hồ sơ.",
                         no_args_is_help=True)
app.add_typer(claims_app, name="claims")

ERRORS_HEADER = ("tep", "ma_lk", "bang", "truong", "gia_tri", "ly_do")
ERRORS_TITLES = ("Tệp", "MA_LK", "Bảng", "Trường", "Giá trị", "Lý do")
ERRORS_SHOWN = 30


@claims_app.command("ingest")
def ingest_command(
    paths: Annotated[list[Path], typer.Argument(help="Tệp XML (hồ sơ GIAMDINHHS hoặc bảng XML1–XML5) hoặc thư mục.",
                                                exists=True)],
    tolerant: Annotated[bool, typer.Option("--tolerant", help="Nhận các hồ sơ đúng, chỉ bỏ các hồ sơ có lỗi "
                                                               "(mặc định: tệp có lỗi bị từ chối cả tệp).")] = False,
    errors_file: Annotated[Optional[Path], typer.Option("--errors", help="Ghi danh sách lỗi ra tệp CSV này.")]
    = None,
    lake: Annotated[Optional[Path], typer.Option(help="Thư mục kho hồ sơ (mặc định: BHYT_CLAIMS_LAKE hoặc "
                                                      "data/claims_lake).")] = None,
) -> None:
    """Nhập hồ sơ XML 130 vào kho hồ sơ (Parquet theo tháng quyết toán và cơ sở KCB). Hồ sơ gửi lại
    (cùng MA_LK) thay thế hồ sơ cũ. Tệp có lỗi không ghi gì vào kho; thoát với mã 2 khi có tệp bị từ chối.
    Với --tolerant, thoát với mã 1 khi có hồ sơ hoặc tệp lỗi bị bỏ (các hồ sơ đúng vẫn được ghi)."""
    files = claim_files(paths)
    if not files:
        raise fail("Không có tệp .xml nào trong các đường dẫn đã cho.")
    sizes = {file: file.stat().st_size for file in files}
    offsets, total = {}, 0
    for file in files:
        offsets[file], total = total, total + sizes[file]
    with progress() as bar:
        task = bar.add_task("Đọc hồ sơ", total=max(total, 1))

        def step(file: Path, read: int, claims: int) -> None:
            bar.update(task, completed=offsets[file] + min(read, sizes[file]),
                       description=f"{file.name}: {claims:,} hồ sơ")

        def writing() -> None:
            bar.update(task, completed=total, description="Ghi vào kho hồ sơ")

        try:
            report = ingest_claims(files, ClaimsLake(lake.resolve() if lake else claims_lake_dir()), tolerant, step,
                                   writing)
        except LakeError as error:
            raise fail(str(error)) from None
    if report.errors:
        _show_errors(report, errors_file)
    _show_summary(report)
    if report.rejected_files:
        errors.print(f"[red]{len(report.rejected_files)} tệp bị từ chối, không ghi gì vào kho: "
                     f"{', '.join(Path(file).name for file in report.rejected_files)}.[/red]")
        raise typer.Exit(2)
    if report.errors:
        # Tolerant mode wrote the good claims; a nightly script still has to see that some were dropped.
        raise typer.Exit(1)


def _show_errors(report: IngestReport, errors_file: Path | None) -> None:
    table = Table(title=f"{len(report.errors):,} lỗi", title_justify="left")
    for title in ERRORS_TITLES:
        table.add_column(title, overflow="fold")
    for error in report.errors[:ERRORS_SHOWN]:
        table.add_row(Path(error.file).name, error.ma_lk, error.table, error.field, error.value, error.reason)
    errors.print(table)
    if len(report.errors) > ERRORS_SHOWN:
        errors.print(f"… và {len(report.errors) - ERRORS_SHOWN:,} lỗi khác"
                     + ("." if errors_file else "; ghi đủ danh sách bằng --errors TỆP.csv."))
    if errors_file:
        # utf-8-sig: Excel, where assessors open it, needs the BOM to show Vietnamese.
        with errors_file.open("w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(ERRORS_HEADER)
            writer.writerows((error.file, error.ma_lk, error.table, error.field, error.value, error.reason)
                             for error in report.errors)
        errors.print(f"Danh sách lỗi: {errors_file}")


def _show_summary(report: IngestReport) -> None:
    seconds = max(report.seconds, 1e-9)
    written = report.written
    console.print(
        f"Đã đọc {len(report.files):,} tệp, {report.claims_read:,} hồ sơ; ghi vào kho {report.claims_kept:,} hồ sơ "
        f"({written.replaced:,} hồ sơ gửi lại thay thế bản cũ), {report.lines_kept:,} dòng thuốc, dịch vụ, "
        f"vật tư; {written.partitions:,} phân vùng tháng × cơ sở được ghi.", soft_wrap=True)
    if report.claims_rejected:
        console.print(f"{report.claims_rejected:,} hồ sơ có lỗi không được ghi.", soft_wrap=True)
    if report.skipped_tables:
        kinds = ", ".join(f"{kind} ({count:,})" for kind, count in sorted(report.skipped_tables.items()))
        console.print(f"Các bảng kho chưa lưu, đã bỏ qua: {kinds}.", soft_wrap=True)
    console.print(f"Thời gian {report.seconds:.2f} s: {report.claims_read / seconds:,.0f} hồ sơ/s, "
                  f"{report.lines_read / seconds:,.0f} dòng/s.", soft_wrap=True)
