"""The breakdown, risk and forecast pages of a unit give the numbers of `bhyt coverage --by`,
`bhyt risk` and `bhyt forecast` on the same database, inside the account's unit only."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from html import unescape

import pytest

from bhyt.analytics.engine import analytics
from bhyt.analytics.forecast import forecast
from bhyt.analytics.risk import units_at_risk
from bhyt.domain.participants import PARTICIPANT_CODES
from tests.web.conftest import cli_json, unit_of

AS_OF = date(2026, 11, 22)


def table_rows(html: str, table_id: str, attribute: str) -> dict[str, list[str]]:
    """`data-<attribute>` of each row of the table → its cells' text."""
    table = html.split(f'id="{table_id}"')[1].split("</table>")[0]
    rows = {}
    for key, body in re.findall(rf'<tr data-{attribute}="([^"]+)"[^>]*>(.*?)</tr>', table, re.S):
        cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", body, re.S)
        rows[key] = [" ".join(unescape(re.sub(r"<[^>]+>", "", cell)).split()) for cell in cells]
    return rows


def shown_int(value) -> str:
    return f"{value:,}".replace(",", ".")


def shown_pct(value) -> str:
    return "–" if value is None else f"{Decimal(value):.2f}".replace(".", ",") + " %"


@pytest.mark.parametrize("by", ["code", "group", "age", "sex"])
def test_the_breakdown_gives_the_cli_numbers(client_for, web_engine, monkeypatch, by):
    commune = unit_of(web_engine, "xa")
    expected = cli_json(web_engine, monkeypatch, "coverage", "--as-of", AS_OF.isoformat(), "--level", "commune",
                        "--unit", commune, "--by", by)
    page = client_for("xa").get(f"/units/{commune}/breakdown", params={"by": by, "as_of": AS_OF.isoformat()})
    assert page.status_code == 200
    rows = table_rows(page.text, "breakdown", "key")
    assert list(rows)[:-1] == [item["key"] for item in expected]
    for item in expected:
        assert rows[item["key"]][2:5] == [shown_int(item["population"]), shown_int(item["insured"]),
                                          shown_pct(item["coverage_pct"])]
    whole = cli_json(web_engine, monkeypatch, "coverage", "--as-of", AS_OF.isoformat(), "--level", "commune",
                     "--unit", commune)[0]
    assert rows["total"][2:5] == [shown_int(whole["population"]), shown_int(whole["insured"]),
                                  shown_pct(whole["coverage_pct"])]
    if by in ("code", "group"):
        assert sum(item["insured"] for item in expected) == whole["insured"]
    else:
        assert sum(item["population"] for item in expected) == whole["population"]


def test_the_breakdown_names_each_key(client_for, web_engine):
    commune = unit_of(web_engine, "xa")
    client = client_for("xa")
    groups = table_rows(client.get(f"/units/{commune}/breakdown?by=group&as_of={AS_OF}").text, "breakdown", "key")
    assert groups["3"][1] == "Nhóm do ngân sách nhà nước đóng"
    sexes = table_rows(client.get(f"/units/{commune}/breakdown?by=sex&as_of={AS_OF}").text, "breakdown", "key")
    assert [sexes["1"][1], sexes["2"][1]] == ["Nam", "Nữ"]
    assert client.get(f"/units/{commune}/breakdown?by=religion").status_code == 400


def test_names_with_a_percent_sign_are_shown_as_they_are(client_for):
    # "… 100%…" in a participant code's name must not be read as a format directive.
    page = client_for("tinh").get(f"/units/44/breakdown?by=code&as_of={AS_OF}")
    assert page.status_code == 200
    names = {key: cells[1] for key, cells in table_rows(page.text, "breakdown", "key").items()}
    with_percent = [code for code, item in PARTICIPANT_CODES.items() if "%" in item.name_vi and code in names]
    assert with_percent and all(names[code] == PARTICIPANT_CODES[code].name_vi for code in with_percent)


def test_the_risk_page_lists_the_hamlets_at_risk_as_the_cli_does(client_for, web_engine, monkeypatch):
    commune = unit_of(web_engine, "xa")
    expected = cli_json(web_engine, monkeypatch, "risk", "--as-of", AS_OF.isoformat(), "--level", "hamlet",
                        "--unit", commune)
    client = client_for("xa")
    page = client.get(f"/units/{commune}/risk", params={"as_of": AS_OF.isoformat()})
    rows = table_rows(page.text, "risk", "unit") if expected else {}
    assert list(rows) == [item["unit_code"] for item in expected]
    for item in expected:
        cells = rows[item["unit_code"]]
        assert cells[:3] == [item["unit_code"], item["unit_name"], shown_pct(item["coverage_pct"])]
        assert cells[7:] == [shown_pct(item["projected_year_end_pct"]), shown_pct(item["target_pct"]), item["reasons"]]
    with analytics(web_engine) as con:
        every = units_at_risk(con, AS_OF, "hamlet", commune)
    assert f"{len(expected)} / {len(every)}" in page.text
    everything = table_rows(client.get(f"/units/{commune}/risk?as_of={AS_OF}&all=true").text, "risk", "unit")
    assert list(everything) == [row.unit_code for row in every]
    for row in every:
        change = "–" if row.month_change is None else f"{row.month_change:+.2f}".replace(".", ",")
        assert everything[row.unit_code][3] == change
        assert everything[row.unit_code][5].startswith(shown_int(row.expiring[30]))


def test_a_hamlet_risk_page_weighs_the_hamlet_itself(client_for, web_engine):
    hamlet = unit_of(web_engine, "thon")
    page = client_for("thon").get(f"/units/{hamlet}/risk?as_of={AS_OF}&all=true")
    with analytics(web_engine) as con:
        (row,) = units_at_risk(con, AS_OF, "hamlet", hamlet)
    assert list(table_rows(page.text, "risk", "unit")) == [row.unit_code]
    assert "Nguy cơ của đơn vị" in page.text


def test_the_forecast_page_gives_the_cli_numbers(client_for, web_engine, monkeypatch):
    commune = unit_of(web_engine, "xa")
    expected = cli_json(web_engine, monkeypatch, "forecast", "--unit", commune, "--year", "2026",
                        "--as-of", AS_OF.isoformat())
    page = client_for("xa").get(f"/units/{commune}/forecast", params={"year": 2026, "as_of": AS_OF.isoformat()})
    assert page.status_code == 200
    rows = table_rows(page.text, "forecast", "unit")
    assert list(rows) == [item["unit_code"] for item in expected["units"]]
    for item in expected["units"]:
        assert rows[item["unit_code"]][2:] == [
            shown_int(item["population"]), shown_int(item["insured"]), shown_pct(item["coverage_pct"]),
            shown_int(item["insured_2026"]), shown_pct(item["coverage_pct_2026"]),
            shown_int(item["insured_2030"]), shown_pct(item["coverage_pct_2030"])]
    # The assumptions as the CLI prints them, less its heading and bullets.
    with analytics(web_engine) as con:
        lines = forecast(con, commune, 2026, AS_OF).unit.projection.assumptions.lines()
    shown = [unescape(line) for line in re.findall(r"<li[^>]*>([^<]*)</li>", page.text.split('class="assumptions"')[1])]
    assert shown[:len(lines)] == [line.strip() for line in lines]
    past = client_for("xa").get(f"/units/{commune}/forecast", params={"year": 2025, "as_of": AS_OF.isoformat()})
    assert past.status_code == 400 and "Năm dự báo 2025 đã qua" in past.text


@pytest.mark.parametrize("page", ["breakdown?by=code", "risk", "forecast"])
def test_another_commune_pages_are_refused(client_for, web_engine, page):
    own = unit_of(web_engine, "xa")
    with analytics(web_engine) as con:
        other = con.execute("SELECT code FROM units WHERE level = 'commune' AND parent_code = '44' AND code <> ? "
                            "ORDER BY code LIMIT 1", [own]).fetchone()[0]
    client = client_for("xa")
    assert client.get(f"/units/{other}/{page}").status_code == 403
    assert client.get(f"/units/44/{page}").status_code == 403


def test_the_dashboard_links_to_the_three_pages(client_for, web_engine):
    commune = unit_of(web_engine, "xa")
    page = client_for("xa").get(f"/units/{commune}?as_of={AS_OF}")
    links = re.search(r'<nav class="unit-links"[^>]*>(.*?)</nav>', page.text, re.S).group(1)
    hrefs = [unescape(href) for href in re.findall(r'href="([^"]+)"', links)]
    assert hrefs == [f"/units/{commune}/breakdown?by=code&as_of={AS_OF}", f"/units/{commune}/risk?as_of={AS_OF}",
                     f"/units/{commune}/forecast?year={AS_OF.year}&as_of={AS_OF}"]
    client = client_for("xa")
    assert all(client.get(href).status_code == 200 for href in hrefs)
