"""The assessment as files: findings (CSV or XLSX, with the summary per facility and rule) and the
rejection list a facility receives back (the adjusted list, Mẫu 09/BH in the brief §7.1).

A rejection list names, per line or claim, the amount refused, the reason and its legal basis, as
Decree 188 Art. 51 k2 requires of a rejection. It holds the findings an assessor confirmed and those
still awaiting a decision (marked so: the facility has 3 working days to justify them); findings an
assessor dismissed are left out. It names no patient: MA_LK and MA_BN identify the claim for the
facility that sent it.
"""

from __future__ import annotations

import csv
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

import xlsxwriter
from xlsxwriter.utility import xl_rowcol_to_cell

from bhyt.claims.assessment import Assessment, Finding
from bhyt.claims.catalogue import Rule
from bhyt.claims.decisions import ACCEPT, DECISIONS_VI, REJECT


@dataclass(frozen=True)
class Column:
    key: str  # CSV header (for machines)
    title: str  # Vietnamese (for people)
    width: int
    kind: str = "text"  # text, money, int, datetime


FINDING_COLUMNS = (
    Column("ma_lk", "MA_LK", 24), Column("rule_id", "Quy tắc", 22), Column("severity", "Mức độ", 11),
    Column("amount_at_risk", "Số tiền có nguy cơ (đồng)", 16, "money"), Column("explanation", "Giải thích", 80),
    Column("facility", "Cơ sở KCB", 9), Column("bang", "Bảng", 6), Column("stt", "STT dòng", 7, "int"),
    Column("decision", "Quyết định", 20),
)
SUMMARY_COLUMNS = (
    Column("facility", "Cơ sở KCB", 10), Column("rule_id", "Quy tắc", 24), Column("title", "Nội dung", 50),
    Column("findings", "Số cảnh báo", 12, "int"), Column("amount_at_risk", "Số tiền có nguy cơ (đồng)", 18, "money"),
)
REJECTION_COLUMNS = (
    Column("ma_lk", "Mã liên kết (MA_LK)", 24), Column("ma_bn", "Mã người bệnh (MA_BN)", 14),
    Column("ngay_vao", "Ngày vào", 16, "datetime"), Column("ngay_ra", "Ngày ra", 16, "datetime"),
    Column("bang", "Bảng", 6), Column("stt", "STT dòng", 7, "int"), Column("item_code", "Mã thuốc, DVKT, VTYT", 16),
    Column("item_name", "Tên", 28), Column("amount", "Số tiền từ chối (đồng)", 16, "money"),
    Column("rule_id", "Mã quy tắc", 20), Column("reason", "Lý do", 70), Column("legal_basis", "Căn cứ", 40),
    Column("status", "Trạng thái", 22),
)
AWAITING = "Chờ giám định viên quyết định"


def decision_text(finding: Finding) -> str:
    return DECISIONS_VI.get(finding.decision or "", "Chưa quyết định")


def finding_row(finding: Finding) -> list[object]:
    return [finding.ma_lk, finding.rule_id, finding.severity, finding.amount_at_risk, finding.explanation,
            finding.facility, finding.bang, finding.stt, decision_text(finding)]


def summary_rows(assessment: Assessment) -> list[list[object]]:
    titles = {rule.id: rule.title_vi for rule in assessment.rules}
    return [[s.facility, s.rule_id, titles.get(s.rule_id, ""), s.findings, s.amount_at_risk]
            for s in assessment.summary]


def rejection_rows(assessment: Assessment, facility: str) -> list[list[object]]:
    """The findings of `facility` not dismissed, in claim and line order."""
    rules: dict[str, Rule] = {rule.id: rule for rule in assessment.rules}
    rows = []
    for f in assessment.findings:
        if f.facility != facility or f.decision == REJECT:
            continue
        rule = rules[f.rule_id]
        reason = f"{rule.title_vi}: {f.explanation}"
        if f.decision == ACCEPT and f.decision_reason:
            reason += f" (giám định viên: {f.decision_reason})"
        rows.append([f.ma_lk, f.ma_bn, f.ngay_vao, f.ngay_ra, f.bang, f.stt, f.item_code, f.item_name,
                     f.amount_at_risk, f.rule_id, reason, rule.legal_basis,
                     DECISIONS_VI[ACCEPT] if f.decision == ACCEPT else AWAITING])
    return rows


def write_csv(handle: TextIO, columns: tuple[Column, ...], rows: list[list[object]]) -> None:
    writer = csv.writer(handle, lineterminator="\n")
    writer.writerow([c.key for c in columns])
    writer.writerows([_plain(value) for value in row] for row in rows)


def write_csv_file(path: Path | None, columns: tuple[Column, ...], rows: list[list[object]]) -> None:
    """To `path` with a BOM (Excel, where assessors open it, needs it for Vietnamese), or to stdout."""
    if path is None:
        write_csv(sys.stdout, columns, rows)
        return
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        write_csv(handle, columns, rows)


def _plain(value: object) -> object:
    if value is None:
        return ""
    if hasattr(value, "strftime"):
        return value.strftime("%Y-%m-%d %H:%M")
    return value


def write_assessment_xlsx(path: Path, assessment: Assessment, title: str) -> None:
    """Sheet 1 the findings, sheet 2 the summary per facility and rule, then one rejection list a facility."""
    book = xlsxwriter.Workbook(str(path), {"in_memory": True})
    try:
        styles = _styles(book)
        _sheet(book, styles, "Cảnh báo", f"{title}: {len(assessment.findings):,} cảnh báo", FINDING_COLUMNS,
               [finding_row(f) for f in assessment.findings])
        _sheet(book, styles, "Tổng hợp", f"{title}: tổng hợp theo cơ sở KCB và quy tắc", SUMMARY_COLUMNS,
               summary_rows(assessment))
        for facility in sorted({f.facility for f in assessment.findings}):
            _sheet(book, styles, f"Từ chối {facility}", rejection_title(facility, title), REJECTION_COLUMNS,
                   rejection_rows(assessment, facility))
    finally:
        book.close()


def rejection_title(facility: str, period: str) -> str:
    return f"Danh sách đề nghị từ chối thanh toán (điều chỉnh theo Mẫu 09/BH) — cơ sở KCB {facility} — {period}"


def write_rejections_xlsx(path: Path, assessment: Assessment, facility: str, period: str) -> None:
    book = xlsxwriter.Workbook(str(path), {"in_memory": True})
    try:
        _sheet(book, _styles(book), f"Từ chối {facility}", rejection_title(facility, period), REJECTION_COLUMNS,
               rejection_rows(assessment, facility))
    finally:
        book.close()


def _styles(book) -> dict:
    base = {"border": 1, "valign": "top"}
    return {
        "title": book.add_format({"bold": True, "font_size": 13}),
        "header": book.add_format({**base, "bold": True, "text_wrap": True, "align": "center", "bg_color": "#DDEBF7"}),
        "text": book.add_format({**base, "text_wrap": True}),
        "int": book.add_format(base),
        "money": book.add_format({**base, "num_format": "#,##0"}),
        "datetime": book.add_format({**base, "num_format": "dd/mm/yyyy hh:mm"}),
        "total": book.add_format({**base, "bold": True, "num_format": "#,##0"}),
    }


def _sheet(book, styles: dict, name: str, title: str, columns: tuple[Column, ...], rows: list[list[object]]) -> None:
    sheet = book.add_worksheet(name[:31])
    sheet.write_string(0, 0, title, styles["title"])
    header = 2
    sheet.set_row(header, 30)
    sheet.write_string(header, 0, "STT", styles["header"])
    sheet.set_column(0, 0, 5)
    for index, column in enumerate(columns, start=1):
        sheet.write_string(header, index, column.title, styles["header"])
        sheet.set_column(index, index, column.width)
    for number, row in enumerate(rows, start=1):
        line = header + number
        sheet.write_number(line, 0, number, styles["int"])
        for index, (column, value) in enumerate(zip(columns, row), start=1):
            if value is None or value == "":
                sheet.write_blank(line, index, None, styles["text"])
            elif column.kind == "money":
                sheet.write_number(line, index, float(value), styles["money"])
            elif column.kind == "int":
                sheet.write_number(line, index, int(value), styles["int"])
            elif column.kind == "datetime":
                sheet.write_datetime(line, index, value, styles["datetime"])
            else:
                sheet.write_string(line, index, str(value), styles["text"])
    money = [index for index, column in enumerate(columns, start=1) if column.kind == "money"]
    if rows and money:
        total_line = header + len(rows) + 1
        sheet.write_string(total_line, 1, "Tổng cộng", styles["header"])
        for index in money:
            sheet.write_formula(total_line, index, f"=SUM({xl_rowcol_to_cell(header + 1, index)}:{xl_rowcol_to_cell(total_line - 1, index)})",
                                styles["total"], float(sum(row[index - 1] or 0 for row in rows)))
    sheet.freeze_panes(header + 1, 0)
    sheet.autofilter(header, 0, header + max(len(rows), 1), len(columns))
    sheet.set_landscape()
    sheet.set_paper(9)  # A4
    sheet.fit_to_pages(1, 0)

