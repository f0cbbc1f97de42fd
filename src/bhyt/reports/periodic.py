"""Monthly, quarterly, 6-monthly and annual coverage reports (Tháp Mười plan: communes report
"hằng tháng, quý, 06 tháng, 12 tháng"; Quảng Trị plan: 6-monthly before 20 May, annual before
20 November).

Four sheets, each a document of its own: coverage of every unit one level down, of each statutory
group and of each participant code, all with the change since the previous report; and the households
not yet insured by their reason for not joining, from the visit log (`reports.reasons`).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Sequence

import duckdb
import xlsxwriter

from bhyt.analytics.coverage import CoverageRow, UnknownUnit, coverage
from bhyt.domain.messages import N_
from bhyt.domain.participants import PARTICIPANT_CODES
from bhyt.domain.rates import percent
from bhyt.domain.report_periods import ReportPeriod
from bhyt.reports.official import DocumentHeader, Styles, count_text, format_date, write_document
from bhyt.reports.reasons import ReasonTable, reason_table
from bhyt.reports.sources import Provenance, source_note
from bhyt.reports.table import TOTAL_LABEL, Column, Kind, write_table
from bhyt.reports.unit_names import UNIT_TITLES


# Luật BHYT Điều 12 (Luật 51/2024 renames group 5 the self-pay group). The reports keep them Vietnamese;
# marked N_ for the web's English catalogue.
GROUP_NAMES = {
    "1": N_("Nhóm do người lao động và người sử dụng lao động đóng"),
    "2": N_("Nhóm do tổ chức bảo hiểm xã hội đóng"),
    "3": N_("Nhóm do ngân sách nhà nước đóng"),
    "4": N_("Nhóm được ngân sách nhà nước hỗ trợ mức đóng"),
    "5": N_("Nhóm tự đóng (tham gia theo hộ gia đình)"),
}


@dataclass(frozen=True)
class ChangeRow:
    """One line of a periodic report: coverage now and at the previous report."""

    code: str
    name: str
    population: int | None
    insured: int
    previous_population: int | None
    previous_insured: int
    provenance: Provenance = field(default_factory=Provenance)

    @property
    def coverage_pct(self) -> Decimal | None:
        return percent(self.insured, self.population)

    @property
    def previous_pct(self) -> Decimal | None:
        return percent(self.previous_insured, self.previous_population)

    @property
    def insured_change(self) -> int:
        return self.insured - self.previous_insured

    @property
    def pct_change(self) -> Decimal | None:
        """Percentage points; none when either rate is unknown."""
        if self.coverage_pct is None or self.previous_pct is None:
            return None
        return self.coverage_pct - self.previous_pct


@dataclass(frozen=True)
class PeriodicReport:
    period: ReportPeriod
    as_of: date
    previous_as_of: date
    unit_code: str
    unit_name: str
    # What the unit rows are: "Xã, phường, đặc khu", "Thôn, tổ dân phố"…
    unit_title: str
    units: list[ChangeRow]
    groups: list[ChangeRow]
    codes: list[ChangeRow]
    # The whole unit's population now and at the previous report: the base of the group and code rates.
    population: int | None
    previous_population: int | None
    # Households not yet insured by reason, per unit of the rows (none: not asked for).
    reasons: ReasonTable | None = None


def units_total(rows: Sequence[ChangeRow]) -> ChangeRow:
    """Units add up: population and insured are sums, and the rates come from the sums."""
    return ChangeRow(
        "", TOTAL_LABEL,
        _sum_known(row.population for row in rows), sum(row.insured for row in rows),
        _sum_known(row.previous_population for row in rows), sum(row.previous_insured for row in rows),
    )


def shares_total(rows: Sequence[ChangeRow], population: int | None, previous_population: int | None) -> ChangeRow:
    """Groups and codes share one population: each insured person is in exactly one of them."""
    return ChangeRow("", TOTAL_LABEL, population, sum(row.insured for row in rows),
                     previous_population, sum(row.previous_insured for row in rows))


def _sum_known(values) -> int | None:
    known = [value for value in values if value is not None]
    return sum(known) if known else None


def change_rows(current: Sequence[CoverageRow], previous: Sequence[CoverageRow],
                names: dict[str, str] | None = None) -> list[ChangeRow]:
    """Pair the rows of two dates by unit (and key); a key present at one date only counts zero at the
    other. `names` names the keys (groups, codes); without it a row is named after its unit."""
    before = {(row.unit_code, row.key): row for row in previous}
    now = {(row.unit_code, row.key): row for row in current}
    rows = []
    for pair in [*now, *(pair for pair in before if pair not in now)]:
        row, old = now.get(pair), before.get(pair)
        either = row or old
        key = either.key
        rows.append(ChangeRow(
            code=key if key is not None else either.unit_code,
            name=names.get(key, "") if names is not None else either.unit_name,
            population=row.population if row else old.population,
            insured=row.insured if row else 0,
            previous_population=old.population if old else row.population,
            previous_insured=old.insured if old else 0,
            provenance=Provenance(either.population_source, either.population_year, either.insured_source),
        ))
    return rows


def periodic_report(con: duckdb.DuckDBPyConnection, period: ReportPeriod, unit: str, level: str,
                    as_of: date, previous_as_of: date, source: str = "registry") -> PeriodicReport:
    """Coverage of the units of `level` inside `unit`, and of `unit` itself by statutory group and by
    participant code, at `as_of` and at `previous_as_of`. With `source="official"` a unit without an
    official population figure is counted from the registry."""
    found = con.execute("SELECT name, level FROM db.units WHERE code = ?", [unit]).fetchone()
    if found is None:
        raise UnknownUnit.missing(unit)
    unit_name, unit_level = found

    def at_both_dates(at_level: str, by: str | None) -> tuple[list[CoverageRow], list[CoverageRow]]:
        return (_coverage_or_registry(con, as_of, at_level, unit, by, source),
                _coverage_or_registry(con, previous_as_of, at_level, unit, by, source))

    whole_now, whole_before = at_both_dates(unit_level, None)
    code_names = {code: participant.name_vi for code, participant in PARTICIPANT_CODES.items()}
    # The catalogue is kept in priority order; codes it does not know (from an aggregate report) go last.
    order = {code: index for index, code in enumerate(PARTICIPANT_CODES)}
    codes = change_rows(*at_both_dates(unit_level, "code"), names=code_names)
    return PeriodicReport(
        period=period, as_of=as_of, previous_as_of=previous_as_of, unit_code=unit, unit_name=unit_name,
        unit_title=UNIT_TITLES[level],
        units=change_rows(*at_both_dates(level, None)),
        groups=change_rows(*at_both_dates(unit_level, "group"), names=GROUP_NAMES),
        codes=sorted(codes, key=lambda row: (order.get(row.code, len(order)), row.code)),
        population=whole_now[0].population, previous_population=whole_before[0].population,
        reasons=reason_table(con, unit, level, as_of) if level in ("commune", "hamlet") else None,
    )


def _coverage_or_registry(con: duckdb.DuckDBPyConnection, as_of: date, level: str, unit: str, by: str | None,
                          source: str) -> list[CoverageRow]:
    """Coverage from `source`; a unit without an official population figure takes its registry rows
    instead (population and insured alike), so that every rate has a base and the note names both."""
    rows = coverage(con, as_of, level, unit, by=by, source=source)
    missing = {row.unit_code for row in rows if row.population is None}
    if not missing:
        return rows
    registry = [row for row in coverage(con, as_of, level, unit, by=by) if row.unit_code in missing]
    kept = [row for row in rows if row.unit_code not in missing]
    return sorted(kept + registry, key=lambda row: (row.unit_code, row.key or ""))


PERIODIC_NUMBER = "Số:      /BC-UBND"


def periodic_title(period: ReportPeriod) -> str:
    """"BÁO CÁO" over "TÌNH HÌNH THAM GIA BẢO HIỂM Y TẾ QUÝ IV NĂM 2026"."""
    return f"BÁO CÁO\nTÌNH HÌNH THAM GIA BẢO HIỂM Y TẾ {period.name.upper()}"


def _change_columns(report: PeriodicReport, first: list[Column], rate_title: str) -> list[Column]:
    now = f"Đến ngày {format_date(report.as_of)}"
    before = f"Kỳ trước (đến ngày {format_date(report.previous_as_of)})"
    change = "Tăng (+), giảm (-) so với kỳ trước"
    return [
        *first,
        Column("Số người tham gia", Kind.COUNT, 14, now), Column(rate_title, Kind.PERCENT, 12, now),
        Column("Số người tham gia", Kind.COUNT, 14, before), Column(rate_title, Kind.PERCENT, 12, before),
        Column("Số người", Kind.COUNT_CHANGE, 12, change), Column("Tỷ lệ (điểm %)", Kind.PERCENT_CHANGE, 12, change),
    ]


def _change_values(row: ChangeRow) -> list:
    return [row.insured, row.coverage_pct, row.previous_insured, row.previous_pct, row.insured_change,
            row.pct_change]


@dataclass(frozen=True)
class _Sheet:
    name: str
    what: str
    columns: list[Column]
    rows: list[list]
    total: list
    notes: list[str]


def _sheets(report: PeriodicReport) -> list[_Sheet]:
    total = units_total(report.units)
    groups_total = shares_total(report.groups, report.population, report.previous_population)
    codes_total = shares_total(report.codes, report.population, report.previous_population)
    units_note = source_note([row.provenance for row in report.units], report.as_of)
    shares_notes = [
        source_note([row.provenance for row in report.groups], report.as_of),
        f"Tỷ lệ của mỗi nhóm, mỗi mã tính trên dân số của {report.unit_name}: "
        f"{_population_text(report.population)} (kỳ trước {_population_text(report.previous_population)}).",
    ]
    index, share = Column("STT", Kind.INDEX, 6), "Tỷ lệ so với dân số (%)"
    return [
        _Sheet("Theo đơn vị", "theo đơn vị hành chính",
               _change_columns(report, [index, Column(report.unit_title, Kind.TEXT, 28),
                                        Column("Dân số", Kind.COUNT, 13)], "Tỷ lệ bao phủ (%)"),
               [[number, row.name, row.population, *_change_values(row)]
                for number, row in enumerate(report.units, 1)],
               [None, total.name, total.population, *_change_values(total)],
               [units_note] if report.units else []),
        _Sheet("Theo nhóm", "theo nhóm đối tượng",
               _change_columns(report, [index, Column("Nhóm đối tượng", Kind.TEXT, 40)], share),
               [[int(row.code), row.name, *_change_values(row)] for row in report.groups],
               [None, groups_total.name, *_change_values(groups_total)], shares_notes),
        _Sheet("Theo mã đối tượng", "theo mã đối tượng",
               _change_columns(report, [index, Column("Mã", Kind.TEXT, 7), Column("Đối tượng", Kind.TEXT, 44)],
                               share),
               [[number, row.code, row.name, *_change_values(row)] for number, row in enumerate(report.codes, 1)],
               [None, "", codes_total.name, *_change_values(codes_total)], shares_notes),
    ] + ([_reasons_sheet(report, report.reasons)] if report.reasons is not None else [])


def _reasons_sheet(report: PeriodicReport, table: ReasonTable) -> _Sheet:
    columns = [Column("STT", Kind.INDEX, 6), Column(report.unit_title, Kind.TEXT, 28),
               *(Column(name, Kind.COUNT, 13, "Lý do chưa tham gia") for _, name in table.reasons),
               Column("Tổng số hộ", Kind.COUNT, 11)]
    note = ("Số hộ theo lý do ghi ở lần đến hộ gần nhất có ghi lý do (sổ đến hộ), không tính hộ mà lần đến gần "
            "nhất đã tham gia." if table.rows else "Chưa có lần đến hộ nào ghi lý do chưa tham gia.")
    return _Sheet("Lý do chưa tham gia", "số hộ chưa tham gia theo lý do", columns,
                  [[number, row.name, *row.counts, row.households] for number, row in enumerate(table.rows, 1)],
                  [None, TOTAL_LABEL, *table.total(), sum(table.total())], [note])


def write_periodic(path: Path | str, header: DocumentHeader, report: PeriodicReport) -> ChangeRow:
    """Write the three sheets at `path`, each a document in `header`'s frame with its own subtitle;
    returns the total of the units sheet."""
    workbook = xlsxwriter.Workbook(str(path))
    try:
        styles = Styles(workbook)
        for number, spec in enumerate(_sheets(report), 1):
            sheet = workbook.add_worksheet(spec.name)
            subtitle = (f"(Biểu {number}: {spec.what}; số liệu đến ngày {format_date(report.as_of)}, "
                        f"so với ngày {format_date(report.previous_as_of)})")
            write_document(
                sheet, styles, replace(header, subtitle=subtitle), [column.width for column in spec.columns],
                lambda first_row: write_table(sheet, styles, first_row, spec.columns, spec.rows, spec.total),
                notes=spec.notes,
            )
    finally:
        workbook.close()
    return units_total(report.units)


def _population_text(count: int | None) -> str:
    return "chưa có số liệu" if count is None else f"{count_text(count)} người"
