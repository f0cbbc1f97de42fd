"""The work lists as tables: their columns (CSV key, printed title, kind), their titles, and the CSV,
JSON and XLSX files a commune or hamlet officer takes away. Shared by `bhyt worklist` and the web app,
so both give out the same files. ID and BHXH numbers are masked unless revealed."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import Enum
from pathlib import Path
from typing import BinaryIO

from bhyt.analytics import worklists
from bhyt.analytics.worklists.duplicates import CARDS
from bhyt.analytics.worklists.insured import CLASSIFICATION_NAMES
from bhyt.domain.messages import Message, N_
from bhyt.masking import mask


class ListName(str, Enum):
    uninsured = "uninsured"
    expiring = "expiring"
    lapsed = "lapsed"
    eligible_missing = "eligible-missing"
    duplicates = "duplicates"
    deceased = "deceased"
    moved_out = "moved-out"
    newly_eligible = "newly-eligible"


class OutputFormat(str, Enum):
    table = "table"
    csv = "csv"
    xlsx = "xlsx"
    json = "json"
    participants = "participants"  # the participant list for the social insurance (bhyt.participant_list)
    reminders = "reminders"  # SMS/Zalo messages (bhyt.reminders)


# The lists each of the two special formats is made from.
PARTICIPANT_LISTS = (ListName.eligible_missing, ListName.newly_eligible)
REMINDER_LISTS = (ListName.expiring, ListName.lapsed, ListName.uninsured)


@dataclass(frozen=True)
class Column:
    key: str  # CSV/JSON header
    title: str  # table and XLSX header
    value: Callable[[object], object]
    kind: str = "text"  # text, id (masked unless revealed), date, int, money
    width: int = 12


_PERSON = [
    Column("so_dinh_danh", "Số định danh", lambda row: row.person.personal_id, "id", 15),
    Column("ho_ten", "Họ và tên", lambda row: row.person.full_name, width=24),
    Column("ngay_sinh", "Ngày sinh", lambda row: row.person.birth_date, "date", 11),
    Column("ma_ho", "Mã hộ", lambda row: row.person.household_code, width=12),
    Column("chu_ho", "Chủ hộ", lambda row: row.person.household_head, width=22),
    Column("thon", "Thôn, tổ", lambda row: row.person.hamlet_name, width=16),
]
_REASON = Column("reason", "Lý do", lambda row: row.reason, width=60)


def _classification(code: str | None) -> Message | None:
    """The household class as the files write it; a Message, so the web shows it in the reader's language."""
    return Message(CLASSIFICATION_NAMES[code]) if code in CLASSIFICATION_NAMES else None


def _joined(values: Sequence[str]) -> str:
    return "; ".join(values)


_COLUMNS: dict[ListName, list[Column]] = {
    ListName.uninsured: [
        Column("phan_loai_ho", "Phân loại hộ", lambda row: _classification(row.household_classification), width=14),
        Column("the_cu_den", "Thẻ cũ hết hạn", lambda row: row.last_card_to, "date", 11),
        Column("ma_doi_tuong", "Mã tham gia", lambda row: row.join_code, width=8),
        Column("thu_tu_trong_ho", "Thứ tự trong hộ", lambda row: row.ladder_position, "int", 8),
        Column("muc_dong", "Mức đóng 12 tháng", lambda row: row.quote.full, "money", 13),
        Column("nsnn_ho_tro", "NSNN hỗ trợ", lambda row: row.quote.state_support, "money", 13),
        Column("tinh_ho_tro", "Tỉnh hỗ trợ thêm", lambda row: row.quote.province_support, "money", 13),
        Column("phai_dong", "Người tham gia đóng", lambda row: row.quote.payable, "money", 13),
        Column("ho_phai_dong", "Cả hộ đóng", lambda row: row.household_payable, "money", 13),
        Column("ly_do_chua_tham_gia", "Lý do chưa tham gia (lần thăm gần nhất)", lambda row: row.visit_reason,
               width=22),
    ],
    ListName.expiring: [
        Column("ma_doi_tuong", "Mã đối tượng", lambda row: row.participant_code, width=8),
        Column("het_han", "Hết hạn", lambda row: row.coverage_ends, "date", 11),
        Column("con_ngay", "Còn (ngày)", lambda row: row.days_left, "int", 8),
    ],
    ListName.lapsed: [
        Column("ma_doi_tuong", "Mã đối tượng", lambda row: row.participant_code, width=8),
        Column("het_han", "Hết hạn", lambda row: row.ended_on, "date", 11),
        Column("so_ngay", "Đã qua (ngày)", lambda row: row.days_since, "int", 8),
        Column("han_gia_han", "Gia hạn trước hết ngày", lambda row: row.renew_by, "date", 12),
    ],
    ListName.eligible_missing: [
        Column("ma_doi_tuong", "Mã được cấp", lambda row: row.entitled_code, width=8),
    ],
    ListName.duplicates: [
        Column("nhom", "Nhóm", lambda row: row.group, "int", 6),
        Column("loai", "Loại", lambda row: Message(N_("Thẻ chồng thời gian") if row.kind == CARDS
                                                   else N_("Trùng người")), width=18),
        Column("ma_so_bhxh", "Mã số BHXH", lambda row: list(row.bhxh_numbers), "id", 24),
        Column("ma_doi_tuong", "Mã đối tượng", lambda row: _joined(row.participant_codes), width=10),
        Column("tu_ngay", "Chồng từ", lambda row: row.overlap_from, "date", 11),
        Column("den_ngay", "Chồng đến", lambda row: row.overlap_to, "date", 11),
    ],
    ListName.deceased: [
        Column("ngay_mat", "Ngày mất", lambda row: row.death_date, "date", 11),
        Column("ma_doi_tuong", "Mã đối tượng", lambda row: row.participant_code, width=8),
        Column("the_den", "Thẻ còn hạn đến", lambda row: row.valid_to, "date", 11),
    ],
    ListName.moved_out: [
        Column("ngay_di", "Ngày đi", lambda row: row.left_on, "date", 11),
        Column("noi_den", "Nơi đến", lambda row: row.destination_name, width=20),
        Column("ma_doi_tuong", "Mã đối tượng", lambda row: row.participant_code, width=8),
        Column("the_den", "Thẻ còn hạn đến", lambda row: row.valid_to, "date", 11),
    ],
    ListName.newly_eligible: [
        Column("ngay", "Từ ngày", lambda row: row.events[0].day, "date", 11),
        Column("ma_doi_tuong", "Mã được cấp", lambda row: row.entitled_code, width=8),
        Column("the_hien_co", "Thẻ đang có", lambda row: row.card_code, width=8),
    ],
}

TITLES = {
    ListName.uninsured: "DANH SÁCH NGƯỜI CHƯA THAM GIA BẢO HIỂM Y TẾ VÀ MỨC ĐÓNG THEO HỘ",
    ListName.expiring: "DANH SÁCH THẺ BẢO HIỂM Y TẾ SẮP HẾT HẠN",
    ListName.lapsed: "DANH SÁCH THẺ BẢO HIỂM Y TẾ HỘ GIA ĐÌNH ĐÃ HẾT HẠN CHƯA GIA HẠN",
    ListName.eligible_missing: "DANH SÁCH NGƯỜI THUỘC DIỆN NGÂN SÁCH ĐÓNG, HỖ TRỢ ĐÓNG CHƯA CÓ THẺ",
    ListName.duplicates: "DANH SÁCH THẺ, NHÂN KHẨU CÓ THỂ TRÙNG",
    ListName.deceased: "DANH SÁCH BÁO GIẢM: NGƯỜI ĐÃ MẤT CÒN THẺ BẢO HIỂM Y TẾ",
    ListName.moved_out: "DANH SÁCH BÁO GIẢM: NGƯỜI ĐÃ CHUYỂN ĐI CÒN THẺ BẢO HIỂM Y TẾ",
    ListName.newly_eligible: "DANH SÁCH BÁO TĂNG: NGƯỜI MỚI THUỘC DIỆN CẤP THẺ",
}


def columns(name: ListName) -> list[Column]:
    return [*_PERSON, *_COLUMNS[name], _REASON]


def run_list(con, name: ListName, unit: str, day: date, days: int, since: date | None) -> list:
    if name is ListName.expiring:
        return worklists.expiring(con, unit, day, days)
    if name is ListName.lapsed:
        return worklists.lapsed(con, unit, day, days)
    if name is ListName.newly_eligible:
        return worklists.newly_eligible(con, unit, day, since)
    return {
        ListName.uninsured: worklists.uninsured,
        ListName.eligible_missing: worklists.eligible_missing,
        ListName.duplicates: worklists.duplicates,
        ListName.deceased: worklists.deceased,
        ListName.moved_out: worklists.moved_out,
    }[name](con, unit, day)


def plain(column: Column, row, reveal: bool) -> object:
    """A cell for CSV, JSON and the terminal: numbers masked as asked, dates ISO, money whole đồng."""
    value = column.value(row)
    if column.kind == "id":
        numbers = value if isinstance(value, list) else [value]
        return "; ".join(number if reveal else mask(number) for number in numbers if number)
    if isinstance(value, Decimal):
        return int(value)
    return value


def to_csv(cols: list[Column], values: list[list[object]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([c.key for c in cols])
    writer.writerows(["" if value is None else value for value in row] for row in values)
    return buffer.getvalue()


def to_json(cols: list[Column], values: list[list[object]]) -> str:
    records = [{c.key: (value.isoformat() if isinstance(value, date) else value) for c, value in zip(cols, row)}
               for row in values]
    return json.dumps(records, ensure_ascii=False) + "\n"


class ListCells:
    """The bordered cells of a printed list, and the one way a value goes into one by its kind: ID
    numbers as text (leading zeros stay, no digit is rounded), dates as dates, counts and money as
    numbers, the rest as text (wrapped where the column is long)."""

    def __init__(self, book):
        self.cell = book.add_format({"border": 1, "valign": "top"})
        self.wrapped = book.add_format({"border": 1, "valign": "top", "text_wrap": True})
        self.text = book.add_format({"border": 1, "valign": "top", "num_format": "@"})
        self.dated = book.add_format({"border": 1, "valign": "top", "num_format": "dd/mm/yyyy"})
        self.money = book.add_format({"border": 1, "valign": "top", "num_format": "#,##0"})

    def write(self, sheet, line: int, index: int, value: object, kind: str, wrap: bool = False) -> None:
        if value is None or value == "":
            sheet.write_blank(line, index, None, self.cell)
        elif kind == "id":
            sheet.write_string(line, index, value, self.text)
        elif kind == "date":
            sheet.write_datetime(line, index, value, self.dated)
        elif kind in ("int", "money"):
            sheet.write_number(line, index, value, self.money if kind == "money" else self.cell)
        else:
            sheet.write_string(line, index, str(value), self.wrapped if wrap else self.cell)


def write_xlsx(target: Path | BinaryIO, name: ListName, unit: str, unit_name: str, day: date, cols: list[Column], rows: list,
               reveal: bool) -> None:
    """A list to print, to a file or a stream (a web download): the title, the unit and day, a header
    row, then one row a person; ID numbers written as text (so leading zeros stay and no digit is
    rounded), dates as dates."""
    import xlsxwriter

    book = xlsxwriter.Workbook(str(target) if isinstance(target, Path) else target, {"in_memory": True})
    try:
        sheet = book.add_worksheet("Danh sách")
        title = book.add_format({"bold": True, "font_size": 13, "align": "center"})
        subtitle = book.add_format({"italic": True, "align": "center"})
        header = book.add_format({"bold": True, "border": 1, "text_wrap": True, "align": "center",
                                  "valign": "vcenter", "bg_color": "#DDEBF7"})
        cells = ListCells(book)
        last = len(cols)  # column 0 is the running number
        sheet.merge_range(0, 0, 0, last, TITLES[name], title)
        sheet.merge_range(1, 0, 1, last, f"{unit_name} (mã {unit}), tính đến ngày {day:%d/%m/%Y}: {len(rows)} người",
                          subtitle)
        sheet.set_row(3, 30)
        sheet.write_string(3, 0, "STT", header)
        sheet.set_column(0, 0, 5)
        for index, column in enumerate(cols, start=1):
            sheet.write_string(3, index, column.title, header)
            sheet.set_column(index, index, column.width)
        for number, row in enumerate(rows, start=1):
            line = 3 + number
            sheet.write_number(line, 0, number, cells.cell)
            for index, column in enumerate(cols, start=1):
                cells.write(sheet, line, index, plain(column, row, reveal), column.kind, wrap=column is _REASON)
        sheet.freeze_panes(4, 0)
        sheet.autofilter(3, 0, 3 + len(rows), last)
        sheet.set_landscape()
        sheet.set_paper(9)  # A4
        sheet.fit_to_pages(1, 0)
        sheet.repeat_rows(3)
    finally:
        book.close()
