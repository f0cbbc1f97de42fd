"""In a real browser: an assessor opens the assessment summary from the menu, opens a finding's claim,
dismisses the finding with a reason, and downloads the facility's rejection list, which opens without
the dismissed finding and with the rows `bhyt claims rejections` lists."""

from __future__ import annotations

from collections import Counter

import pytest
from python_calamine import CalamineWorkbook
from sqlalchemy import select

from bhyt.analytics.engine import plain_url
from bhyt.claims.assessment import assess
from bhyt.claims.assessment_files import rejection_rows
from bhyt.claims.catalogue import load_catalogue
from bhyt.store.models import ClaimDecision
from tests.browser.conftest import ARTIFACTS, sign_in
from tests.web.test_claims_web import served_lake

REASON = "Đã đối chiếu bệnh án, chỉ định đúng"


@pytest.fixture(scope="module")
def claims_lake(browser_engine, tmp_path_factory: pytest.TempPathFactory):
    # The server runs in this process: it reads the lake's place at each request.
    with served_lake(browser_engine, tmp_path_factory.mktemp("claims_browser")) as lake:
        yield lake


def test_an_assessor_dismisses_a_finding_and_downloads_the_rejection_list(page, browser_engine, claims_lake,
                                                                          tmp_path):
    findings = assess(claims_lake, plain_url(browser_engine), load_catalogue()).findings
    facility, _ = Counter(f.facility for f in findings).most_common(1)[0]
    rule = next(f.rule_id for f in findings if f.facility == facility)
    sign_in(page, "giamdinh")
    page.get_by_role("link", name="Giám định", exact=True).click()
    page.locator(f'#summary tr[data-facility="{facility}"][data-rule="{rule}"] a').click()
    first = page.locator("#findings tbody tr").first
    ma_lk = first.get_attribute("data-ma-lk")
    first.get_by_role("link", name=ma_lk).click()
    page.locator("#ma-lk").wait_for()

    form = page.locator(f'form.decide-form[data-rule="{rule}"]')
    form.get_by_label("Quyết định").select_option("reject")
    form.get_by_label("Lý do (bắt buộc khi bác bỏ)").fill(REASON)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "claims-decision-form.png"), full_page=True)
    form.get_by_role("button", name="Ghi quyết định").click()
    page.locator("#form-notice").wait_for()
    assert f"Bác bỏ cảnh báo: {REASON}" in page.locator(f'#findings tr[data-rule="{rule}"]').first.inner_text()
    with browser_engine.connect() as connection:
        stored = connection.execute(select(ClaimDecision.decision, ClaimDecision.decided_by)
                                    .where(ClaimDecision.ma_lk == ma_lk, ClaimDecision.rule_id == rule)).one()
    assert tuple(stored) == ("reject", "giamdinh")

    page.get_by_role("link", name="Giám định", exact=True).click()
    with page.expect_download() as download:
        page.locator(f'#downloads a[data-facility="{facility}"]').click()
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    sheet = CalamineWorkbook.from_path(str(saved)).get_sheet_by_index(0).to_python()
    expected = rejection_rows(assess(claims_lake, plain_url(browser_engine), load_catalogue()), facility)
    rows = sheet[3:-1] if expected else sheet[3:]  # the header above, the total below
    assert len(rows) == len(expected)
    assert (ma_lk, rule) not in {(row[1], row[10]) for row in rows}
    if expected:
        assert rows[0][1:3] == [expected[0][0], expected[0][1]]  # MA_LK, MA_BN
