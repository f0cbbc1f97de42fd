"""The work-list pages, their files and API, and the visit log on the web: the same rows and counts as
`bhyt worklist` on the same database, the same CSV bytes, only inside the account's unit, IDs masked
unless revealed by an audited POST, every list and file of named people in the audit log; a visit
recorded from the form, bad input refused with nothing written."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import date, timedelta
from html import unescape

import pytest
from fastapi.testclient import TestClient
from python_calamine import CalamineWorkbook
from sqlalchemy import func, select
from typer.testing import CliRunner

from bhyt import visits
from bhyt.analytics.engine import analytics, plain_url
from bhyt.cli import app as cli
from bhyt.store.db import default_engine
from bhyt.store.models import Assignment, Household, Person, Unit, Visit
from bhyt.web.accounts import issue_api_token
from bhyt.web.routes.visits import OUTCOME_LABELS
from bhyt.web.worklist_views import COLUMN_TITLES, XLSX, default_since
from bhyt.worklist_tables import ListName, columns
from tests.web.conftest import audit_entries, cli_json, csrf_of, unit_of

TODAY = date.today()
SINCE = default_since(TODAY)


def cli_args(name: ListName, unit: str) -> list[str]:
    """`bhyt worklist` with the arguments the web pages default to."""
    args = ["worklist", name.value, "--unit", unit, "--as-of", TODAY.isoformat()]
    return args + ["--since", SINCE.isoformat()] if name is ListName.newly_eligible else args


def cli_csv_file(engine, monkeypatch, tmp_path, name: ListName, unit: str, reveal: bool = False,
                 output: str = "csv") -> bytes:
    """The bytes of `bhyt worklist … --format csv|reminders --out FILE`."""
    out = tmp_path / f"{name.value}-{output}.csv"
    monkeypatch.setenv("BHYT_DATABASE_URL", plain_url(engine))
    default_engine.cache_clear()
    try:
        result = CliRunner().invoke(cli, [*cli_args(name, unit), "--format", output, "--out", str(out),
                                          *(["--reveal"] if reveal else [])], catch_exceptions=False)
    finally:
        default_engine.cache_clear()
    assert result.exit_code == 0, result.output
    return out.read_bytes()


def cells(html: str, table: str) -> list[list[str]]:
    body = re.search(rf'<table[^>]*id="{table}".*?<tbody>(.*?)</tbody>', html, re.S).group(1)
    return [[" ".join(unescape(re.sub(r"<[^>]+>", "", cell)).split())
             for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
            for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)]


def number(text: str) -> int:
    return int(text.replace(".", ""))


def visit_count(engine) -> int:
    with engine.connect() as connection:
        return connection.execute(select(func.count()).select_from(Visit)).scalar_one()


@pytest.fixture(scope="module")
def commune(web_engine) -> str:
    return unit_of(web_engine, "xa")


@pytest.fixture(scope="module")
def cli_rows(web_engine, commune):
    """`bhyt worklist NAME --format json` for the demo commune, every list, read once."""
    found = {}
    with pytest.MonkeyPatch.context() as monkeypatch:
        for name in ListName:
            found[name] = cli_json(web_engine, monkeypatch, *cli_args(name, commune))
    return found


def test_the_overview_counts_every_list_as_the_cli(client_for, commune, cli_rows):
    html = client_for("xa").get("/worklists").text
    counts = dict(re.findall(r'<tr data-list="([a-z-]+)">.*?<td class="num count">([\d.]+)</td>', html, re.S))
    assert {name: number(count) for name, count in counts.items()} == {
        name.value: len(rows) for name, rows in cli_rows.items()}
    assert sum(len(rows) for rows in cli_rows.values()) > 0
    assert f"({commune})" in html and '<a href="/worklists">Danh sách công việc</a>' in html


def test_a_province_overview_lists_without_counting(client_for, web_engine, monkeypatch):
    tinh = client_for("tinh")
    html = tinh.get("/worklists").text
    assert 'id="province-note"' in html and 'class="num count"' not in html
    assert html.count('<tr data-list="') == len(ListName)
    # A province's list itself opens, whole in its count, without the per-hamlet table.
    expected = cli_json(web_engine, monkeypatch, *cli_args(ListName.deceased, "44"))
    page = tinh.get("/worklists/deceased?unit=44").text
    assert number(re.search(r'<span id="total">([\d.]+)</span>', page).group(1)) == len(expected)
    assert 'id="per-hamlet"' not in page


def test_a_list_page_shows_the_cli_rows_masked_with_counts_per_hamlet(client_for, web_engine, commune, cli_rows):
    expected = cli_rows[ListName.uninsured]
    assert expected, "the demo commune has uninsured residents"
    page = client_for("xa").get(f"/worklists/uninsured?unit={commune}")
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    html = page.text
    assert number(re.search(r'<span id="total">([\d.]+)</span>', html).group(1)) == len(expected)
    per_hamlet = {row[0]: number(row[1]) for row in cells(html, "per-hamlet")}
    by_cli: dict[str, int] = {}
    for row in expected:
        by_cli[row["thon"] or "(chưa rõ thôn, tổ)"] = by_cli.get(row["thon"] or "(chưa rõ thôn, tổ)", 0) + 1
    assert per_hamlet == by_cli
    shown = cells(html, "rows")
    assert len(shown) == min(len(expected), 100)
    titles = [column.title for column in columns(ListName.uninsured)]
    # Same columns and the same (masked) numbers and names, in the same order.
    assert [row[0] for row in shown] == ["Ghi lần thăm"] * len(shown)  # the visit link comes first
    assert [[row[1], row[2], row[4]] for row in shown] == [
        [row["so_dinh_danh"], row["ho_ten"], row["ma_ho"]] for row in expected[:100]]
    assert all(title in html for title in titles)
    with web_engine.connect() as connection:
        whole = connection.execute(select(Person.personal_id).where(
            Person.full_name == expected[0]["ho_ten"])).scalars().all()
    assert not any(personal_id in html for personal_id in whole)
    seen = audit_entries(web_engine, "xa", "view_people")[-1]
    assert seen.subject == "worklist uninsured" and json.loads(seen.detail)["rows"] == len(expected)


def test_a_hamlet_link_shows_that_hamlet_list(client_for, web_engine, commune, cli_rows):
    hamlet = unit_of(web_engine, "thon")
    with pytest.MonkeyPatch.context() as monkeypatch:
        expected = cli_json(web_engine, monkeypatch, *cli_args(ListName.expiring, hamlet))
    html = client_for("xa").get(f"/worklists/expiring?unit={hamlet}&as_of={TODAY}").text
    assert number(re.search(r'<span id="total">([\d.]+)</span>', html).group(1)) == len(expected)
    assert f'<option value="{hamlet}" selected>' in html


def test_filters_read_days_and_since_and_refuse_bad_values(client_for, web_engine, commune, monkeypatch):
    xa = client_for("xa")
    expected = cli_json(web_engine, monkeypatch, "worklist", "expiring", "--unit", commune, "--as-of",
                        TODAY.isoformat(), "--days", "90")
    html = xa.get(f"/worklists/expiring?unit={commune}&days=90").text
    assert number(re.search(r'<span id="total">([\d.]+)</span>', html).group(1)) == len(expected)
    for query, message in [("days=abc", "Số ngày phải là số nguyên từ 1 đến 366"),
                           ("days=400", "Số ngày phải là số nguyên từ 1 đến 366"),
                           ("as_of=30/11/2026", "Ngày tính không hợp lệ"),
                           (f"since={TODAY + timedelta(days=1)}", "sau ngày tính")]:
        name = "newly-eligible" if query.startswith("since") else "expiring"
        refused = xa.get(f"/worklists/{name}?unit={commune}&{query}")
        assert refused.status_code == 400 and message in unescape(refused.text), query
    assert xa.get("/worklists/nobody").status_code == 404


def test_a_hamlet_head_sees_only_their_hamlet(client_for, web_engine, commune):
    own = unit_of(web_engine, "thon")
    with web_engine.connect() as connection:
        other = connection.execute(select(Unit.code).where(Unit.parent_code == commune, Unit.code != own)
                                   .order_by(Unit.code)).scalars().first()
    thon = client_for("thon")
    assert thon.get("/worklists/uninsured").status_code == 200
    assert thon.get(f"/worklists/uninsured?unit={other}").status_code == 403
    assert thon.get(f"/worklists/uninsured?unit={commune}").status_code == 403
    assert thon.get(f"/worklists?unit={other}").status_code == 403
    assert thon.get(f"/api/worklists/uninsured?unit={other}").status_code == 403
    refused = audit_entries(web_engine, "thon", "refused")[-1]
    assert refused.unit_code == other
    # A hamlet head takes their own hamlet's copy (masked, audited), and no other hamlet's.
    own_copy = thon.get(f"/worklists/uninsured/export?unit={own}&format=csv")
    assert own_copy.status_code == 200 and own_copy.headers["content-type"].startswith("text/csv")
    exported = audit_entries(web_engine, "thon", "export_people")[-1]
    assert exported.unit_code == own
    assert thon.get(f"/worklists/uninsured/export?unit={other}&format=csv").status_code == 403


def test_the_csv_file_is_the_cli_file_and_is_audited(client_for, web_engine, commune, monkeypatch, tmp_path):
    for name in (ListName.uninsured, ListName.newly_eligible):
        answer = client_for("xa").get(f"/worklists/{name.value}/export?unit={commune}&format=csv")
        assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/csv")
        assert answer.headers["content-disposition"] == \
            f'attachment; filename="{name.value}-{commune}-{TODAY}.csv"'
        assert answer.content == cli_csv_file(web_engine, monkeypatch, tmp_path, name, commune)
        entry = audit_entries(web_engine, "xa", "export_people")[-1]
        assert (entry.subject, entry.unit_code) == (f"worklist {name.value}", commune)
        assert json.loads(entry.detail)["format"] == "csv"


def test_the_reminders_are_the_cli_messages(client_for, web_engine, commune, monkeypatch, tmp_path):
    xa = client_for("xa")
    sent = 0
    for name in (ListName.expiring, ListName.lapsed, ListName.uninsured):
        answer = xa.get(f"/worklists/{name.value}/export?unit={commune}&format=reminders")
        assert answer.status_code == 200
        assert answer.headers["content-disposition"] == \
            f'attachment; filename="{name.value}-{commune}-{TODAY}-tin-nhan.csv"'
        assert answer.content == cli_csv_file(web_engine, monkeypatch, tmp_path, name, commune, output="reminders")
        messages = list(csv.DictReader(io.StringIO(answer.content.decode("utf-8-sig"))))
        assert all(re.fullmatch(r"0\d{9}", message["so_dien_thoai"]) for message in messages)
        entry = audit_entries(web_engine, "xa", "export_people")[-1]
        assert json.loads(entry.detail)["messages"] == len(messages)
        sent += len(messages)
    assert sent > 0
    assert 'id="export-reminders"' in xa.get(f"/worklists/expiring?unit={commune}").text
    assert 'id="export-reminders"' not in xa.get(f"/worklists/deceased?unit={commune}").text
    refused = xa.get(f"/worklists/deceased/export?unit={commune}&format=reminders")
    assert refused.status_code == 400 and "Tin nhắn nhắc chỉ lập từ" in refused.text


def test_the_participant_list_is_the_cli_file_and_is_audited(client_for, web_engine, commune, monkeypatch,
                                                             tmp_path):
    xa = client_for("xa")
    # The list's content is checked on hand-worked fixtures with the CLI (tests/cli); here, that the page
    # gives the CLI's file, masked, audited, and only for the two lists it is made from.
    for name in (ListName.eligible_missing, ListName.newly_eligible):
        answer = xa.get(f"/worklists/{name.value}/export?unit={commune}&format=participants")
        assert answer.status_code == 200 and answer.headers["content-type"] == XLSX
        assert answer.headers["content-disposition"].endswith(f'-{TODAY}-D03-TS.xlsx"')
        web_sheet = CalamineWorkbook.from_filelike(io.BytesIO(answer.content)).get_sheet_by_index(0).to_python()
        # xlsxwriter stamps the time of writing into the file: the cells are compared, not the bytes.
        cli_file = tmp_path / f"{name.value}-d03.xlsx"
        cli_file.write_bytes(cli_csv_file(web_engine, monkeypatch, tmp_path, name, commune, output="participants"))
        assert web_sheet == CalamineWorkbook.from_path(str(cli_file)).get_sheet_by_index(0).to_python()
        numbers = [str(cell) for row in web_sheet for cell in row if re.fullmatch(r"[0-9*]{10,12}", str(cell))]
        assert all(re.fullmatch(r"\d{3,4}\*+\d{2}", number) for number in numbers)  # masked
        entry = audit_entries(web_engine, "xa", "export_people")[-1]
        assert json.loads(entry.detail)["format"] == "participants" and "listed" in json.loads(entry.detail)
        assert web_sheet[7][:4] == ["STT", "Họ và tên", "Mã số BHXH", "Số CCCD/ĐDCN/hộ chiếu"]
    assert 'id="export-participants"' in xa.get(f"/worklists/eligible-missing?unit={commune}").text
    refused = xa.get(f"/worklists/deceased/export?unit={commune}&format=participants")
    assert refused.status_code == 400 and "D03-TS" in refused.text


def test_the_xlsx_file_holds_the_cli_rows(client_for, web_engine, commune, cli_rows):
    answer = client_for("xa").get(f"/worklists/uninsured/export?unit={commune}&format=xlsx")
    assert answer.status_code == 200
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(answer.content)).get_sheet_by_index(0).to_python()
    cols = columns(ListName.uninsured)
    assert sheet[3] == ["STT", *[column.title for column in cols]]
    expected = cli_rows[ListName.uninsured]
    assert len(sheet) == 4 + len(expected)
    first = dict(zip([column.key for column in cols], sheet[4][1:]))
    assert (first["so_dinh_danh"], first["ho_ten"], first["reason"]) == (
        expected[0]["so_dinh_danh"], expected[0]["ho_ten"], expected[0]["reason"])
    entry = audit_entries(web_engine, "xa", "export_people")[-1]
    assert json.loads(entry.detail)["format"] == "xlsx"


def test_revealing_needs_the_form_and_is_audited(client_for, web_engine, commune, monkeypatch, tmp_path):
    xa = client_for("xa")
    page = xa.get(f"/worklists/uninsured?unit={commune}")
    fields = {"unit": commune, "as_of": TODAY.isoformat(), "format": "csv"}
    assert xa.post("/worklists/uninsured/export", data=fields).status_code == 403
    assert xa.post("/worklists/uninsured/reveal", data=fields).status_code == 403
    answer = xa.post("/worklists/uninsured/export", data={**fields, "csrf_token": csrf_of(page.text)})
    assert answer.status_code == 200
    assert answer.content == cli_csv_file(web_engine, monkeypatch, tmp_path, ListName.uninsured, commune, reveal=True)
    first = next(csv.DictReader(io.StringIO(answer.content.decode("utf-8-sig"))))
    assert re.fullmatch(r"\d{12}", first["so_dinh_danh"])
    assert json.loads(audit_entries(web_engine, "xa", "reveal_id")[-1].detail)["format"] == "csv"
    revealed = xa.post("/worklists/uninsured/reveal", data={**fields, "page": "1", "csrf_token": csrf_of(page.text)})
    assert revealed.status_code == 200 and 'id="revealed-note"' in revealed.text
    assert first["so_dinh_danh"] in revealed.text
    entry = audit_entries(web_engine, "xa", "reveal_id")[-1]
    assert entry.subject == "worklist uninsured" and json.loads(entry.detail)["person_ids"]


def test_the_api_gives_the_cli_rows(app, web_engine, commune, cli_rows, client_for):
    client = TestClient(app, headers={"Authorization": f"Bearer {issue_api_token(web_engine, 'xa')}"})
    for name in (ListName.uninsured, ListName.expiring, ListName.newly_eligible):
        answer = client.get(f"/api/worklists/{name.value}?unit={commune}&as_of={TODAY}")
        assert answer.status_code == 200
        assert answer.json() == cli_rows[name], name
    assert audit_entries(web_engine, "xa", "export_people")[-1].detail.count('"json"') == 1
    assert client.get("/api/worklists/uninsured?days=0").status_code == 422
    assert client.get("/api/worklists/nobody").status_code == 422
    assert client.get("/api/worklists/uninsured?unit=44").status_code == 403
    assert TestClient(app).get("/api/worklists/uninsured").status_code == 401
    schema = TestClient(app).get("/api/openapi.json").json()
    parameters = {item["name"] for item in schema["paths"]["/api/worklists/{name}"]["get"]["parameters"]}
    assert {"name", "unit", "as_of", "days", "since"} <= parameters


def household_row(html: str) -> tuple[str, str]:
    """The visit link of the first row of a list page."""
    link = re.search(r'<a class="visit-link" href="([^"]+)">', html).group(1)
    return unescape(link), re.search(r"household=([^&]+)", unescape(link)).group(1)


def test_a_visit_is_recorded_from_a_list_row(client_for, web_engine, commune):
    xa = client_for("xa")
    link, household = household_row(xa.get(f"/worklists/uninsured?unit={commune}").text)
    form = xa.get(link)
    assert form.status_code == 200 and f"<small>{household}" in form.text
    person = re.search(r'<option value="(\d+)" selected>', form.text).group(1)
    before = visit_count(web_engine)
    answer = xa.post("/visits", data={
        "csrf_token": csrf_of(form.text), "household": household, "person": person,
        "visited_on": TODAY.isoformat(), "officer": "Nguyễn Thị Lan", "outcome": "refused",
        "reason": "khong_du_tien", "note": "Hẹn sau vụ mùa", "follow_up": (TODAY + timedelta(days=14)).isoformat(),
        "back": f"/worklists/uninsured?unit={commune}"}, follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"].startswith("/visits?unit=")
    assert visit_count(web_engine) == before + 1
    with web_engine.connect() as connection:
        visit = connection.execute(
            select(Visit.id, Household.code, Visit.person_id, Visit.officer, Visit.outcome, Visit.reason_code,
                   Visit.recorded_by).join(Household, Household.id == Visit.household_id)
            .order_by(Visit.id.desc())).first()
    assert tuple(visit)[1:] == (household, int(person), "Nguyễn Thị Lan", "refused", "khong_du_tien", "xa")
    entry = audit_entries(web_engine, "xa", "record_visit")[-1]
    assert entry.subject == f"hộ {household}" and json.loads(entry.detail)["visit"] == visit.id
    page = xa.get(answer.headers["location"]).text
    assert f"Đã ghi lần thăm số {visit.id}." in page
    assert f'<tr data-household="{household}">' in page and "Từ chối" in page


@pytest.mark.parametrize("changes, message", [
    ({"outcome": "refused", "reason": ""}, "Hộ từ chối tham gia: cần ghi lý do."),
    ({"follow_up": "2020-01-01"}, "Ngày hẹn thăm lại 01/01/2020 trước ngày thăm"),
    ({"visited_on": "31/02/2026"}, "Ngày thăm không hợp lệ: '31/02/2026'"),
    ({"visited_on": (TODAY + timedelta(days=3)).isoformat()}, "ở tương lai"),
    ({"visited_on": ""}, "Hãy ghi ngày thăm."),
    ({"officer": "  "}, "Cần ghi tên cán bộ đi thăm."),
    ({"officer": "x" * 101}, "Tên cán bộ dài quá 100 ký tự."),
    ({"note": "x" * 1001}, "Ghi chú dài quá 1000 ký tự"),
    ({"outcome": "maybe"}, "Kết quả 'maybe' không hợp lệ"),
    ({"outcome": ""}, "Hãy chọn kết quả lần thăm."),
    ({"reason": "nope"}, "Không có lý do mã 'nope'"),
    ({"person": "999999999"}, "Người được chọn không thuộc hộ"),
])
def test_bad_visits_are_refused_and_nothing_is_written(client_for, web_engine, cli_rows, changes, message):
    xa = client_for("xa")
    household = cli_rows[ListName.uninsured][0]["ma_ho"]
    form = xa.get(f"/visits/new?household={household}").text
    before = visit_count(web_engine)
    fields = {"csrf_token": csrf_of(form), "household": household, "person": "", "visited_on": TODAY.isoformat(),
              "officer": "Lan", "outcome": "promised", "reason": "", "note": "", "follow_up": "", **changes}
    answer = xa.post("/visits", data=fields)
    assert answer.status_code == 400 and message in unescape(answer.text)
    assert 'role="alert"' in answer.text and visit_count(web_engine) == before


def test_a_visit_needs_the_form_token_and_the_households_unit(client_for, web_engine, commune):
    own = unit_of(web_engine, "thon")
    with web_engine.connect() as connection:
        elsewhere = connection.execute(select(Household.code).where(
            Household.commune_code == commune, Household.hamlet_code != own).order_by(Household.code)).scalars().first()
        at_home = connection.execute(select(Household.code).where(Household.hamlet_code == own)
                                     .order_by(Household.code)).scalars().first()
    before = visit_count(web_engine)
    fields = {"household": at_home, "visited_on": TODAY.isoformat(), "officer": "Lan", "outcome": "not_home"}
    thon = client_for("thon")
    assert thon.post("/visits", data=fields).status_code == 403  # no CSRF token
    form = thon.get(f"/visits/new?household={at_home}")
    assert form.status_code == 200
    assert thon.get(f"/visits/new?household={elsewhere}").status_code == 403
    refused = thon.post("/visits", data={**fields, "household": elsewhere, "csrf_token": csrf_of(form.text)})
    assert refused.status_code == 403 and visit_count(web_engine) == before
    assert client_for("kiemtra").get(f"/visits/new?household={at_home}").status_code == 403
    assert thon.get("/visits/new?household=KHONG-CO").status_code == 404
    done = thon.post("/visits", data={**fields, "csrf_token": csrf_of(form.text)}, follow_redirects=False)
    assert done.status_code == 303 and visit_count(web_engine) == before + 1


def test_the_visits_page_shows_progress_and_assigns_a_hamlet(client_for, web_engine, commune):
    hamlet = unit_of(web_engine, "thon")
    xa = client_for("xa")
    page = xa.get("/visits")
    assert page.status_code == 200
    assert client_for("thon").post("/visits/assign", data={
        "csrf_token": csrf_of(client_for("thon").get("/visits").text), "unit": hamlet, "hamlet": hamlet,
        "officer": "Lan"}).status_code == 403
    answer = xa.post("/visits/assign", data={"csrf_token": csrf_of(page.text), "unit": commune, "hamlet": hamlet,
                                             "officer": "Trần Văn Minh"})
    assert answer.status_code == 200 and 'id="form-notice"' in answer.text
    with web_engine.connect() as connection:
        households = connection.execute(select(func.count()).select_from(Household)
                                        .where(Household.hamlet_code == hamlet)).scalar_one()
        assigned = connection.execute(select(func.count()).select_from(Assignment).where(
            Assignment.officer == "Trần Văn Minh")).scalar_one()
    assert assigned == households > 0
    assert audit_entries(web_engine, "xa", "assign_visits")[-1].unit_code == hamlet
    with analytics(web_engine) as con:
        by_hamlet = visits.progress_by_hamlet(con, commune, TODAY)
        by_officer = visits.progress_by_officer(con, commune, TODAY)
    html = xa.get("/visits").text
    shown = {row[0]: [number(cell) for cell in row[1:]] for row in cells(html, "progress-hamlets")}
    assert shown == {row.name: [row.households, row.assigned, row.visited, row.joined, row.follow_ups_due]
                     for row in by_hamlet}
    officers = {row[0]: [number(cell) for cell in row[1:]] for row in cells(html, "progress-officers")}
    assert officers == {row.key: [row.assigned, row.visited, row.joined, row.follow_ups_due] for row in by_officer}
    assert officers["Trần Văn Minh"][0] == households
    refused = xa.post("/visits/assign", data={"csrf_token": csrf_of(page.text), "unit": commune, "hamlet": hamlet,
                                              "officer": " "})
    assert refused.status_code == 400 and "Cần ghi tên cán bộ được giao." in refused.text


def test_the_labels_follow_the_lists_and_the_outcomes():
    assert {column.title for name in ListName for column in columns(name)} <= COLUMN_TITLES
    assert OUTCOME_LABELS == visits.OUTCOMES


def test_the_pages_read_in_english(client_for, commune):
    client = client_for("xa")
    client.get("/lang/en?next=/worklists")
    pages = {
        "/worklists": ["<h1>Work lists <small>", '<th scope="col">Who is on the list</th>',
                       "People without a health insurance card"],
        f"/worklists/uninsured?unit={commune}": ['<th scope="col">Head of household</th>', "Download XLSX",
                                                 '<th scope="col" class="num">12-month contribution</th>'],
        "/visits": ["<h1>Visit log <small>", "<h2 id=\"hamlets-title\">Progress by hamlet"],
    }
    for path, expected in pages.items():
        html = client.get(path).text
        assert [text for text in expected if text not in html] == [], path


def test_refusals_read_in_english(client_for, commune, cli_rows):
    client = client_for("xa")
    client.get("/lang/en?next=/worklists")
    refused = client.get(f"/worklists/expiring?unit={commune}&days=abc")
    assert refused.status_code == 400
    assert "The number of days must be a whole number from 1 to 366 (got &#39;abc&#39;)." in refused.text
    household = cli_rows[ListName.uninsured][0]["ma_ho"]
    form = client.get(f"/visits/new?household={household}").text
    answer = client.post("/visits", data={"csrf_token": csrf_of(form), "household": household, "visited_on": "x",
                                          "officer": "Lan", "outcome": "promised"})
    assert answer.status_code == 400 and "Visit date is not valid: &#39;x&#39; (write it as YYYY-MM-DD)." in answer.text
