"""Read a CSV or XLSX list into an Arrow table of text cells, numbered by the file's row.

Every cell stays text here: typing and checking happen set-based in the validator, where a bad cell
can be reported with its row and column instead of failing the whole read.
"""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
from python_calamine import CalamineWorkbook

ROW_COLUMN = "_row"
BLANK_PREFIX = "_blank"


class UnreadableFile(ValueError):
    """The file cannot be read as a list at all (format, encoding, no header)."""


@dataclass(frozen=True)
class RawList:
    table: pa.Table  # `_row` (int) and one string column per header
    header: list[str]


def read_list(path: Path, zero_pad: dict[str, int]) -> RawList:
    """`zero_pad` gives the width of code columns: Excel stores such codes as numbers and drops their
    leading zeros, which a numeric cell proves were there."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return _read_csv(path)
    if suffix in (".xlsx", ".xlsm", ".xls", ".ods"):
        return _read_workbook(path, zero_pad)
    raise UnreadableFile(f"Tệp {path.name}: chỉ nhận CSV hoặc XLSX (đuôi .csv, .xlsx).")


def _clean_header(names: list[str]) -> list[str]:
    header = [name.strip().lower().lstrip("\ufeff") for name in names]
    if not any(header):
        raise UnreadableFile("Dòng 1 phải là dòng tiêu đề (tên cột), nhưng đang trống.")
    repeated = sorted({name for name in header if name and header.count(name) > 1})
    if repeated:
        raise UnreadableFile(f"Dòng 1: cột {', '.join(repeated)} xuất hiện nhiều lần.")
    # Spreadsheets often carry formatted but unnamed columns; the validator rejects them only if filled.
    return [name or f"{BLANK_PREFIX}{index}" for index, name in enumerate(header, start=1)]


def _read_csv(path: Path) -> RawList:
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            header = _clean_header(next(csv.reader(handle), []))
        table = pacsv.read_csv(
            path,
            read_options=pacsv.ReadOptions(column_names=header, skip_rows=1, encoding="utf-8"),
            convert_options=pacsv.ConvertOptions(
                column_types={name: pa.string() for name in header},
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except UnicodeDecodeError as error:
        raise UnreadableFile(f"Tệp {path.name} không phải văn bản UTF-8: hãy lưu lại dưới dạng CSV UTF-8.") from error
    except pa.ArrowInvalid as error:
        raise UnreadableFile(f"Tệp {path.name} không đọc được dưới dạng CSV: {error}") from error
    rows = pa.array(range(2, table.num_rows + 2), pa.int64())
    return RawList(table.add_column(0, ROW_COLUMN, rows), header)


def _cell_text(value: object, pad: int | None) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(int(value))
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int):
        return str(value).zfill(pad) if pad else str(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _read_workbook(path: Path, zero_pad: dict[str, int]) -> RawList:
    try:
        sheet = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0)
        rows = sheet.to_python(skip_empty_area=False)
    except Exception as error:  # calamine raises its own error types for every kind of damage
        raise UnreadableFile(f"Tệp {path.name} không đọc được dưới dạng bảng tính: {error}") from error
    if not rows:
        raise UnreadableFile(f"Tệp {path.name} trống.")
    header = _clean_header([_cell_text(cell, None) for cell in rows[0]])
    columns: dict[str, list[str]] = {name: [] for name in header}
    numbers: list[int] = []
    for number, row in enumerate(rows[1:], start=2):
        if all(cell in (None, "") for cell in row):
            continue
        numbers.append(number)
        for index, name in enumerate(header):
            cell = row[index] if index < len(row) else None
            columns[name].append(_cell_text(cell, zero_pad.get(name)))
    arrays = {ROW_COLUMN: pa.array(numbers, pa.int64())}
    arrays.update({name: pa.array(values, pa.string()) for name, values in columns.items()})
    return RawList(pa.table(arrays), header)
