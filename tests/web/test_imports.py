"""The import page: a list is written entirely or not at all through the same service as `bhyt import`,
the errors are shown and downloadable, rows of another unit are refused, the upload size is bounded."""

from __future__ import annotations

import csv
import io
import re
import threading
import time

import pytest
import xlsxwriter
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from bhyt.config import data_dir
from bhyt.store.models import AuditEntry, CardPeriod, Household, ImportLog, Person, PopulationFigure, User
from bhyt.web.accounts import add_user
from bhyt.web.import_jobs import jobs_of
from bhyt.web.import_scope import COMMUNE_REASON, PERSON_REASON, UNIT_REASON
from bhyt.web.routes import imports
from tests.conftest import write_csv
from tests.web.conftest import csrf_of, sign_in

HOUSEHOLD_HEADER = ["ma_ho", "chu_ho", "ma_xa", "thon", "dia_chi", "phan_loai_ho", "nam_phan_loai"]
PERSON_HEADER = ["so_dinh_danh", "ho_ten", "ngay_sinh", "gioi_tinh", "ma_ho", "ma_xa", "thon"]
CARD_HEADER = ["so_dinh_danh", "ma_so_bhxh", "ma_the", "ma_doi_tuong", "muc_huong", "gt_the_tu", "gt_the_den",
               "ma_dkbd"]


@pytest.fixture(scope="module")
def units(web_engine) -> dict[str, str]:
    """The commune officer's commune, another commune of the province, and a person living there."""
    with web_engine.connect() as connection:
        own = connection.execute(select(User.unit_code).where(User.username == "xa")).scalar()
        other = connection.execute(
            select(func.min(Household.commune_code)).where(Household.commune_code != own)).scalar()
        outsider = connection.execute(
            select(Person.personal_id).join(Household, Household.id == Person.household_id)
            .where(Household.commune_code == other).order_by(Person.personal_id).limit(1)).scalar()
    return {"own": own, "other": other, "outsider": outsider}


def upload(client, path, kind: str):
    page = client.get("/imports")
    with path.open("rb") as handle:
        return client.post("/imports", data={"kind": kind, "csrf_token": csrf_of(page.text)},
                           files={"file": (path.name, handle)}, follow_redirects=False)


def finished(client, response, timeout: float = 120) -> str:
    """Follow an accepted upload until its job is over; the job page's HTML."""
    assert response.status_code == 303, response.text
    job_url = response.headers["location"]
    deadline = time.monotonic() + timeout
    while not client.get(f"{job_url}/status").json()["finished"]:
        assert time.monotonic() < deadline, "the import did not finish"
        time.sleep(0.1)
    return client.get(job_url).text


def count(engine, model) -> int:
    with engine.connect() as connection:
        return connection.execute(select(func.count()).select_from(model)).scalar()


def shown_errors(html: str) -> list[list[str]]:
    body = re.search(r'<table class="data" id="import-errors">.*?<tbody>(.*?)</tbody>', html, re.S).group(1)
    return [re.findall(r"<td[^>]*>([^<]*)</td>", row) for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)]


def test_a_commune_officer_imports_his_households_then_persons_and_cards(client_for, web_engine, units, tmp_path):
    client = client_for("xa")
    own = units["own"]
    before = count(web_engine, Household)
    households = write_csv(tmp_path / "ho_moi.csv", HOUSEHOLD_HEADER, [
        ["WEB-HO-1", "Phan Văn Mới", own, "Tổ dân phố 1", "1 Đường Mới", "khac", "2026"],
        ["WEB-HO-2", "Hồ Thị Mới", own, "Tổ dân phố 2", "2 Đường Mới", "", ""],
    ])
    page = finished(client, upload(client, households, "households"))
    assert re.search(r'id="inserted">2<', page) and re.search(r'id="updated">0<', page)
    assert count(web_engine, Household) == before + 2

    persons = write_csv(tmp_path / "nhan_khau_moi.csv", PERSON_HEADER, [
        ["045080990001", "Phan Văn Mới", "1980-03-15", "Nam", "WEB-HO-1", own, "Tổ dân phố 1"],
        ["045182990002", "Hồ Thị Mới", "12/07/1982", "Nữ", "WEB-HO-2", own, "Tổ dân phố 2"],
    ])
    page = finished(client, upload(client, persons, "persons"))
    assert re.search(r'id="inserted">2<', page)
    workbook_path = tmp_path / "the_moi.xlsx"
    workbook = xlsxwriter.Workbook(workbook_path)
    sheet = workbook.add_worksheet()
    for row, values in enumerate([CARD_HEADER, ["045080990001", "4599000001", "GD4454599000001", "GD", "4",
                                                "2026-01-01", "2026-12-31", "44001"]]):
        sheet.write_row(row, 0, values)
    workbook.close()
    page = finished(client, upload(client, workbook_path, "cards"))
    assert re.search(r'id="inserted">1<', page)
    with web_engine.connect() as connection:
        card = connection.execute(select(CardPeriod.card_code).join(Person, Person.id == CardPeriod.person_id)
                                  .where(Person.personal_id == "045080990001")).scalar()
        logs = connection.execute(select(ImportLog.kind, ImportLog.status, ImportLog.inserted)
                                  .order_by(ImportLog.id.desc()).limit(3)).all()
        audits = connection.execute(select(AuditEntry.subject, AuditEntry.unit_code).where(
            AuditEntry.username == "xa", AuditEntry.action == "import").order_by(AuditEntry.id)).all()
    assert card == "GD4454599000001"
    assert logs == [("cards", "ok", 1), ("persons", "ok", 2), ("households", "ok", 2)]
    assert audits[-3:] == [("ho_moi.csv", own), ("nhan_khau_moi.csv", own), ("the_moi.xlsx", own)]

    again = finished(client, upload(client, households, "households"))
    assert re.search(r'id="inserted">0<', again) and re.search(r'id="unchanged">2<', again)
    listing = client.get("/imports").text
    assert listing.count('data-import="') >= 4 and "the_moi.xlsx" in listing


def test_a_bad_row_is_shown_with_its_report_and_nothing_is_written(client_for, web_engine, units, tmp_path):
    client = client_for("xa")
    own = units["own"]
    before = count(web_engine, Person), count(web_engine, ImportLog)
    persons = write_csv(tmp_path / "co_loi.csv", PERSON_HEADER, [
        ["045080990011", "Đúng Một Dòng", "1980-01-02", "Nam", "", own, "Tổ dân phố 1"],
        ["045080990012", "Sai Ngày Sinh", "31/02/1980", "Nam", "", own, "Tổ dân phố 1"],
    ])
    page = finished(client, upload(client, persons, "persons"))
    assert 'id="error-count">1<' in page and "không ghi dòng nào" in page
    assert shown_errors(page) == [["co_loi.csv", "3", "ngay_sinh", "31/02/1980",
                                   "Ngày không hợp lệ: cần dạng YYYY-MM-DD hoặc DD/MM/YYYY."]]
    assert count(web_engine, Person) == before[0]
    assert count(web_engine, ImportLog) == before[1] + 1

    report_link = re.search(r'href="(/imports/\d+/errors\.csv)" id="error-report"', page).group(1)
    report = client.get(report_link)
    assert report.status_code == 200
    assert "loi-nhap-" in report.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(report.content.decode("utf-8-sig"))))
    assert rows == [["dong", "cot", "gia_tri", "ly_do"],
                    ["3", "ngay_sinh", "31/02/1980", "Ngày không hợp lệ: cần dạng YYYY-MM-DD hoặc DD/MM/YYYY."]]
    with web_engine.connect() as connection:
        exported = connection.execute(select(AuditEntry.subject).where(
            AuditEntry.username == "xa", AuditEntry.action == "export_import_errors")).scalars().all()
    assert exported == ["co_loi.csv"]


def test_rows_of_another_unit_are_refused_for_a_commune_officer_but_not_for_the_province(
        client_for, web_engine, units, tmp_path):
    xa = client_for("xa")
    own, other = units["own"], units["other"]
    households = write_csv(tmp_path / "hai_xa.csv", HOUSEHOLD_HEADER, [
        ["WEB-HO-3", "Người Xã Mình", own, "Tổ dân phố 1", "", "", ""],
        ["WEB-HO-4", "Người Xã Khác", other, "Thôn Mới", "", "", ""],
    ])
    before = count(web_engine, Household)
    page = finished(xa, upload(xa, households, "households"))
    assert shown_errors(page) == [["hai_xa.csv", "3", "ma_xa", other, COMMUNE_REASON]]
    assert count(web_engine, Household) == before

    cards = write_csv(tmp_path / "the_xa_khac.csv", CARD_HEADER, [
        [units["outsider"], "4599000002", "", "GD", "", "2026-01-01", "2026-12-31", ""],
    ])
    page = finished(xa, upload(xa, cards, "cards"))
    assert shown_errors(page) == [["the_xa_khac.csv", "2", "so_dinh_danh", units["outsider"], PERSON_REASON]]
    population = write_csv(tmp_path / "dan_so.csv", ["ma_don_vi", "nam", "dan_so", "nguon"], [
        [own, "2025", "1234", "Thống kê xã"], ["44", "2025", "999999", "Thống kê xã"],
    ])
    page = finished(xa, upload(xa, population, "population"))
    assert shown_errors(page) == [["dan_so.csv", "3", "ma_don_vi", "44", UNIT_REASON]]
    with web_engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(PopulationFigure).where(
            PopulationFigure.source == "Thống kê xã")).scalar() == 0
        refused = connection.execute(select(ImportLog.status, ImportLog.rows).order_by(ImportLog.id.desc())
                                     .limit(3)).all()
    assert refused == [("rejected", 2), ("rejected", 1), ("rejected", 2)]

    tinh = client_for("tinh")
    page = finished(tinh, upload(tinh, households, "households"))
    assert re.search(r'id="inserted">2<', page)
    assert count(web_engine, Household) == before + 2


def test_each_officer_lists_the_imports_of_his_own_unit(app, client_for, web_engine, units):
    add_user(web_engine, "xa_khac", "mat-khau-xa-khac", "commune_officer", units["other"])
    mine = client_for("xa").get("/imports").text
    assert "hai_xa.csv" in mine and "ho_moi.csv" in mine
    with TestClient(app) as stranger:
        sign_in(stranger, "xa_khac", "mat-khau-xa-khac")
        theirs = stranger.get("/imports").text
        assert "Chưa có lượt nhập nào." in theirs and "ho_moi.csv" not in theirs
        with web_engine.connect() as connection:
            report = connection.execute(select(ImportLog.id).where(ImportLog.file_name == "co_loi.csv")).scalar()
        assert stranger.get(f"/imports/{report}/errors.csv").status_code == 404
    everything = client_for("admin").get("/imports").text
    assert "ho_moi.csv" in everything and "hai_xa.csv" in everything


def test_progress_is_polled_while_the_import_waits(client_for, app, units, tmp_path):
    client = client_for("xa")
    jobs = jobs_of(app)
    gate = threading.Event()
    jobs._executor.submit(gate.wait)  # the single import worker is busy: the next job has to wait
    households = write_csv(tmp_path / "cho.csv", HOUSEHOLD_HEADER, [["WEB-HO-5", "Chờ", units["own"], "", "", "", ""]])
    response = upload(client, households, "households")
    job_url = response.headers["location"]
    try:
        waiting = client.get(job_url).text
        status = client.get(f"{job_url}/status").json()
        assert status["state"] == "queued" and status["finished"] is False and status["total"] == 4
        assert '<noscript><meta http-equiv="refresh" content="2"></noscript>' in waiting
        assert '<script src="/static/imports.js"></script>' in waiting
        assert f'data-status-url="{job_url}/status"' in waiting
        assert client_for("tinh").get(f"{job_url}/status").status_code == 404
    finally:
        gate.set()
    page = finished(client, response)
    assert re.search(r'id="inserted">1<', page) and "noscript" not in page


def test_an_oversized_upload_is_refused_with_a_clear_message(client_for, web_engine, units, tmp_path, monkeypatch):
    monkeypatch.setattr(imports, "MAX_UPLOAD_BYTES", 100)
    client = client_for("xa")
    big = write_csv(tmp_path / "lon.csv", HOUSEHOLD_HEADER,
                    [[f"WEB-HO-L{i}", "Tên", units["own"], "", "", "", ""] for i in range(20)])
    before = count(web_engine, ImportLog)
    counted = upload(client, big, "households")  # under the declared-length margin: stopped while copied
    assert counted.status_code == 413
    assert "Tệp quá lớn: chỉ nhận tệp tới 50 MB." in counted.text and 'id="upload-form"' in counted.text
    huge = tmp_path / "rat_lon.csv"
    huge.write_bytes(b"ma_ho\n" + b"x" * 200_000)
    declared = upload(client, huge, "households")  # refused from its Content-Length, before it is read
    assert declared.status_code == 413 and "Tệp quá lớn: chỉ nhận tệp tới 50 MB." in declared.text
    assert count(web_engine, ImportLog) == before
    assert not list((data_dir() / "uploads").iterdir())


def test_the_page_needs_the_import_role_and_the_csrf_token(client_for, tmp_path, units):
    hamlet_head = client_for("thon")
    assert hamlet_head.get("/imports").status_code == 403
    assert 'href="/imports"' not in hamlet_head.get(f"/units/{units['own']}-001").text
    client = client_for("xa")
    assert 'href="/imports"' in client.get("/imports").text
    forged = client.post("/imports", data={"kind": "households", "csrf_token": "forged"},
                         files={"file": ("x.csv", b"ma_ho\n")})
    assert forged.status_code == 403
