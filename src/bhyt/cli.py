"""`bhyt`: the command line. Vietnamese for people, CSV and JSON for machines."""

from __future__ import annotations

import csv
import json
import sys
from datetime import date
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer
from sqlalchemy import Engine, select
from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from bhyt.analytics.coverage import CoverageRow, UnknownUnit, coverage
from bhyt.analytics.engine import attached, plain_url
from bhyt.domain.contributions import base_salary, household_quotes
from bhyt.ingest.service import import_file
from bhyt.store.db import default_engine
from bhyt.store.migrate import upgrade
from bhyt.store.models import Person
from bhyt.store.units import seed_admin_units

app = typer.Typer(help="BHYT Toàn Dân: danh sách, thẻ và độ bao phủ bảo hiểm y tế.", no_args_is_help=True)
import_app = typer.Typer(help="Nhập danh sách CSV/XLSX (hộ, nhân khẩu, thẻ, dân số).", no_args_is_help=True)
app.add_typer(import_app, name="import")

console = Console()
# Messages keep their lines whole, so a printed path can be copied.
errors = Console(stderr=True, soft_wrap=True)


class Level(str, Enum):
    province = "province"
    commune = "commune"
    hamlet = "hamlet"


class Format(str, Enum):
    table = "table"
    csv = "csv"
    json = "json"


def _parse_date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"'{value}' không phải ngày dạng YYYY-MM-DD.") from None


def _progress() -> Progress:
    return Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(),
                    console=errors, transient=True)


@app.command()
def init() -> None:
    """Tạo hoặc nâng cấp cơ sở dữ liệu và nạp danh mục 34 tỉnh, 3.321 xã (2025)."""
    engine = default_engine()
    upgrade(engine)
    added = seed_admin_units(engine)
    console.print(f"Cơ sở dữ liệu sẵn sàng: {engine.url.render_as_string(hide_password=True)}")
    console.print(f"Đơn vị hành chính mới nạp: {added}")


@app.command()
def demo(
    province: Annotated[str, typer.Option(help="Mã tỉnh (2 chữ số) làm nền cho tỉnh mô phỏng.")] = "44",
    persons: Annotated[Optional[int], typer.Option(help="Số người (mặc định: cỡ thật của tỉnh).")] = None,
    seed: Annotated[int, typer.Option(help="Hạt giống ngẫu nhiên: cùng hạt giống, cùng dữ liệu.")] = 20260701,
    if_absent: Annotated[bool, typer.Option("--if-absent", help="Không làm gì nếu đã có dữ liệu.")] = False,
) -> None:
    """Dựng một tỉnh mô phỏng (thôn, hộ, người, thẻ, dân số) để dùng thử."""
    from bhyt.demo.province import DemoRefused, build_demo

    engine = default_engine()
    upgrade(engine)
    seed_admin_units(engine)
    if if_absent and _has_persons(engine):
        console.print("Cơ sở dữ liệu đã có dữ liệu: giữ nguyên, không dựng lại tỉnh mô phỏng.")
        return
    with _progress() as progress:
        task = progress.add_task("Dựng tỉnh mô phỏng", total=1.0)

        def step(description: str, fraction: float) -> None:
            progress.update(task, description=description, completed=fraction)

        try:
            summary = build_demo(engine, province_code=province, persons=persons, seed=seed, progress=step)
        except DemoRefused as error:
            errors.print(f"[red]{error}[/red]")
            raise typer.Exit(2) from None
    console.print(
        f"Tỉnh {summary.province_code}: {summary.communes} xã, {summary.hamlets} thôn, "
        f"{summary.households:,} hộ, {summary.persons:,} người, {summary.card_periods:,} kỳ thẻ "
        f"trong {summary.seconds:.1f} giây."
    )


def _has_persons(engine: Engine) -> bool:
    with engine.connect() as connection:
        return connection.execute(select(Person.id).limit(1)).first() is not None


def _import(kind: str, file: Path) -> None:
    engine = default_engine()
    upgrade(engine)
    seed_admin_units(engine)
    with _progress() as progress:
        task = progress.add_task(f"Nhập {file.name}", total=3)
        done = iter(range(3))

        def step(description: str) -> None:
            progress.update(task, description=description, completed=next(done))

        result = import_file(engine, kind, file, step)
    if not result.ok:
        errors.print(f"[red]Tệp {file.name} bị từ chối: {len(result.errors)} lỗi, không ghi dòng nào.[/red]")
        for error in result.errors[:20]:
            errors.print(f"  dòng {error.row}, cột {error.column}, giá trị '{error.value}': {error.reason}")
        if len(result.errors) > 20:
            errors.print(f"  … và {len(result.errors) - 20} lỗi khác.")
        errors.print(f"Báo cáo lỗi: {result.error_report}")
        raise typer.Exit(2)
    counts = result.counts
    console.print(
        f"Đã nhập {file.name}: {result.rows:,} dòng — thêm mới {counts.inserted:,}, "
        f"cập nhật {counts.updated:,}, không đổi {counts.unchanged:,}."
    )


@import_app.command("households")
def import_households(file: Path) -> None:
    """Danh sách hộ: ma_ho, chu_ho, ma_xa, thon, dia_chi, phan_loai_ho, nam_phan_loai."""
    _import("households", file)


@import_app.command("persons")
def import_persons(file: Path) -> None:
    """Danh sách nhân khẩu: so_dinh_danh, ho_ten, ngay_sinh, gioi_tinh, ma_ho, quan_he_chu_ho, ma_xa, thon, ngay_den, ngay_di, ngay_mat."""
    _import("persons", file)


@import_app.command("cards")
def import_cards(file: Path) -> None:
    """Danh sách thẻ: so_dinh_danh, ma_so_bhxh, ma_the, ma_doi_tuong, muc_huong, gt_the_tu, gt_the_den, ma_dkbd."""
    _import("cards", file)


@import_app.command("population")
def import_population(file: Path) -> None:
    """Số liệu dân số: ma_don_vi, nam, dan_so, nguon."""
    _import("population", file)


@app.command()
def contribution(
    on: Annotated[str, typer.Option("--date", help="Ngày đóng (YYYY-MM-DD).")],
    household_size: Annotated[int, typer.Option(min=1, max=100, help="Số thành viên cùng tham gia.")],
    group: Annotated[str, typer.Option(help="Mã đối tượng (GD: hộ gia đình; CN, HS, SV, GB: được hỗ trợ).")] = "GD",
    province: Annotated[Optional[str], typer.Option(help="Mã tỉnh, để tính phần tỉnh hỗ trợ thêm.")] = None,
) -> None:
    """Số tiền mỗi thành viên phải đóng cho 12 tháng (JSON)."""
    when = _parse_date(on)
    try:
        quotes = household_quotes(when, household_size, participant_code=group, province_code=province)
    except ValueError as error:
        errors.print(f"[red]{error}[/red]")
        raise typer.Exit(2) from None
    members = [int(quote.payable) for quote in quotes]
    print(json.dumps({"base_salary": int(base_salary(when)), "members": members, "total": sum(members)}))


def _coverage_rows(rows: list[CoverageRow], output: Format) -> None:
    header = ["unit_code", "unit_name", "population", "insured", "coverage_pct"]
    values = [
        [row.unit_code, row.unit_name, row.population, row.insured,
         "" if row.coverage_pct is None else f"{row.coverage_pct}"]
        for row in rows
    ]
    if output is Format.csv:
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(values)
    elif output is Format.json:
        print(json.dumps([dict(zip(header, value)) for value in values], ensure_ascii=False))
    else:
        table = Table("Mã", "Đơn vị")
        for title in ("Dân cư", "Có thẻ", "Bao phủ (%)"):
            table.add_column(title, justify="right")
        for value in values:
            table.add_row(str(value[0]), value[1], f"{value[2]:,}", f"{value[3]:,}", value[4])
        console.print(table)


@app.command("coverage")
def coverage_command(
    as_of: Annotated[str, typer.Option(help="Ngày tính (YYYY-MM-DD).")],
    level: Annotated[Level, typer.Option(help="Cấp: province, commune, hamlet.")] = Level.commune,
    unit: Annotated[Optional[str], typer.Option(help="Chỉ trong đơn vị này (mã tỉnh, xã hoặc thôn).")] = None,
    output: Annotated[Format, typer.Option("--format", help="table, csv hoặc json.")] = Format.table,
) -> None:
    """Tỷ lệ bao phủ theo sổ đăng ký: người có thẻ còn hạn / người đang cư trú."""
    when = _parse_date(as_of)
    engine = default_engine()
    upgrade(engine)
    with attached(plain_url(engine)) as con:
        try:
            rows = coverage(con, when, level.value, unit)
        except UnknownUnit as error:
            errors.print(f"[red]{error}[/red]")
            raise typer.Exit(2) from None
    _coverage_rows(rows, output)
