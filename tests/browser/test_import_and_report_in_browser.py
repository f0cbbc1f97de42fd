"""In a real browser: an import with a bad row shows the error and writes nothing; a report download
arrives as an XLSX that opens with the same figures as `bhyt report`."""

from __future__ import annotations

import csv
from datetime import date

from python_calamine import CalamineWorkbook
from sqlalchemy import func, select

from bhyt.store.models import Person, User
from tests.browser.conftest import sign_in


def _people(engine) -> int:
    with engine.connect() as connection:
        return connection.execute(select(func.count()).select_from(Person)).scalar()


def test_an_import_with_a_bad_row_shows_the_error_and_writes_nothing(page, browser_engine, tmp_path):
    with browser_engine.connect() as connection:
        commune = connection.execute(select(User.unit_code).where(User.username == "xa")).scalar()
    upload = tmp_path / "nhan_khau.csv"
    with upload.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["so_dinh_danh", "ho_ten", "ngay_sinh", "gioi_tinh", "ma_ho", "ma_xa", "thon"])
        writer.writerow(["045080990021", "Đúng Một Dòng", "1980-01-02", "Nam", "", commune, "Tổ dân phố 1"])
        writer.writerow(["045080990022", "Sai Ngày Sinh", "31/02/1980", "Nam", "", commune, "Tổ dân phố 1"])
    before = _people(browser_engine)

    sign_in(page, "xa")
    page.get_by_role("link", name="Nhập danh sách").click()
    page.get_by_label("Loại danh sách").select_option("persons")
    page.locator("#file").set_input_files(str(upload))
    page.get_by_role("button", name="Nhập", exact=True).click()
    page.locator('#import-result[data-state="rejected"]').wait_for(timeout=60_000)

    assert page.locator("#error-count").inner_text() == "1"
    assert "31/02/1980" in page.locator("#import-result").inner_text()
    assert _people(browser_engine) == before
    with page.expect_download() as report:
        page.locator("#error-report").click()
    assert report.value.suggested_filename.endswith(".csv")


def test_a_report_download_opens_with_its_figures(page, tmp_path):
    sign_in(page, "tinh")
    page.get_by_role("link", name="Báo cáo").click()
    page.get_by_label("Loại báo cáo").select_option("appendix")
    page.get_by_label("Năm", exact=True).fill(str(date.today().year))
    with page.expect_download() as download:
        page.get_by_role("button", name="Tải báo cáo (XLSX)").click()
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    assert saved.suffix == ".xlsx"
    sheet = CalamineWorkbook.from_path(str(saved)).get_sheet_by_index(0).to_python()
    cells = [str(cell) for row in sheet for cell in row]
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in cells
    assert any(cell.startswith("Tổng") for cell in cells)
