"""In a real browser: sign in, see the engine's numbers on the dashboard (and its chart drawn from the
npm-built Chart.js), drill down to a hamlet, and be refused another commune."""

from __future__ import annotations

from datetime import date

from bhyt.analytics.coverage import coverage
from bhyt.analytics.engine import analytics
from tests.browser.conftest import sign_in
from tests.web.conftest import unit_of

TODAY = date.today()


def _shown(value) -> str:
    return "–" if value is None else f"{value:.2f}".replace(".", ",") + " %"


def test_sign_in_and_the_dashboard_shows_the_engine_numbers(page, browser_engine):
    page.goto("/")
    assert "/login" in page.url
    sign_in(page, "tinh")
    assert page.url.endswith("/units/44")
    with analytics(browser_engine) as con:
        province = coverage(con, TODAY, "province", "44")[0]
        communes = {row.unit_code: row for row in coverage(con, TODAY, "commune", "44")}
    assert page.locator("#kpi-coverage").inner_text() == _shown(province.coverage_pct)
    rows = page.locator("#children tbody tr")
    assert rows.count() == len(communes)
    first = rows.first
    code = first.get_attribute("data-unit")
    assert first.locator("td").nth(4).inner_text() == _shown(communes[code].coverage_pct)
    # The chart library loaded (no CDN: served from the npm build) and drew on the canvas.
    assert page.evaluate("typeof Chart") == "function"
    assert page.evaluate("Chart.getChart(document.getElementById('trend-chart')) !== undefined")


def test_drill_down_from_the_province_to_a_hamlet(page):
    sign_in(page, "tinh")
    page.locator("#children tbody tr a").first.click()
    page.wait_for_load_state()
    assert "(Xã ·" in page.locator("h1").inner_text()
    page.locator("#children tbody tr a").first.click()
    page.wait_for_load_state()
    assert "(Thôn ·" in page.locator("h1").inner_text()
    crumbs = page.locator(".breadcrumbs li")
    assert crumbs.count() == 3


def test_a_commune_officer_is_refused_another_commune(page, browser_engine):
    sign_in(page, "xa")
    own = unit_of(browser_engine, "xa")
    assert page.url.endswith(f"/units/{own}")
    with analytics(browser_engine) as con:
        other = next(row.unit_code for row in coverage(con, TODAY, "commune", "44") if row.unit_code != own)
    response = page.goto(f"/units/{other}")
    assert response.status == 403
    assert "ngoài phạm vi" in page.locator("main").inner_text()
    api = page.request.get(f"/api/coverage?as_of={TODAY}&level=hamlet&unit={other}")
    assert api.status == 403


def test_the_risk_panel_lists_the_units_the_api_flags(page, browser_engine):
    from bhyt.analytics.risk import units_at_risk

    sign_in(page, "tinh")
    page.locator("#risk-status").filter(has_not_text="Đang tính").wait_for()
    with analytics(browser_engine) as con:
        flagged = [row for row in units_at_risk(con, TODAY, "commune", "44") if row.reasons]
    shown = page.locator("#risk-list li")
    assert [shown.nth(index).get_attribute("data-unit") for index in range(shown.count())] == [
        row.unit_code for row in flagged[:5]]
    assert page.locator("#risk-status").inner_text() == (
        f"{len(flagged)} đơn vị có nguy cơ" if flagged else "Không có đơn vị nào có nguy cơ.")
