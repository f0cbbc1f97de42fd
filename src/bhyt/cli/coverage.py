"""`bhyt coverage`: coverage of every unit of a level, as of a date or month by month, whole or broken
down, from the registry or from the official figures."""

from __future__ import annotations

from datetime import date
from enum import Enum
from typing import Annotated, Optional

import typer

from bhyt.analytics.coverage import CoverageRow, coverage, coverage_series
from bhyt.analytics.engine import analytics
from bhyt.cli.app import app
from bhyt.cli.common import Format, Level, emit, fail, parse_date
from bhyt.store.db import default_engine
from bhyt.store.migrate import upgrade


class Breakdown(str, Enum):
    code = "code"
    group = "group"
    age = "age"
    sex = "sex"


class Source(str, Enum):
    registry = "registry"
    official = "official"


_KEY_TITLES = {"code": "Mã đối tượng", "group": "Nhóm", "age": "Nhóm tuổi", "sex": "Giới tính"}
_SOURCE_LABELS = {"registry": "sổ đăng ký", "aggregate": "báo cáo tổng hợp"}


@app.command("coverage")
def coverage_command(
    as_of: Annotated[Optional[str], typer.Option(help="Ngày tính (YYYY-MM-DD).")] = None,
    level: Annotated[Level, typer.Option(help="Cấp: province, commune, hamlet.")] = Level.commune,
    unit: Annotated[Optional[str], typer.Option(help="Chỉ trong đơn vị này (mã tỉnh, xã hoặc thôn).")] = None,
    by: Annotated[Optional[Breakdown], typer.Option(help="Chia theo: code (mã đối tượng), group (nhóm 1–5), age, sex.")] = None,
    series: Annotated[
        Optional[tuple[str, str]],
        typer.Option(help="Chuỗi theo tháng: TỪ_NGÀY ĐẾN_NGÀY (mỗi cuối tháng và ngày cuối)."),
    ] = None,
    source: Annotated[
        Source,
        typer.Option(help="registry: cư dân trong sổ; official: dân số chính thức, số tham gia từ báo cáo tổng hợp nếu có."),
    ] = Source.registry,
    output: Annotated[Format, typer.Option("--format", help="table, csv hoặc json.")] = Format.table,
) -> None:
    """Tỷ lệ bao phủ: người có thẻ còn hạn / dân số (sổ đăng ký hoặc số liệu chính thức)."""
    if (as_of is None) == (series is None):
        raise fail("Cần đúng một trong hai: --as-of NGÀY hoặc --series TỪ ĐẾN.")
    engine = default_engine()
    upgrade(engine)
    key = by.value if by else None
    with analytics(engine) as con:
        try:
            if series is None:
                dated = [(None, row) for row in coverage(con, parse_date(as_of), level.value, unit, key, source.value)]
            else:
                start, end = (parse_date(value) for value in series)
                dated = coverage_series(con, start, end, level.value, unit, source.value, key)
        except ValueError as error:
            raise fail(str(error)) from None
    _print(dated, key, source, series is not None, output)


def _print(dated: list[tuple[date | None, CoverageRow]], key: str | None, source: Source, is_series: bool,
           output: Format) -> None:
    header = ["unit_code", "unit_name", "population", "insured", "coverage_pct"]
    titles = ["Mã", "Đơn vị", "Dân số" if source is Source.official else "Dân cư", "Có thẻ", "Bao phủ (%)"]
    numeric = [False, False, True, True, True]
    if key:
        header.insert(2, "key"), titles.insert(2, _KEY_TITLES[key]), numeric.insert(2, False)
    if is_series:
        header.insert(0, "date"), titles.insert(0, "Ngày"), numeric.insert(0, False)
    if source is Source.official:
        header += ["population_source", "population_year", "insured_source"]
        titles += ["Nguồn dân số", "Năm dân số", "Nguồn số tham gia"]
        numeric += [False, True, False]
    rows = []
    for day, row in dated:
        values: list[object] = [row.unit_code, row.unit_name, row.population, row.insured, row.coverage_pct]
        if key:
            values.insert(2, row.key)
        if is_series:
            values.insert(0, day)
        if source is Source.official:
            insured_source = row.insured_source if output is not Format.table else _SOURCE_LABELS[row.insured_source]
            values += [row.population_source, row.population_year, insured_source]
        rows.append(values)
    emit(header, titles, rows, output, numeric)
