"""The báo tăng list a commune sends the social insurance (BHXH) so that it issues the cards of
budget-funded people: the layout of its list of people who join health insurance only, Mẫu D03-TS
("Danh sách người chỉ tham gia BHYT", as amended by Quyết định 490/QĐ-BHXH of 28/03/2023).

What is confirmed about the form (guides to filling it in, read 2026-11-30; the form itself was not
seen): it is made by the commune People's Committee (or the unit managing the participants) when
people join or leave; its head names the unit, the kind of participants (poor, children under 6 …),
the source of the contribution and the base salary; column A is the running number, grouped into
increases and decreases; B the full name; 1 the BHXH number; 2 the citizen ID / personal ID /
passport number (added by QĐ 490); it ends with column 14, the collection agent's number (QĐ 490).
The columns between are not confirmed: they are kept here as data, each with what it rests on, and
numbered 3, 4 … in our order, not the form's. The collection agent's number is left out: a commune
that lists budget-funded people works without an agent.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from itertools import groupby
from pathlib import Path
from typing import BinaryIO

import duckdb

from bhyt.analytics.worklists.common import Scope
from bhyt.analytics.worklists.participants import ParticipantRow, participants, place_names
from bhyt.domain.contributions import base_salary
from bhyt.domain.participants import participant
from bhyt.masking import mask
from bhyt.reports.official import count_text
from bhyt.worklist_tables import ListCells

SEX_NAMES = {1: "Nam", 2: "Nữ"}


@dataclass(frozen=True)
class FormColumn:
    number: str  # the column's label on the form: A, B, 1, 2 …
    title: str
    value: Callable[[ParticipantRow, bool], object]  # (row, reveal) → cell
    kind: str  # text, id (written as text, leading zeros kept), date
    width: int
    basis: str  # what the column rests on


def _id(number: str | None, reveal: bool) -> str:
    return (number if reveal else mask(number)) if number else ""


COLUMNS = [
    FormColumn("B", "Họ và tên", lambda row, _: row.person.full_name, "text", 24, "confirmed (column B)"),
    FormColumn("1", "Mã số BHXH", lambda row, reveal: _id(row.bhxh_number, reveal), "id", 13,
               "confirmed (column 1); empty for someone never carded"),
    FormColumn("2", "Số CCCD/ĐDCN/hộ chiếu", lambda row, reveal: _id(row.person.personal_id, reveal), "id", 15,
               "confirmed (column 2, QĐ 490)"),
    FormColumn("3", "Ngày, tháng, năm sinh", lambda row, _: row.person.birth_date, "date", 11,
               "UNCERTAIN: named by the guides (column 2 before QĐ 490), position not seen"),
    FormColumn("4", "Giới tính", lambda row, _: SEX_NAMES.get(row.person.sex, ""), "text", 7,
               "UNCERTAIN: the form may mark women only"),
    FormColumn("5", "Thôn, tổ dân phố", lambda row, _: row.person.hamlet_name or "", "text", 16,
               "UNCERTAIN: the place of residence, split as the brief asks"),
    FormColumn("6", "Xã, phường", lambda row, _: row.commune_name or "", "text", 18, "UNCERTAIN: as column 5"),
    FormColumn("7", "Tỉnh, thành phố", lambda row, _: row.province_name or "", "text", 14, "UNCERTAIN: as column 5"),
    FormColumn("8", "Mã đối tượng", lambda row, _: row.participant_code, "text", 9,
               "UNCERTAIN: the form names the kind of participants in its head; a list of several kinds "
               "carries it per row"),
    FormColumn("9", "Mức hưởng", lambda row, _: str(row.benefit_level), "text", 8,
               "UNCERTAIN: the card's benefit level (QĐ 1351), not seen on the form"),
    FormColumn("10", "Nơi đăng ký KCB ban đầu", lambda row, _: row.first_contact_facility or "", "text", 11,
               "UNCERTAIN: from the latest card, when the registry has one"),
    FormColumn("11", "Từ ngày", lambda row, _: row.valid_from, "date", 11,
               "UNCERTAIN: the day the card should start (the guides speak of months)"),
    FormColumn("12", "Ghi chú", lambda row, _: row.note, "text", 40, "UNCERTAIN: why the person is listed"),
]
TITLE = "DANH SÁCH NGƯỜI CHỈ THAM GIA BẢO HIỂM Y TẾ"
FORM = "Mẫu D03-TS"
INCREASE = "I. Tăng"


def write_participants(target: Path | BinaryIO, unit_name: str, issuer_name: str, day: date, what: str,
                       rows: list[ParticipantRow], reveal: bool) -> None:
    """The list to send, to a file or a stream: the form's head, a header row and the column labels,
    then the increases grouped by participant code, each person a row; numbers written as text."""
    import xlsxwriter

    book = xlsxwriter.Workbook(str(target) if isinstance(target, Path) else target, {"in_memory": True})
    try:
        sheet = book.add_worksheet("D03-TS")
        bold = book.add_format({"bold": True})
        title = book.add_format({"bold": True, "font_size": 13, "align": "center"})
        centred = book.add_format({"italic": True, "align": "center"})
        header = book.add_format({"bold": True, "border": 1, "text_wrap": True, "align": "center",
                                  "valign": "vcenter"})
        label = book.add_format({"italic": True, "border": 1, "align": "center"})
        group = book.add_format({"bold": True, "border": 1})
        cells = ListCells(book)
        last = len(COLUMNS)  # column 0 is the running number
        sheet.write_string(0, last - 1, FORM, bold)
        sheet.merge_range(1, 0, 1, last, TITLE, title)
        sheet.merge_range(2, 0, 2, last, f"Báo tăng: {what}; {unit_name}, lập ngày {day:%d/%m/%Y}", centred)
        salary = count_text(int(base_salary(day)))
        for line, (name, value) in enumerate((
            ("Tên đơn vị", issuer_name),
            ("Đối tượng tham gia", "người thuộc diện ngân sách nhà nước đóng hoặc hỗ trợ đóng (mã ở cột 8)"),
            ("Lương cơ sở", f"{salary} đồng"),
        ), start=3):
            sheet.write_string(line, 0, f"{name}: {value}")
        top = 7
        sheet.set_row(top, 32)
        sheet.write_string(top, 0, "STT", header)
        sheet.write_string(top + 1, 0, "A", label)
        sheet.set_column(0, 0, 5)
        for index, column in enumerate(COLUMNS, start=1):
            sheet.write_string(top, index, column.title, header)
            sheet.write_string(top + 1, index, column.number, label)
            sheet.set_column(index, index, column.width)
        line = top + 2
        sheet.merge_range(line, 0, line, last, f"{INCREASE}: {len(rows)} người", group)
        number = 0
        for code, members in groupby(sorted(rows, key=_by_code), key=lambda row: row.participant_code):
            members = list(members)
            line += 1
            sheet.merge_range(line, 0, line, last,
                              f"Mã {code} – {participant(code).name_vi}: {len(members)} người", group)
            for row in members:
                line += 1
                number += 1
                sheet.write_number(line, 0, number, cells.cell)
                for index, column in enumerate(COLUMNS, start=1):
                    cells.write(sheet, line, index, column.value(row, reveal), column.kind, wrap=column.number == "12")
        sheet.write_string(line + 2, 1, "Người lập biểu", bold)
        sheet.write_string(line + 2, last - 2, "TM. ỦY BAN NHÂN DÂN", bold)
        sheet.freeze_panes(top + 2, 0)
        sheet.set_landscape()
        sheet.set_paper(9)  # A4
        sheet.fit_to_pages(1, 0)
        sheet.repeat_rows(top, top + 1)
    finally:
        book.close()


def _by_code(row: ParticipantRow) -> int:
    """Codes in the priority order of the catalogue (the sort keeps the list's order within a code)."""
    return participant(row.participant_code).priority


def what_is_listed(eligible_missing: bool, since: date | None) -> str:
    """The kind of people the list's head names."""
    if eligible_missing:
        return "người thuộc diện ngân sách đóng, hỗ trợ đóng chưa có thẻ"
    return f"người mới thuộc diện cấp thẻ từ ngày {since:%d/%m/%Y}"


def participants_file(con: duckdb.DuckDBPyConnection, target: Path | BinaryIO, unit_scope: Scope, rows: list,
                      day: date, what: str, reveal: bool) -> tuple[int, int]:
    """The list of the work list `rows` of `unit_scope` written to `target`, issued by the commune's
    People's Committee (the province's for a province): (people listed, people left out because they
    need no new card)."""
    listed = participants(con, unit_scope, rows, day)
    commune_name, province_name = place_names(con, {unit_scope.unit_code})[unit_scope.unit_code]
    write_participants(target, unit_scope.unit_name, f"Ủy ban nhân dân {commune_name or province_name}", day, what,
                       listed.rows, reveal)
    return len(listed.rows), listed.left_out
