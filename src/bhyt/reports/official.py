"""The frame of a Vietnamese administrative document on a worksheet, around a table of any width.

Layout after Nghị định 30/2020/NĐ-CP (công tác văn thư): the issuing body top left with the document
number under it; the national name and motto top right with the place and date in italics; the
title centred in bold; "Nơi nhận:" bottom left and the signature block bottom right. Pure layout: the
caller gives the texts and a function that writes the table.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Callable, Sequence

from xlsxwriter.format import Format
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

NATION = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"
FONT = "Times New Roman"

# The Vietnamese locale tag makes LibreOffice show Vietnamese separators — 1.234 and 95,50 — whatever
# the machine's locale, while the cells stay numbers (Excel takes the separators from the system's
# regional settings). "_-" leaves a minus sign's width of space before the right border.
_VI = "[$-42A]"
COUNT_FORMAT = f"{_VI}#,##0_-"
PERCENT_FORMAT = f"{_VI}0.00_-"
COUNT_CHANGE_FORMAT = f"{_VI}+#,##0_-;-#,##0_-;0_-"
PERCENT_CHANGE_FORMAT = f"{_VI}+0.00_-;-0.00_-;0.00_-"

# The national name needs about this many character widths on one line at 12 pt.
_NATION_WIDTH = 50
_ROW_HEIGHT = 16.5


@dataclass(frozen=True)
class DocumentHeader:
    """The texts around the table. `title` may hold several lines separated by "\n"."""

    issuer_lines: tuple[str, ...]
    number_line: str
    place: str
    date: date
    title: str
    subtitle: str = ""
    signer_lines: tuple[str, ...] = ("TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH")
    recipients: tuple[str, ...] = ()


@dataclass(frozen=True)
class TableSpan:
    """Where a table landed: its header rows (repeated on every printed page) and its last row."""

    header_first: int
    header_last: int
    last_row: int


def format_date(day: date) -> str:
    """dd/mm/yyyy, as Vietnamese documents write dates in running text."""
    return f"{day.day:02d}/{day.month:02d}/{day.year}"


def count_text(count: int, signed: bool = False) -> str:
    """A count in running text, Vietnamese style: 1.483.326; a change signed: +5.837, -12, +0."""
    return (f"{count:+,}" if signed else f"{count:,}").replace(",", ".")


def percent_text(value: Decimal, signed: bool = False) -> str:
    """A rate in running text, Vietnamese style: 95,80; a change signed: +3,57, -14,29, +0,00."""
    return (f"{value:+.2f}" if signed else f"{value:.2f}").replace(".", ",")


def dated_place(place: str, day: date) -> str:
    """The place-and-date line: "Quảng Trị, ngày 05 tháng 01 năm 2027". Days below 10 and the
    months January and February take a leading zero (Nghị định 30/2020, Phụ lục I)."""
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"{place}, ngày {day.day:02d} tháng {month} năm {day.year}"


class Styles:
    """The cell formats of one workbook, made once and shared by its sheets."""

    def __init__(self, workbook: Workbook) -> None:
        def make(**properties: object) -> Format:
            return workbook.add_format({"font_name": FONT, "font_size": 12, "valign": "vcenter", **properties})

        centre = {"align": "center"}
        self.issuer = make(bold=True, **centre)
        self.plain_centre = make(**centre)
        self.nation = make(bold=True, **centre)
        self.motto = make(bold=True, underline=1, font_size=13, **centre)
        self.dated = make(italic=True, **centre)
        self.title = make(bold=True, font_size=14, text_wrap=True, **centre)
        self.subtitle = make(italic=True, text_wrap=True, **centre)
        self.note = make(italic=True, font_size=11)
        self.recipients_title = make(bold=True, italic=True)
        self.recipient = make(font_size=11)
        self.signer = make(bold=True, **centre)

        def cell(**properties: object) -> Format:
            return make(border=1, font_size=11, **properties)

        self.head = cell(bold=True, text_wrap=True, **centre)
        for prefix, bold in (("", False), ("total_", True)):
            # A one-character indent keeps text off the left border.
            setattr(self, prefix + "text", cell(bold=bold, text_wrap=True, indent=1))
            setattr(self, prefix + "index", cell(bold=bold, **centre))
            for kind, code in (("count", COUNT_FORMAT), ("percent", PERCENT_FORMAT),
                               ("count_change", COUNT_CHANGE_FORMAT), ("percent_change", PERCENT_CHANGE_FORMAT)):
                setattr(self, prefix + kind, cell(bold=bold, num_format=code))


def merge(sheet: Worksheet, row: int, first_col: int, last_col: int, text: str, style: Format,
          last_row: int | None = None) -> None:
    """Write `text` across columns (and rows); a single cell is written, since it cannot be merged."""
    last_row = row if last_row is None else last_row
    if first_col == last_col and row == last_row:
        sheet.write_string(row, first_col, text, style)
    else:
        sheet.merge_range(row, first_col, last_row, last_col, text, style)


def header_split(widths: Sequence[float]) -> int:
    """The first column of the right-hand block: the left block (issuer) takes about two fifths of the
    width, fewer columns if the national name would not fit on the right."""
    total = sum(widths)
    split, covered = 0, 0.0
    while split < len(widths) - 1 and covered < total * 0.4:
        covered += widths[split]
        split += 1
    while split > 1 and sum(widths[split:]) < _NATION_WIDTH:
        split -= 1
    return split


def write_document(sheet: Worksheet, styles: Styles, header: DocumentHeader, widths: Sequence[float],
                   write_table: Callable[[int], TableSpan], notes: Sequence[str] = (),
                   landscape: bool = True) -> TableSpan:
    """Lay the document out on `sheet`: column widths, header block, title, the table that
    `write_table(first_row)` writes, note lines under it, recipients and signature, print setup."""
    if len(widths) < 2:
        raise ValueError("Bảng của văn bản cần ít nhất hai cột.")
    last_col = len(widths) - 1
    for col, width in enumerate(widths):
        sheet.set_column(col, col, width)
    split = header_split(widths)

    left = [*header.issuer_lines, header.number_line]
    right = [(NATION, styles.nation), (MOTTO, styles.motto)]
    # The number faces the place and date; the issuer and the national name share the lines above.
    top_lines = max(len(header.issuer_lines), len(right))
    right += [("", styles.plain_centre)] * (top_lines - len(right))
    right.append((dated_place(header.place, header.date), styles.dated))
    for row, text in enumerate(left[:-1]):
        merge(sheet, row, 0, split - 1, text, styles.issuer)
    merge(sheet, top_lines, 0, split - 1, left[-1], styles.plain_centre)
    for row, (text, style) in enumerate(right):
        merge(sheet, row, split, last_col, text, style)

    row = top_lines + 1
    # One row per title line: LibreOffice sets the lines of one cell too tight for diacritics.
    for line in header.title.split("\n"):
        row += 1
        merge(sheet, row, 0, last_col, line, styles.title)
        sheet.set_row(row, _wrapped_height(line, widths, 1.3, 21))
    if header.subtitle:
        row += 1
        merge(sheet, row, 0, last_col, header.subtitle, styles.subtitle)
        sheet.set_row(row, _wrapped_height(header.subtitle, widths, 1.0, _ROW_HEIGHT))
    span = write_table(row + 2)

    row = span.last_row + 1
    for note in notes:
        merge(sheet, row, 0, last_col, note, styles.note)
        row += 1
    _write_closing(sheet, styles, header, row + 1, split, last_col)

    sheet.set_paper(9)  # A4
    if landscape:
        sheet.set_landscape()
    else:
        sheet.set_portrait()
    # Margins of Nghị định 30/2020 (inches): left 3 cm, right 1.5 cm, top and bottom 2 cm.
    sheet.set_margins(left=1.18, right=0.59, top=0.79, bottom=0.79)
    sheet.center_horizontally()
    sheet.fit_to_pages(1, 0)
    sheet.repeat_rows(span.header_first, span.header_last)
    sheet.set_footer(f'&C&"{FONT}"&10Trang &P/&N')
    return span


def _wrapped_height(text: str, widths: Sequence[float], char_width: float, line_height: float) -> float:
    """Merged cells do not grow with their text, so give the row the lines the text will wrap to."""
    return line_height * max(1, math.ceil(len(text) * char_width / sum(widths)))


def _write_closing(sheet: Worksheet, styles: Styles, header: DocumentHeader, row: int, split: int,
                   last_col: int) -> None:
    """"Nơi nhận:" and the recipients on the left; the signer's title on the right."""
    left = [("Nơi nhận:", styles.recipients_title)] if header.recipients else []
    left += [(text, styles.recipient) for text in header.recipients]
    for offset, (text, style) in enumerate(left):
        merge(sheet, row + offset, 0, split - 1, text, style)
    for offset, text in enumerate(header.signer_lines):
        merge(sheet, row + offset, split, last_col, text, styles.signer)
