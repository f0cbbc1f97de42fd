"""The Tháp Mười appendix opens in LibreOffice with its figures, shown Vietnamese style."""

from __future__ import annotations

import csv
import shutil
import subprocess
from datetime import date

import pytest

from bhyt.reports.appendix import write_appendix
from tests.reports.test_appendix_writer import HEADER, ROWS

SOFFICE = shutil.which("soffice")
# Field separator, text delimiter, UTF-8, first line, column formats, language, quoted as text,
# detect special numbers, and (9th) save cell contents as shown.
CSV_FILTER = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true"


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed")
def test_libreoffice_reads_the_appendix(tmp_path):
    path = tmp_path / "phu_luc.xlsx"
    write_appendix(path, HEADER, ROWS, 2024, date(2023, 12, 31), unit_title="Xã, thị trấn")
    # A profile of its own, so a LibreOffice already running elsewhere does not take the job.
    subprocess.run(
        [SOFFICE, f"-env:UserInstallation=file://{tmp_path / 'profile'}", "--headless", "--convert-to", CSV_FILTER,
         "--outdir", str(tmp_path), str(path)],
        check=True, capture_output=True, timeout=180,
    )
    with (tmp_path / "phu_luc.csv").open(encoding="utf-8") as handle:
        # Numbers end in the space their format keeps before the border.
        rows = [[cell.strip() for cell in row] for row in csv.reader(handle)]
    assert rows[0][0] == "ỦY BAN NHÂN DÂN" and rows[0][3] == "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
    head = next(index for index, row in enumerate(rows) if row[1] == "Xã, thị trấn")
    assert rows[head + 1] == ["", "Tổng cộng", "131.969", "124.100", "126.423", "2.323", "95,80"]
    assert rows[head + 3] == ["2", "Xã Thạnh Lợi", "4.557", "4.335", "4.345", "10", "95,30"]
