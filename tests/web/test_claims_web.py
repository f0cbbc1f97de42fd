"""The assessors' pages over a lake of the demo province's synthetic claims (`bhyt demo claims`): the
summary is the CLI's, the pages are scoped to the province's facilities, a decision is stored as
`bhyt claims decide` stores it and audited, and the files are the CLI's."""

from __future__ import annotations

import csv
import html
import io
import re
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from decimal import Decimal
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

import duckdb
import pytest
from python_calamine import CalamineWorkbook
from sqlalchemy import func, select
from typer.testing import CliRunner

from bhyt.analytics.engine import plain_url
from bhyt.claims.catalogue import SEVERITIES
from bhyt.claims.decisions import DECISIONS_VI
from bhyt.claims.facility_province import facility_prefixes, province_of_facility
from bhyt.claims.lake import ClaimsLake
from bhyt.cli import app as cli
from bhyt.demo.claims import write_demo_claims
from bhyt.ingest.claims_service import ingest_claims
from bhyt.masking import mask
from bhyt.store import decisions_version
from bhyt.store.db import default_engine
from bhyt.store.models import AuditEntry, ClaimDecision
from bhyt.web.accounts import add_user
from bhyt.web.claims_views import claim_record
from bhyt.web.demo_accounts import DEMO_PASSWORD
from bhyt.web.routes.claims import DECISION_LABELS, SEVERITY_LABELS
from tests.web.conftest import csrf_of
from tests.web.test_english import english_client

# As the synthetic-claims fixture of tests/claims: half a year, enough deaths and card gaps for findings.
VISITS, SHARE = 300, 0.01
FIRST, LAST = date(2026, 1, 1), date(2026, 6, 30)


@contextmanager
def served_lake(engine, folder: Path) -> Iterator[ClaimsLake]:
    """The synthetic claims of the registry in `engine` ingested into a lake under `folder`, the lake the
    web app reads (BHYT_CLAIMS_LAKE, read at each request) while inside."""
    write_demo_claims(engine, VISITS, folder / "claims", share=SHARE, first=FIRST, last=LAST)
    lake = ClaimsLake(folder / "lake")
    assert not ingest_claims([folder / "claims"], lake).errors
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("BHYT_CLAIMS_LAKE", str(lake.root))
        yield lake


@pytest.fixture(scope="module")
def claims_lake(web_engine, tmp_path_factory: pytest.TempPathFactory):
    add_user(web_engine, "giamdinh79", DEMO_PASSWORD, "assessor", "79", "Giám định viên TP HCM")
    with served_lake(web_engine, tmp_path_factory.mktemp("claims_web")) as lake:
        yield lake


def _cli(engine, monkeypatch, *args: str) -> str:
    monkeypatch.setenv("BHYT_DATABASE_URL", plain_url(engine))
    default_engine.cache_clear()
    try:
        result = CliRunner().invoke(cli, ["claims", *args], catch_exceptions=False)
    finally:
        default_engine.cache_clear()
    assert result.exit_code == 0, result.output
    return result.stdout


def _cli_findings(engine, monkeypatch, lake, *args: str) -> list[dict]:
    out = _cli(engine, monkeypatch, "assess", "--format", "csv", "--lake", str(lake.root), *args)
    return list(csv.DictReader(io.StringIO(out)))


@pytest.fixture(scope="module")
def findings(claims_lake, web_engine) -> list[dict]:
    """`bhyt claims assess --format csv` over the whole lake, before any decision."""
    with pytest.MonkeyPatch.context() as patch:
        return _cli_findings(web_engine, patch, claims_lake)


def _summary_of(html: str) -> dict[tuple[str, str], tuple[int, int]]:
    """(facility, rule) → (findings, amount) of the summary table, the numbers as the page writes them."""
    rows = re.findall(r'<tr data-facility="([^"]+)" data-rule="([^"]+)">(.*?)</tr>', html, re.S)
    found = {}
    for facility, rule, cells in rows:
        numbers = [int(value.replace(".", "")) for value in re.findall(r'<td class="num">([\d.]+)</td>', cells)]
        found[facility, rule] = (numbers[0], numbers[1])
    return found


def test_a_facility_belongs_to_the_province_of_its_first_two_digits() -> None:
    assert province_of_facility("44001") == "44"  # Quảng Bình before 2025, Quảng Trị since
    assert province_of_facility("45112") == "44"  # Quảng Trị before 2025
    assert province_of_facility("79001") == "79"
    assert province_of_facility("74015") == "79"  # Bình Dương, merged into TP Hồ Chí Minh
    assert province_of_facility("99001") is None and province_of_facility("4") is None
    assert facility_prefixes("44") == ("44", "45")


def test_the_labels_keep_step_with_the_catalogue_and_decisions() -> None:
    assert {key: str(label) for key, label in SEVERITY_LABELS.items()} == SEVERITIES
    assert {key: str(label) for key, label in DECISION_LABELS.items()} == DECISIONS_VI


def test_the_summary_is_the_cli_assessment_of_the_period(claims_lake, client_for, web_engine, monkeypatch) -> None:
    period = ["--from", "2026-02-01", "--to", "2026-05-31"]
    expected: dict[tuple[str, str], list] = defaultdict(lambda: [0, Decimal(0)])
    for row in _cli_findings(web_engine, monkeypatch, claims_lake, *period):
        expected[row["facility"], row["rule_id"]][0] += 1
        expected[row["facility"], row["rule_id"]][1] += Decimal(row["amount_at_risk"])
    assert expected, "the synthetic claims have findings in the period"
    response = client_for("giamdinh").get("/claims", params={"from": "2026-02-01", "to": "2026-05-31"})
    assert response.status_code == 200, response.text
    assert _summary_of(response.text) == {key: (count, int(amount)) for key, (count, amount) in expected.items()}
    assert "Giám định" in response.text  # the menu entry


def test_filters_and_the_findings_list(claims_lake, findings, client_for) -> None:
    expected = findings
    high = [row for row in expected if row["severity"] == "Cao"]
    client = client_for("giamdinh")
    html = client.get("/claims", params={"severity": "cao"}).text
    assert sum(count for count, _ in _summary_of(html).values()) == len(high)
    listed = client.get("/claims/findings", params={"severity": "cao"})
    assert listed.status_code == 200
    assert re.search(r'<span id="total">([\d.]+)</span>', listed.text).group(1).replace(".", "") == str(len(high))
    first = high[0]
    assert f'data-ma-lk="{first["ma_lk"]}" data-rule="{first["rule_id"]}"' in listed.text
    bad = client.get("/claims/findings", params={"from": "2026-06-01", "to": "2026-01-01"})
    assert bad.status_code == 400 and "Từ ngày phải trước hoặc bằng đến ngày" in bad.text
    assert client.get("/claims", params={"rule": "NO_RULE"}).status_code == 400


def test_communes_and_hamlets_see_no_claims(claims_lake, client_for) -> None:
    for username in ("xa", "thon"):
        client = client_for(username)
        assert client.get("/claims").status_code == 403
        assert client.get("/claims/findings").status_code == 403
        assert "Giám định" not in client.get("/").text


def test_an_assessor_of_another_province_sees_nothing_of_this_one(claims_lake, findings, client_for) -> None:
    finding = findings[0]
    client = client_for("giamdinh79")
    summary = client.get("/claims")
    assert summary.status_code == 200 and _summary_of(summary.text) == {}
    assert client.get("/claims", params={"facility": finding["facility"]}).status_code == 403
    assert client.get(f"/claims/claim/{finding['ma_lk']}").status_code == 403
    assert client.get("/claims/rejections", params={"facility": finding["facility"]}).status_code == 403


def test_the_claim_page_masks_the_id_number_and_is_audited(claims_lake, findings, client_for, web_engine) -> None:
    finding = findings[0]
    response = client_for("giamdinh").get(f"/claims/claim/{finding['ma_lk']}")
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"
    con = duckdb.connect()
    claims_lake.register(con)
    so_cccd = con.execute("SELECT so_cccd FROM xml1 WHERE ma_lk = ?", [finding["ma_lk"]]).fetchone()[0]
    con.close()
    assert so_cccd not in response.text and mask(so_cccd) in response.text
    assert f'<tr data-rule="{finding["rule_id"]}">' in response.text
    with web_engine.connect() as connection:
        entry = connection.execute(select(AuditEntry).where(AuditEntry.action == "view_claim")
                                   .order_by(AuditEntry.id.desc())).first()
    assert entry.username == "giamdinh" and entry.subject == f"claim {finding['ma_lk']}"


def _decisions(engine) -> int:
    with engine.connect() as connection:
        return connection.execute(select(func.count()).select_from(ClaimDecision)).scalar_one()


def _decisions_token(engine) -> str:
    with engine.connect() as connection:
        return decisions_version.current(connection)


def test_deciding_a_finding_stores_it_as_the_cli_does_and_audits_it(claims_lake, findings, client_for, web_engine,
                                                                   monkeypatch) -> None:
    finding = next(row for row in findings if row["decision"] == "Chưa quyết định")
    client = client_for("giamdinh")
    page = client.get(f"/claims/claim/{finding['ma_lk']}")
    target = f"/claims/claim/{finding['ma_lk']}/decide"
    before, token = _decisions(web_engine), _decisions_token(web_engine)

    forged = client.post(target, data={"rule_id": finding["rule_id"], "decision": "reject", "reason": "x"})
    assert forged.status_code == 403
    no_reason = client.post(target, data={"rule_id": finding["rule_id"], "decision": "reject", "reason": "  ",
                                          "csrf_token": csrf_of(page.text)})
    assert no_reason.status_code == 400 and "Bác bỏ cảnh báo cần ghi lý do." in no_reason.text
    assert (_decisions(web_engine), _decisions_token(web_engine)) == (before, token)

    done = client.post(target, data={"rule_id": finding["rule_id"], "decision": "reject",
                                     "reason": "Đã đối chiếu bệnh án: đúng chỉ định", "csrf_token": csrf_of(page.text)},
                       follow_redirects=False)
    assert done.status_code == 303, done.text
    assert parse_qs(urlsplit(done.headers["location"]).query)["facility"] == [finding["facility"]]
    with web_engine.connect() as connection:
        stored = connection.execute(select(ClaimDecision).where(ClaimDecision.ma_lk == finding["ma_lk"],
                                                                ClaimDecision.rule_id == finding["rule_id"])).one()
        audited = connection.execute(select(AuditEntry).where(AuditEntry.action == "decide_claim")
                                     .order_by(AuditEntry.id.desc())).first()
    assert (stored.decision, stored.reason, stored.decided_by) == ("reject", "Đã đối chiếu bệnh án: đúng chỉ định",
                                                                   "giamdinh")
    assert audited.username == "giamdinh" and finding["rule_id"] in audited.detail
    assert _decisions_token(web_engine) != token
    after = _cli_findings(web_engine, monkeypatch, claims_lake, "--rule", finding["rule_id"])
    assert {row["decision"] for row in after if row["ma_lk"] == finding["ma_lk"]} == {"Bác bỏ cảnh báo"}
    # The kept assessment is dropped with the new decision: the page shows it at once.
    assert "Bác bỏ cảnh báo: Đã đối chiếu bệnh án" in client.get(client.get(done.headers["location"]).url).text


def test_a_decision_recorded_by_the_cli_shows_on_the_claim_page_at_once(claims_lake, findings, client_for, web_engine,
                                                                       monkeypatch) -> None:
    decided = {(row["ma_lk"], row["rule_id"]) for row in _cli_findings(web_engine, monkeypatch, claims_lake)
               if row["decision"] != "Chưa quyết định"}
    finding = next(row for row in findings
                   if row["decision"] == "Chưa quyết định" and (row["ma_lk"], row["rule_id"]) not in decided)
    client = client_for("giamdinh")
    page = f"/claims/claim/{finding['ma_lk']}"
    # Seen once, the claim's assessment is kept: only the decisions' new token can drop it.
    assert "Đã xem lại hồ sơ gốc" not in client.get(page).text
    token = _decisions_token(web_engine)
    _cli(web_engine, monkeypatch, "decide", finding["ma_lk"], finding["rule_id"], "--reject", "--reason",
         "Đã xem lại hồ sơ gốc", "--by", "giamdinh", "--lake", str(claims_lake.root))
    assert _decisions_token(web_engine) != token
    assert "Bác bỏ cảnh báo: Đã xem lại hồ sơ gốc" in client.get(page).text


def test_the_province_officer_and_the_auditor_look_but_do_not_decide(claims_lake, findings, client_for) -> None:
    finding = findings[0]
    for username in ("tinh", "kiemtra"):
        client = client_for(username)
        page = client.get(f"/claims/claim/{finding['ma_lk']}")
        assert page.status_code == 200 and "decide-form" not in page.text
        refused = client.post(f"/claims/claim/{finding['ma_lk']}/decide",
                              data={"rule_id": finding["rule_id"], "decision": "accept", "csrf_token": csrf_of(page.text)})
        assert refused.status_code == 403


def test_the_files_are_the_clis(claims_lake, findings, client_for, web_engine, monkeypatch, tmp_path) -> None:
    facility = findings[0]["facility"]
    client = client_for("giamdinh")
    period = {"from": "2026-01-01", "to": "2026-06-30"}
    for web, args in (
        (client.get("/claims/rejections", params={"facility": facility, **period}),
         ["rejections", "--facility", facility]),
        (client.get("/claims/export", params={"facility": facility, **period}),
         ["assess", "--format", "xlsx", "--facility", facility]),
    ):
        assert web.status_code == 200, web.text
        out = tmp_path / f"{args[0]}.xlsx"
        _cli(web_engine, monkeypatch, *args, "--from", period["from"], "--to", period["to"], "--out", str(out),
             "--lake", str(claims_lake.root))
        (tmp_path / "web.xlsx").write_bytes(web.content)
        ours, theirs = (CalamineWorkbook.from_path(str(path)) for path in (tmp_path / "web.xlsx", out))
        assert ours.sheet_names == theirs.sheet_names
        for name in ours.sheet_names:
            assert ours.get_sheet_by_name(name).to_python() == theirs.get_sheet_by_name(name).to_python()
    assert client.get("/claims/rejections").status_code == 400
    with web_engine.connect() as connection:
        exports = connection.execute(select(func.count()).select_from(AuditEntry)
                                     .where(AuditEntry.action == "export_claims", AuditEntry.username == "giamdinh"))
        assert exports.scalar_one() >= 2


def test_an_assessor_reads_the_pages_in_english(claims_lake, findings, client_for) -> None:
    client = english_client(client_for, "giamdinh")
    summary = client.get("/claims").text
    assert "Summary by facility and rule" in summary and "Claims assessment" in summary
    listed = client.get("/claims/findings", params={"rule": findings[0]["rule_id"]}).text
    assert "Amount at risk (VND)" in listed and "Not decided" in listed
    assert "Episode summary (XML1)" in client.get(f"/claims/claim/{findings[0]['ma_lk']}").text


def _claim_shown(page: str) -> list[str]:
    """What the claim page shows of the claim: its heading, episode, findings and lines."""
    return re.findall(r'<h1>.*?</h1>|<dl class="facts" id="episode">.*?</dl>|<table class="data" id="[^"]+">.*?</table>',
                      page, re.S)


def _where_in_lake(lake: ClaimsLake, ma_lk: str) -> tuple[str, str]:
    with duckdb.connect() as con:
        lake.register(con)
        return con.execute("SELECT facility, month FROM xml1 WHERE ma_lk = ?", [ma_lk]).fetchone()


def test_the_claim_page_shows_the_same_claim_with_or_without_where_the_link_says(claims_lake, findings,
                                                                                   client_for) -> None:
    finding = findings[0]
    ma_lk = finding["ma_lk"]
    facility, month = _where_in_lake(claims_lake, ma_lk)
    client = client_for("giamdinh")
    listed = client.get("/claims/findings", params={"facility": facility, "rule": finding["rule_id"]}).text
    link = html.unescape(re.search(rf'<a href="(/claims/claim/{ma_lk}\?[^"]+)">', listed).group(1))
    assert parse_qs(urlsplit(link).query) == {"facility": [facility], "month": [month]}
    linked = client.get(link)
    assert linked.status_code == 200, linked.text
    assert len(_claim_shown(linked.text)) >= 3 and ma_lk in _claim_shown(linked.text)[0]
    assert f'action="/claims/claim/{ma_lk}/decide?{html.escape(urlencode({"facility": facility, "month": month}))}"' \
        in linked.text
    other = next(path.parent.name.removeprefix("facility=") for path in claims_lake.files("XML1")
                 if path.parent.name != f"facility={facility}")
    for params in ({}, {"facility": other, "month": month}, {"facility": facility, "month": "2099-01"},
                   {"facility": other}):
        page = client.get(f"/claims/claim/{ma_lk}", params=params)
        assert page.status_code == 200, (params, page.text)
        assert _claim_shown(page.text) == _claim_shown(linked.text), params
    assert client.get("/claims/claim/KHONG-CO", params={"facility": facility, "month": month}).status_code == 404


def test_a_claim_is_read_from_the_files_of_its_partition_when_the_link_says_where(claims_lake, findings,
                                                                                 monkeypatch) -> None:
    ma_lk = findings[0]["ma_lk"]
    facility, month = _where_in_lake(claims_lake, ma_lk)
    searched: list[list[Path]] = []
    register = ClaimsLake.register

    def spied(self: ClaimsLake, con, partitions=None) -> None:
        searched.append(self.files("XML1", partitions))
        register(self, con, partitions)

    monkeypatch.setattr(ClaimsLake, "register", spied)
    partition = claims_lake.root / "xml1" / f"month={month}" / f"facility={facility}"

    found = claim_record(ma_lk, facility, month)

    assert found.episode["ma_lk"] == ma_lk and len(found.drug_lines) + len(found.service_lines) > 0
    assert searched and all(path.parent == partition for files in searched for path in files)
    searched.clear()
    assert claim_record(ma_lk, prefixes=(facility[:2],)) == found
    assert {path.parent.name[len("facility="):][:2] for path in searched[0]} == {facility[:2]}
    searched.clear()
    assert claim_record(ma_lk, "00000", month, (facility[:2],)) == found  # stale: wider, each file once
    chosen = [path for files in searched[:-1] for path in files]
    assert len(chosen) == len(set(chosen)) and all(path.parent == partition for path in searched[-1])


def test_where_the_link_says_a_claim_is_does_not_widen_an_assessors_reach(claims_lake, findings, client_for) -> None:
    ma_lk = findings[0]["ma_lk"]
    facility, month = _where_in_lake(claims_lake, ma_lk)
    client = client_for("giamdinh79")
    for params in ({"facility": facility, "month": month}, {"facility": "79001", "month": month}):
        assert client.get(f"/claims/claim/{ma_lk}", params=params).status_code == 403
