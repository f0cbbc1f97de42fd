"""Reading a written report back: values with python-calamine, merges and number formats from the XML."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path
from xml.etree import ElementTree

from python_calamine import CalamineWorkbook

_NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}


def cells(path: Path, sheet: str) -> list[list[object]]:
    return CalamineWorkbook.from_path(str(path)).get_sheet_by_name(sheet).to_python()


def merged(path: Path, sheet: str) -> set[tuple[tuple[int, int], tuple[int, int]]]:
    return set(CalamineWorkbook.from_path(str(path)).get_sheet_by_name(sheet).merged_cell_ranges)


def find_row(rows: list[list[object]], first_text: str, column: int = 1) -> int:
    return next(index for index, row in enumerate(rows) if row[column] == first_text)


def number_format(path: Path, sheet_index: int, row: int, col: int) -> str:
    """The number format code of a cell (0-based row and column) on the sheet_index-th sheet (1-based)."""
    with zipfile.ZipFile(path) as archive:
        styles = ElementTree.fromstring(archive.read("xl/styles.xml"))
        sheet = ElementTree.fromstring(archive.read(f"xl/worksheets/sheet{sheet_index}.xml"))
    codes = {fmt.get("numFmtId"): fmt.get("formatCode") for fmt in styles.iterfind("m:numFmts/m:numFmt", _NS)}
    xfs = styles.findall("m:cellXfs/m:xf", _NS)
    reference = f"{_column_letters(col)}{row + 1}"
    cell = sheet.find(f".//m:c[@r='{reference}']", _NS)
    format_id = xfs[int(cell.get("s", "0"))].get("numFmtId")
    return codes.get(format_id, format_id)


def page_setup(path: Path, sheet_index: int) -> dict[str, str]:
    """Orientation, paper and fit-to-page attributes, and the rows repeated on every page."""
    with zipfile.ZipFile(path) as archive:
        sheet = ElementTree.fromstring(archive.read(f"xl/worksheets/sheet{sheet_index}.xml"))
        workbook = archive.read("xl/workbook.xml").decode()
    setup = dict(sheet.find("m:pageSetup", _NS).attrib)
    setup["fitToPage"] = sheet.find("m:sheetPr/m:pageSetUpPr", _NS).get("fitToPage")
    titles = re.findall(r'<definedName name="_xlnm.Print_Titles" localSheetId="(\d+)">([^<]+)<', workbook)
    setup["print_titles"] = dict(titles).get(str(sheet_index - 1), "")
    return setup


def _column_letters(col: int) -> str:
    letters = ""
    col += 1
    while col:
        col, remainder = divmod(col - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters
