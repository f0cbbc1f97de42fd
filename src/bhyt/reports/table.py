"""A bordered report table: one or two header rows, the total row first (as the plans print it), then
the body. Numbers stay numbers; empty values (a rate without population) stay empty cells."""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal
from enum import Enum
from itertools import groupby
from typing import Sequence

from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from bhyt.reports.official import Styles, TableSpan, merge

Value = str | int | Decimal | None
TOTAL_LABEL = "Tổng cộng"


class Kind(Enum):
    INDEX = "index"
    TEXT = "text"
    COUNT = "count"
    PERCENT = "percent"
    COUNT_CHANGE = "count_change"
    PERCENT_CHANGE = "percent_change"


@dataclass(frozen=True)
class Column:
    title: str
    kind: Kind
    width: float
    # A heading shared with the adjacent columns of the same group, on a header row of its own.
    group: str = ""


def _style(styles: Styles, kind: Kind, total: bool) -> Format:
    prefix = "total_" if total else ""
    return getattr(styles, prefix + kind.value)


def _write_cell(sheet: Worksheet, row: int, col: int, value: Value, style: Format) -> None:
    if value is None or value == "":
        sheet.write_blank(row, col, None, style)
    elif isinstance(value, str):
        sheet.write_string(row, col, value, style)
    else:
        sheet.write_number(row, col, value, style)


_LINE = 15.0
# Room for Vietnamese diacritics above and below an 11 pt line.
_BODY_ROW = 18.0


def _lines(text: str, width: float, char_width: float = 1.1) -> int:
    """Lines a text wraps to in a column `width` characters wide (bold 11 pt runs a bit wide)."""
    return max(1, math.ceil(len(text) * char_width / (width - 1)))


def _size_header(sheet: Worksheet, first_row: int, columns: Sequence[Column], grouped: bool) -> None:
    """Wrapped text does not grow a row by itself in every reader: set the header rows' heights."""
    spanning = max((_lines(c.title, c.width) for c in columns if not c.group), default=1)
    if not grouped:
        sheet.set_row(first_row, _LINE * spanning + 6)
        return
    groups = [list(members) for group, members in groupby(columns, key=lambda c: c.group) if group]
    top = max(_lines(members[0].group, sum(c.width for c in members)) for members in groups)
    bottom = max(_lines(c.title, c.width) for members in groups for c in members)
    bottom = max(bottom, spanning - top)
    sheet.set_row(first_row, _LINE * top + 6)
    sheet.set_row(first_row + 1, _LINE * bottom + 6)


def write_table(sheet: Worksheet, styles: Styles, first_row: int, columns: Sequence[Column],
                rows: Sequence[Sequence[Value]], total: Sequence[Value] | None = None) -> TableSpan:
    grouped = any(column.group for column in columns)
    header_last = first_row + (1 if grouped else 0)
    col = 0
    for group, members in groupby(columns, key=lambda column: column.group):
        members = list(members)
        if group:
            merge(sheet, first_row, col, col + len(members) - 1, group, styles.head)
            for offset, column in enumerate(members):
                sheet.write_string(header_last, col + offset, column.title, styles.head)
        else:
            for offset, column in enumerate(members):
                merge(sheet, first_row, col + offset, col + offset, column.title, styles.head, last_row=header_last)
        col += len(members)
    _size_header(sheet, first_row, columns, grouped)

    row = header_last
    body = [(True, total)] if total is not None else []
    body += [(False, values) for values in rows]
    for is_total, values in body:
        row += 1
        lines = max((_lines(value, column.width, 0.9) for column, value in zip(columns, values)
                     if isinstance(value, str)), default=1)
        sheet.set_row(row, _BODY_ROW + _LINE * (lines - 1))
        for col, (column, value) in enumerate(zip(columns, values, strict=True)):
            _write_cell(sheet, row, col, value, _style(styles, column.kind, is_total))
    return TableSpan(first_row, header_last, row)
