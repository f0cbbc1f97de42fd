"""In a real browser: a commune officer opens the uninsured list from the menu, records a visit to the
first household from its row, sees it in the visit log, and downloads the list as an XLSX that opens
with the header and rows of `bhyt worklist uninsured`."""

from __future__ import annotations

from datetime import date

from python_calamine import CalamineWorkbook
from sqlalchemy import func, select

from bhyt.analytics.engine import analytics
from bhyt.store.models import Visit
from bhyt.worklist_tables import ListName, columns, run_list
from tests.browser.conftest import ARTIFACTS, sign_in
from tests.web.conftest import unit_of

TODAY = date.today()


def test_an_officer_records_a_visit_from_the_uninsured_list_and_downloads_it(page, browser_engine, tmp_path):
    commune = unit_of(browser_engine, "xa")
    with analytics(browser_engine) as con:
        expected = run_list(con, ListName.uninsured, commune, TODAY, 30, None)
    sign_in(page, "xa")
    page.get_by_role("link", name="Danh sách công việc").click()
    assert page.locator('#worklists tr[data-list="uninsured"] .count').inner_text().replace(".", "") \
        == str(len(expected))
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "worklists-overview.png"), full_page=True)
    page.get_by_role("link", name="Người chưa có thẻ BHYT").click()
    assert page.locator("#total").inner_text().replace(".", "") == str(len(expected))

    first = page.locator("#rows tbody tr").first
    household = first.get_attribute("data-household")
    first.get_by_role("link", name="Ghi lần thăm").click()
    with browser_engine.connect() as connection:
        before = connection.execute(select(func.count()).select_from(Visit)).scalar_one()
    page.get_by_label("Kết quả").select_option("refused")
    page.get_by_label("Lý do chưa tham gia (bắt buộc khi từ chối)").select_option("khong_du_tien")
    page.get_by_label("Ghi chú").fill("Hẹn sau vụ mùa")
    page.screenshot(path=str(ARTIFACTS / "worklists-visit-form.png"), full_page=True)
    page.get_by_role("button", name="Ghi lần thăm").click()
    page.locator("#form-notice").wait_for()
    page.screenshot(path=str(ARTIFACTS / "worklists-visit-log.png"), full_page=True)
    assert page.locator(f'#recent-visits tr[data-household="{household}"]').first.locator(".outcome").inner_text() \
        == "Từ chối"
    with browser_engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(Visit)).scalar_one() == before + 1

    page.get_by_role("link", name="Về danh sách").click()
    with page.expect_download() as download:
        page.locator("#export-xlsx").click()
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    assert saved.name == f"uninsured-{commune}-{TODAY}.xlsx"
    sheet = CalamineWorkbook.from_path(str(saved)).get_sheet_by_index(0).to_python()
    cols = columns(ListName.uninsured)
    assert sheet[3] == ["STT", *[column.title for column in cols]]
    assert len(sheet) == 4 + len(expected)
    row = dict(zip([column.key for column in cols], sheet[4][1:]))
    assert (row["ho_ten"], row["ma_ho"]) == (expected[0].person.full_name, expected[0].person.household_code)
    assert "*" in row["so_dinh_danh"]
