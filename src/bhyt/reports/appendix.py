"""The target appendix of a coverage plan, as the Tháp Mười plan prints it ("CHỈ TIÊU PHÁT TRIỂN BẢO
HIỂM Y TẾ NĂM 2024", Kế hoạch 418/KH-UBND): per unit the population at the end of last year, the
people insured then, this year's target in people, how many are still to enrol and the target rate;
a total row for the whole unit above them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Sequence

import duckdb
import xlsxwriter

from bhyt.analytics.coverage import REGISTRY
from bhyt.analytics.targets import target_progress
from bhyt.domain.rates import percent
from bhyt.reports.official import DocumentHeader, Styles, format_date, write_document
from bhyt.reports.sources import Provenance, source_note
from bhyt.reports.table import TOTAL_LABEL, Column, Kind, write_table



@dataclass(frozen=True)
class AppendixRow:
    unit_name: str
    population: int | None
    insured: int
    target_count: int | None
    still_to_enrol: int | None
    target_rate: Decimal | None
    provenance: Provenance = field(default_factory=Provenance)


# Left blank for the issuing office to number by hand, as plans are numbered when signed.
APPENDIX_NUMBER = "Số:      /KH-UBND"


def appendix_title(year: int) -> str:
    return f"Phụ lục\nCHỈ TIÊU PHÁT TRIỂN BẢO HIỂM Y TẾ NĂM {year}"


def appendix_subtitle(committee: str) -> str:
    """`committee`: the unit as it reads in a sentence ("xã Kim Ngân")."""
    return f"(Kèm theo Kế hoạch số      /KH-UBND của Ủy ban nhân dân {committee})"


def appendix_total(rows: Sequence[AppendixRow]) -> AppendixRow:
    """Sums of the counts; the rate is the summed target over the summed population, not an average.
    While some unit has no target the target columns of the total stay empty: a partial sum would
    pass for the whole unit's target."""
    population = sum(row.population or 0 for row in rows)
    complete = all(row.target_count is not None for row in rows)
    target = sum(row.target_count for row in rows) if complete else None
    return AppendixRow(
        unit_name=TOTAL_LABEL,
        population=population,
        insured=sum(row.insured for row in rows),
        target_count=target,
        still_to_enrol=sum(row.still_to_enrol for row in rows) if complete else None,
        target_rate=percent(target, population) if complete else None,
    )


def _missing_targets_note(rows: Sequence[AppendixRow]) -> list[str]:
    missing = sum(1 for row in rows if row.target_count is None)
    if not missing:
        return []
    return [f"{missing}/{len(rows)} đơn vị chưa có chỉ tiêu (hoặc chưa có dân số): "
            "dòng tổng cộng để trống các cột chỉ tiêu."]


def appendix_columns(year: int, as_of: date, unit_title: str) -> list[Column]:
    """The plan's columns; "end of last year" when the figures are counted on 31 December before `year`."""
    at_year_end = as_of == date(year - 1, 12, 31)
    population = f"Dân số cuối năm {year - 1}" if at_year_end else f"Dân số ngày {format_date(as_of)}"
    insured = f"Tham gia đến cuối năm {year - 1}" if at_year_end else f"Tham gia đến ngày {format_date(as_of)}"
    return [
        Column("STT", Kind.INDEX, 6),
        Column(unit_title, Kind.TEXT, 30),
        Column(population, Kind.COUNT, 15),
        Column(insured, Kind.COUNT, 15),
        Column(f"Chỉ tiêu năm {year} (số người)", Kind.COUNT, 15),
        Column("Phải vận động tham gia", Kind.COUNT, 15),
        Column("Tỷ lệ % so với dân số", Kind.PERCENT, 13),
    ]


def write_appendix(path: Path | str, header: DocumentHeader, rows: Sequence[AppendixRow], year: int,
                   as_of: date, unit_title: str = "Đơn vị") -> AppendixRow:
    """Write the appendix as one sheet at `path`; returns the total row."""
    total = appendix_total(rows)
    columns = appendix_columns(year, as_of, unit_title)

    def values(row: AppendixRow, index: int | None) -> list:
        return [index, row.unit_name, row.population, row.insured, row.target_count, row.still_to_enrol,
                row.target_rate]

    workbook = xlsxwriter.Workbook(str(path))
    try:
        styles = Styles(workbook)
        sheet = workbook.add_worksheet("Phụ lục")
        write_document(
            sheet, styles, header, [column.width for column in columns],
            lambda first_row: write_table(
                sheet, styles, first_row, columns,
                [values(row, index) for index, row in enumerate(rows, start=1)], values(total, None),
            ),
            notes=[source_note([row.provenance for row in rows], as_of)] + _missing_targets_note(rows) if rows else [],
            landscape=False,
        )
    finally:
        workbook.close()
    return total


def appendix_rows(con: duckdb.DuckDBPyConnection, year: int, level: str, unit: str | None, as_of: date,
                  source: str = "official") -> list[AppendixRow]:
    """The units of `level` inside `unit` against their targets for `year`, counted at `as_of`.

    `source="official"`: the official population figure of year − 1 (the plans' "population at the end
    of last year") and BHXH's aggregate report of the month where there is one; a unit without an
    official figure falls back to the registry, and the note under the table says so."""
    progress = target_progress(con, year, level, unit, as_of, source=source)
    if source != REGISTRY and any(row.population is None for row in progress):
        registry = {row.unit_code: row for row in target_progress(con, year, level, unit, as_of, source=REGISTRY)}
        progress = [registry[row.unit_code] if row.population is None else row for row in progress]
    return [
        AppendixRow(row.unit_name, row.population, row.insured, row.target_count, row.still_to_enrol,
                    row.target_pct, Provenance(row.population_source, row.population_year, row.insured_source))
        for row in progress
    ]
