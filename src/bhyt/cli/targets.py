"""`bhyt targets set|cascade|show`: coverage targets per unit and year, shared down to communes and
hamlets, and every unit's progress towards its target."""

from __future__ import annotations

from dataclasses import astuple, fields
from decimal import Decimal, InvalidOperation
from enum import Enum
from typing import Annotated, Optional

import typer

from bhyt.analytics.engine import analytics
from bhyt.analytics.targets import TargetProgress, cascade_targets, default_as_of, set_target, target_progress
from bhyt.cli.app import app
from bhyt.cli.common import Format, Level, console, emit, fail, parse_date
from bhyt.domain.target_groups import TARGET_GROUPS
from bhyt.domain.targets import STATUS_LABELS
from bhyt.store.db import default_engine
from bhyt.store.migrate import upgrade

targets_app = typer.Typer(help="Chỉ tiêu bao phủ BHYT: đặt, phân bổ xuống xã và thôn, theo dõi tiến độ.",
                          no_args_is_help=True)
app.add_typer(targets_app, name="targets")

CSV_HEADER = ["unit_code", "unit_name", "population", "insured", "coverage_pct", "target_pct", "still_to_enrol",
              "status"]
ORIGIN_LABELS = {"manual": "Tự đặt", "cascade": "Phân bổ"}


class Source(str, Enum):
    registry = "registry"
    official = "official"


def _rate(value: str) -> Decimal:
    """A percentage as officers write it: 95.5 or 95,5 (a trailing % is allowed)."""
    text = value.strip().removesuffix("%").strip().replace(",", ".")
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise typer.BadParameter(f"'{value}' không phải một tỷ lệ phần trăm (ví dụ 95,5).") from None
    if not number.is_finite():
        raise typer.BadParameter(f"'{value}' không phải một tỷ lệ phần trăm (ví dụ 95,5).")
    return number


def _group_name(group: str) -> str:
    return TARGET_GROUPS[group].name_vi if group in TARGET_GROUPS else group


@targets_app.command("set")
def set_command(
    unit: Annotated[str, typer.Option(help="Mã đơn vị (tỉnh, xã hoặc thôn).")],
    year: Annotated[int, typer.Option(help="Năm của chỉ tiêu.")],
    rate: Annotated[Optional[Decimal], typer.Option(parser=_rate, help="Tỷ lệ bao phủ (%), ví dụ 95,5.")] = None,
    count: Annotated[Optional[int], typer.Option(help="Hoặc số người tham gia BHYT phải đạt.")] = None,
    group: Annotated[str, typer.Option(help="Nhóm đối tượng (để trống: toàn dân). "
                                            f"Một trong: {', '.join(TARGET_GROUPS)}.")] = "",
    set_by: Annotated[Optional[str], typer.Option(help="Người đặt chỉ tiêu.")] = None,
) -> None:
    """Đặt chỉ tiêu của một đơn vị cho một năm: tỷ lệ (--rate) hoặc số người (--count)."""
    engine = default_engine()
    upgrade(engine)
    try:
        set_target(engine, unit, year, rate=rate, count=count, group=group, set_by=set_by)
    except ValueError as error:  # TargetError, UnknownUnit, UnknownTargetGroup
        raise fail(str(error)) from None
    value = f"{rate} %" if rate is not None else f"{count:,} người"
    whom = f", nhóm {_group_name(group)}" if group else ""
    console.print(f"Đã đặt chỉ tiêu năm {year} của đơn vị {unit}{whom}: {value}.")


@targets_app.command("cascade")
def cascade_command(
    unit: Annotated[str, typer.Option(help="Mã tỉnh (phân bổ cho các xã) hoặc mã xã (cho các thôn).")],
    year: Annotated[int, typer.Option(help="Năm của chỉ tiêu.")],
    as_of: Annotated[Optional[str], typer.Option(
        help="Ngày lấy số người chưa có thẻ (YYYY-MM-DD); mặc định 31/12 của năm nếu đã qua, không thì hôm nay.")] = None,
    output: Annotated[Format, typer.Option("--format", help="table, csv hoặc json.")] = Format.table,
) -> None:
    """Phân bổ chỉ tiêu xuống cấp dưới: không thấp hơn năm trước, phần thiếu chia theo số người chưa có thẻ.

    Tỉnh phân bổ cho các xã, xã cho các thôn. Chỉ tiêu tự đặt của đơn vị cấp dưới được giữ nguyên."""
    when = parse_date(as_of) if as_of else default_as_of(year)
    engine = default_engine()
    upgrade(engine)
    with analytics(engine) as con:
        try:
            rows = cascade_targets(engine, con, unit, year, when)
        except ValueError as error:
            raise fail(str(error)) from None
    if output is Format.table:
        written = sum(row.changed for row in rows)
        kept = sum(row.origin == "manual" for row in rows)
        console.print(f"Chỉ tiêu năm {year} của đơn vị {unit} đã phân bổ cho {len(rows)} đơn vị (số người chưa có "
                      f"thẻ tính đến {when:%d/%m/%Y}): ghi mới hoặc sửa {written}, giữ chỉ tiêu tự đặt {kept}.")
    emit(
        ["unit_code", "unit_name", "population", "insured", "last_year_pct", "target_pct", "target_count", "origin",
         "changed"],
        ["Mã", "Đơn vị", "Dân cư", "Có thẻ", f"Bao phủ 31/12/{year - 1} (%)", "Chỉ tiêu (%)", "Chỉ tiêu (người)",
         "Nguồn chỉ tiêu", "Thay đổi"],
        [[row.unit_code, row.unit_name, row.population, row.insured, row.last_year_pct, row.target_pct,
          row.target_count,
          ORIGIN_LABELS[row.origin] if output is Format.table else row.origin,
          ("có" if row.changed else "không") if output is Format.table else row.changed]
         for row in rows],
        output,
        numeric=[False, False, True, True, True, True, True, False, False],
    )


@targets_app.command("show")
def show_command(
    year: Annotated[int, typer.Option(help="Năm của chỉ tiêu.")],
    level: Annotated[Level, typer.Option(help="Cấp: province, commune, hamlet.")] = Level.commune,
    unit: Annotated[Optional[str], typer.Option(help="Chỉ trong đơn vị này (mã tỉnh, xã hoặc thôn).")] = None,
    as_of: Annotated[Optional[str], typer.Option(
        help="Ngày tính (YYYY-MM-DD); mặc định 31/12 của năm nếu đã qua, không thì hôm nay.")] = None,
    source: Annotated[Source, typer.Option(
        help="registry: sổ đăng ký; official: dân số chính thức năm trước và số liệu tổng hợp của BHXH.")
    ] = Source.registry,
    group: Annotated[str, typer.Option(help="Nhóm đối tượng (để trống: toàn dân). "
                                            f"Một trong: {', '.join(TARGET_GROUPS)}.")] = "",
    output: Annotated[Format, typer.Option("--format", help="table, csv hoặc json.")] = Format.table,
) -> None:
    """Tiến độ so với chỉ tiêu: bao phủ, chỉ tiêu, số người còn phải vận động, đánh giá và xếp hạng."""
    when = parse_date(as_of) if as_of else default_as_of(year)
    engine = default_engine()
    upgrade(engine)
    with analytics(engine) as con:
        try:
            rows = target_progress(con, year, level.value, unit, when, source.value, group)
        except ValueError as error:
            raise fail(str(error)) from None
    if output is Format.csv:
        emit(CSV_HEADER, CSV_HEADER, [_csv_row(row) for row in rows], output)
    elif output is Format.json:
        emit([field.name for field in fields(TargetProgress)], [], [astuple(row) for row in rows], output)
    else:
        _print_table(rows, year, when, source, group)


def _csv_row(row: TargetProgress) -> list:
    return [row.unit_code, row.unit_name, row.population, row.insured, row.coverage_pct, row.target_pct,
            row.still_to_enrol, row.status]


def _print_table(rows: list[TargetProgress], year: int, when, source: Source, group: str) -> None:
    whom = f"nhóm {_group_name(group)}" if group else "toàn dân"
    basis = (f"dân số chính thức năm {year - 1}, số tham gia theo báo cáo tổng hợp của BHXH nếu có"
             if source is Source.official else "sổ đăng ký")
    console.print(f"Chỉ tiêu năm {year} ({whom}), tính đến ngày {when:%d/%m/%Y}, theo {basis}.")
    ranked = sorted(rows, key=lambda row: (row.rank is None, row.rank or 0, row.unit_code))
    emit(
        CSV_HEADER,
        ["Hạng", "Mã", "Đơn vị", "Dân số", "Có thẻ", "Bao phủ (%)", "Chỉ tiêu (%)", "Chỉ tiêu (người)",
         "Còn phải vận động", "Đánh giá"],
        [[row.rank, row.unit_code, row.unit_name, row.population, row.insured, row.coverage_pct, row.target_pct,
          row.target_count, row.still_to_enrol, STATUS_LABELS.get(row.status, "")] for row in ranked],
        Format.table,
        numeric=[True, False, False, True, True, True, True, True, True, False],
    )
