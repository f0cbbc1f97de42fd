"""`bhyt coverage`: coverage of every unit of a level, as of a date."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from bhyt.analytics.coverage import UnknownUnit, coverage
from bhyt.analytics.engine import analytics
from bhyt.cli.app import app
from bhyt.cli.common import Format, Level, emit, fail, parse_date
from bhyt.store.db import default_engine
from bhyt.store.migrate import upgrade


@app.command("coverage")
def coverage_command(
    as_of: Annotated[str, typer.Option(help="Ngày tính (YYYY-MM-DD).")],
    level: Annotated[Level, typer.Option(help="Cấp: province, commune, hamlet.")] = Level.commune,
    unit: Annotated[Optional[str], typer.Option(help="Chỉ trong đơn vị này (mã tỉnh, xã hoặc thôn).")] = None,
    output: Annotated[Format, typer.Option("--format", help="table, csv hoặc json.")] = Format.table,
) -> None:
    """Tỷ lệ bao phủ theo sổ đăng ký: người có thẻ còn hạn / người đang cư trú."""
    when = parse_date(as_of)
    engine = default_engine()
    upgrade(engine)
    with analytics(engine) as con:
        try:
            rows = coverage(con, when, level.value, unit)
        except UnknownUnit as error:
            raise fail(str(error)) from None
    emit(
        ["unit_code", "unit_name", "population", "insured", "coverage_pct"],
        ["Mã", "Đơn vị", "Dân cư", "Có thẻ", "Bao phủ (%)"],
        [[row.unit_code, row.unit_name, row.population, row.insured, row.coverage_pct] for row in rows],
        output,
        numeric=[False, False, True, True, True],
    )
