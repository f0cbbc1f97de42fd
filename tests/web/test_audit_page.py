"""The audit-log page: newest first, filtered by account, action and dates, a page at a time, with the
actions named in Vietnamese; only for the roles that may read it, and only their unit's accounts."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from bhyt.store.models import AuditEntry, User
from bhyt.web.accounts import add_user
from bhyt.web.audit import ACTION_NAMES, record
from bhyt.web.audit_entries import PAGE_SIZE
from tests.web.conftest import sign_in

# Entries far in the past, under names no demo account has, so the other tests' entries never mix in.
START = datetime(2020, 3, 1, 8, 0, 0)


@pytest.fixture(scope="module")
def planted(web_engine):
    """Three weeks of one entry an hour for `ghi_a` (view_people, then reveal_id every fourth), and
    a few entries for `ghi_b`, written in one transaction (as `audit.record` writes them)."""
    rows = [dict(at=START + timedelta(hours=hour), username="ghi_a", unit_code="44", subject=f"lần {hour}",
                 action="reveal_id" if hour % 4 == 0 else "view_people") for hour in range(21 * 24)]
    rows += [dict(at=START + timedelta(days=day), username="ghi_b", unit_code=None, subject=f"báo cáo {day}",
                  action="download_report") for day in range(3)]
    with web_engine.begin() as connection:
        connection.execute(AuditEntry.__table__.insert(), rows)
    return 21 * 24


def entries(html: str) -> list[tuple[str, str, str, str]]:
    """(time, account, action as shown, subject) of each row, top to bottom."""
    return re.findall(r'<tr data-entry="\d+" data-action="\w+">\s*<td>([^<]*)</td>\s*<td>([^<]*)</td>\s*'
                      r"<td>([^<]*)</td>\s*<td>[^<]*</td>\s*<td>([^<]*)</td>", html)


def total_of(html: str) -> int:
    return int(re.search(r"([\d.]+) lượt ghi", html).group(1).replace(".", ""))


def test_an_account_newest_first_with_the_actions_in_vietnamese(client_for, planted):
    page = client_for("kiemtra").get("/audit", params={"user": "ghi_a"})
    assert page.status_code == 200
    rows = entries(page.text)
    assert total_of(page.text) == planted and len(rows) == PAGE_SIZE
    newest = START + timedelta(hours=planted - 1)
    assert rows[0] == (newest.strftime("%d/%m/%Y %H:%M:%S"), "ghi_a", "Xem danh sách người", f"lần {planted - 1}")
    assert rows[3][2] == ACTION_NAMES["reveal_id"] == "Hiện số định danh"
    assert [row[3] for row in rows] == [f"lần {hour}" for hour in range(planted - 1, planted - 1 - PAGE_SIZE, -1)]


def test_filters_by_action_and_by_days_both_included(client_for, planted):
    client = client_for("admin")
    reveals = client.get("/audit", params={"user": "ghi_a", "action": "reveal_id"})
    assert total_of(reveals.text) == planted // 4
    assert {row[2] for row in entries(reveals.text)} == {"Hiện số định danh"}
    # 2 and 3 March: 48 hours, of which every fourth a reveal.
    two_days = client.get("/audit", params={"user": "ghi_a", "from": "2020-03-02", "to": "2020-03-03"})
    assert total_of(two_days.text) == 48
    shown = entries(two_days.text)
    assert shown[0][0] == "03/03/2020 23:00:00" and shown[-1][0] == "02/03/2020 00:00:00"
    reports = client.get("/audit", params={"action": "download_report", "from": "2020-03-01", "to": "2020-03-31"})
    assert [row[1:] for row in entries(reports.text)] == [
        ("ghi_b", "Tải báo cáo", f"báo cáo {day}") for day in (2, 1, 0)]


def test_pages_follow_one_another_without_overlap(client_for, planted):
    client = client_for("kiemtra")
    pages = -(-planted // PAGE_SIZE)
    seen = []
    for number in range(1, pages + 1):
        page = client.get("/audit", params={"user": "ghi_a", "page": number})
        assert f"Trang {number} / {pages}" in page.text
        seen += [row[3] for row in entries(page.text)]
    assert seen == [f"lần {hour}" for hour in range(planted - 1, -1, -1)]
    assert 'rel="next"' in client.get("/audit", params={"user": "ghi_a", "page": 1}).text


def test_a_bad_filter_is_explained(client_for):
    client = client_for("kiemtra")
    bad_day = client.get("/audit", params={"from": "22/11/2026"})
    assert bad_day.status_code == 400 and "không phải một ngày" in bad_day.text
    percent = client.get("/audit", params={"from": "100%"})
    assert percent.status_code == 400 and "Từ ngày &#39;100%&#39; không phải một ngày" in percent.text
    backwards = client.get("/audit", params={"from": "2026-11-22", "to": "2026-11-01"})
    assert backwards.status_code == 400 and "Đến ngày phải sau hoặc bằng từ ngày." in backwards.text
    assert client.get("/audit", params={"action": "hack"}).status_code == 400
    # Empty fields, as the form sends them, mean no filter.
    assert client.get("/audit", params={"user": "", "action": "", "from": "", "to": ""}).status_code == 200


@pytest.mark.parametrize("username", ["xa", "thon", "tinh"])
def test_officers_may_not_read_the_log(client_for, username):
    client = client_for(username)
    assert client.get("/audit").status_code == 403
    assert 'href="/audit"' not in client.get("/people").text


def test_an_admin_of_a_commune_sees_only_that_commune_accounts(app, web_engine, planted):
    with web_engine.connect() as connection:
        commune = connection.execute(select(User.unit_code).where(User.username == "xa")).scalar()
    add_user(web_engine, "quantri_xa", "mat-khau-quan-tri", "admin", commune)
    when = datetime(2020, 1, 15, 9, 0)
    for username in ("xa", "thon", "tinh"):
        record(web_engine, username, "view_people", subject="trong phạm vi?", now=when)
    client = TestClient(app)
    assert sign_in(client, "quantri_xa", "mat-khau-quan-tri").status_code == 303
    page = client.get("/audit", params={"from": "2020-01-15", "to": "2020-01-15"})
    assert sorted(row[1] for row in entries(page.text)) == ["thon", "xa"]
    assert total_of(client.get("/audit", params={"user": "ghi_a"}).text) == 0
