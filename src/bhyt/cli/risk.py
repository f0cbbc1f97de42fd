"""`bhyt risk` and `bhyt forecast`: the units at risk of missing their target, and projected coverage."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal, InvalidOperation
from enum import Enum
from typing import Annotated, Optional

import typer

from bhyt.analytics.engine import analytics
from bhyt.analytics.forecast import Forecast, UnitForecast, forecast
from bhyt.analytics.renewals import GRACE_DAYS, MIN_OBSERVED, WITHIN_DAYS
from bhyt.analytics.risk import EXPIRING_SHARE, MIN_FALL, RiskRow, units_at_risk
from bhyt.cli.app import app
from bhyt.cli.common import Format, console, emit, errors, fail, parse_date
from bhyt.domain.card_validity import add_months
from bhyt.store.db import default_engine
from bhyt.store.migrate import upgrade


class RiskLevel(str, Enum):
    commune = "commune"
    hamlet = "hamlet"


def _points(value: str | Decimal) -> Decimal:
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise typer.BadParameter(f"'{value}' không phải một số.") from None
    if not number.is_finite() or not 0 <= number <= 100:
        raise typer.BadParameter(f"'{value}' phải là một số từ 0 đến 100.")
    return number


@app.command("risk")
def risk_command(
    as_of: Annotated[str, typer.Option(help="Ngày tính (YYYY-MM-DD).")],
    level: Annotated[RiskLevel, typer.Option(help="Cấp: commune hoặc hamlet.")] = RiskLevel.commune,
    unit: Annotated[Optional[str], typer.Option(help="Chỉ trong đơn vị này (mã tỉnh hoặc xã).")] = None,
    output: Annotated[Format, typer.Option("--format", help="table, csv hoặc json.")] = Format.table,
    every: Annotated[bool, typer.Option("--all", help="Liệt kê mọi đơn vị, cả đơn vị không có nguy cơ.")] = False,
    min_fall: Annotated[
        Decimal, typer.Option(parser=_points, help="Giảm quá bấy nhiêu điểm phần trăm thì cảnh báo.")
    ] = MIN_FALL,
    expiring_share: Annotated[
        Decimal, typer.Option(parser=_points, help="Cảnh báo khi từ bấy nhiêu % người có thẻ hết hạn trong 30 ngày.")
    ] = EXPIRING_SHARE,
    grace_days: Annotated[int, typer.Option(help="Số ngày chờ gia hạn sau khi thẻ hết hạn.")] = GRACE_DAYS,
) -> None:
    """Đơn vị có nguy cơ: bao phủ giảm, nhiều thẻ sắp hết hạn chưa gia hạn, dự báo cuối năm dưới chỉ tiêu."""
    when = parse_date(as_of)
    engine = default_engine()
    upgrade(engine)
    with analytics(engine) as con:
        try:
            rows = units_at_risk(con, when, level.value, unit, min_fall, expiring_share, grace_days)
        except ValueError as error:  # UnknownUnit too
            raise fail(str(error)) from None
    shown = rows if every else [row for row in rows if row.reasons]
    if output is Format.table:
        console.print(
            f"Ngày tính {when:%d/%m/%Y}, so với {add_months(when, -1):%d/%m/%Y} và {add_months(when, -12):%d/%m/%Y}; "
            f"dự báo đến 31/12/{when.year}; thời gian chờ gia hạn {grace_days} ngày."
        )
        if not shown:
            console.print("Không có đơn vị nào có nguy cơ.")
            return
        emit(
            ["unit_code", "unit_name", "coverage_pct", "month_change", "year_change", "expiring_30",
             "expiring_60_90", "projected_year_end_pct", "target_pct", "reasons"],
            ["Mã", "Đơn vị", "Bao phủ (%)", "So tháng trước", "So cùng kỳ", "Hết hạn ≤ 30 ngày", "≤ 60 / ≤ 90 ngày",
             "Dự báo 31/12 (%)", "Chỉ tiêu (%)", "Lý do"],
            [_table_row(row) for row in shown],
            output,
            numeric=[False, False, True, True, True, True, True, True, True, False],
        )
        return
    emit(
        ["unit_code", "unit_name", "population", "insured", "coverage_pct", "month_ago_pct", "month_change",
         "year_ago_pct", "year_change",
         *(f"expiring_{days}{suffix}" for days in WITHIN_DAYS for suffix in ("", "_pct")),
         "projected_year_end_pct", "target_pct", "reasons"],
        [],
        [[row.unit_code, row.unit_name, row.population, row.insured, row.coverage_pct, row.month_ago_pct,
          row.month_change, row.year_ago_pct, row.year_change,
          *(value for days in WITHIN_DAYS for value in (row.expiring[days], row.expiring_pct[days])),
          row.projected_pct, row.target_pct, "; ".join(row.reasons)] for row in shown],
        output,
    )


def _table_row(row: RiskRow) -> list[object]:
    return [
        row.unit_code,
        row.unit_name,
        row.coverage_pct,
        _signed(row.month_change),
        _signed(row.year_change),
        _share(row.expiring[30], row.expiring_pct[30]),
        f"{row.expiring[60]:,} / {row.expiring[90]:,}",
        row.projected_pct,
        row.target_pct,
        "; ".join(row.reasons),
    ]


def _signed(change: Decimal | None) -> str | None:
    return None if change is None else f"{change:+}"


def _share(people: int, pct: Decimal | None) -> str:
    return f"{people:,}" if pct is None else f"{people:,} ({pct} %)"


@app.command("forecast")
def forecast_command(
    unit: Annotated[str, typer.Option(help="Mã tỉnh, xã hoặc thôn.")],
    year: Annotated[int, typer.Option(help="Năm cần dự báo (đến 31/12).")],
    as_of: Annotated[Optional[str], typer.Option(help="Ngày bắt đầu dự báo (YYYY-MM-DD); mặc định hôm nay.")] = None,
    output: Annotated[Format, typer.Option("--format", help="table, csv hoặc json.")] = Format.table,
    grace_days: Annotated[int, typer.Option(help="Số ngày chờ gia hạn sau khi thẻ hết hạn.")] = GRACE_DAYS,
    min_observed: Annotated[
        int, typer.Option(help="Dưới bấy nhiêu lượt quan sát ở đơn vị thì dùng tỷ lệ của cả tỉnh.")
    ] = MIN_OBSERVED,
) -> None:
    """Dự báo tỷ lệ bao phủ của đơn vị và các đơn vị trực thuộc đến cuối năm và đến năm 2030."""
    when = parse_date(as_of) if as_of else date.today()
    engine = default_engine()
    upgrade(engine)
    with analytics(engine) as con:
        try:
            result = forecast(con, unit, year, when, grace_days, min_observed)
        except ValueError as error:  # UnknownUnit too
            raise fail(str(error)) from None
    years = [result.year] if result.year == result.horizon_year else [result.year, result.horizon_year]
    header = ["unit_code", "unit_name", "population", "insured", "coverage_pct",
              *(f"{name}_{y}" for y in years for name in ("insured", "coverage_pct"))]
    rows = [_forecast_row(item, years) for item in [result.unit, *result.children]]
    assumptions = _assumption_lines(result)
    if output is Format.json:
        print(json.dumps({
            "as_of": when.isoformat(),
            "units": [dict(zip(header, (str(v) if isinstance(v, Decimal) else v for v in row))) for row in rows],
            "assumptions": assumptions,
        }, ensure_ascii=False))
        return
    if output is Format.table:
        console.print(f"Dự báo bao phủ từ ngày {when:%d/%m/%Y} (số người làm tròn; tỷ lệ tính trên số kỳ vọng).")
    emit(
        header,
        ["Mã", "Đơn vị", "Dân cư", "Có thẻ", "Bao phủ (%)",
         *(title for y in years for title in (f"Có thẻ 31/12/{y}", f"Bao phủ 31/12/{y} (%)"))],
        rows,
        output,
        numeric=[False, False, *[True] * (3 + 2 * len(years))],
    )
    # CSV stays rows only; the assumptions go to the terminal beside it.
    (console if output is Format.table else errors).print("\n".join(assumptions), highlight=False)


def _forecast_row(item: UnitForecast, years: list[int]) -> list[object]:
    now = item.now
    row: list[object] = [item.unit_code, item.unit_name, now.population, now.insured_count, now.coverage_pct]
    for y in years:
        end = item.projection.year_end(y)
        row += [end.insured_count, end.coverage_pct]
    return row


def _assumption_lines(result: Forecast) -> list[str]:
    lines = [f"Giả định cho {result.unit.unit_name} ({result.unit.unit_code}):"]
    lines += [line if line.startswith(" ") else f"- {line}" for line in result.unit.projection.assumptions.lines()]
    if result.children:
        lines.append("- Mỗi đơn vị trực thuộc được dự báo theo cùng cách, với tỷ lệ quan sát của chính nó.")
    return lines
