"""Signing in, sessions, CSRF, lock-out, the dashboard's figures and the unit scope of pages and API."""

from __future__ import annotations

import re
import threading
from datetime import date
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from bhyt.analytics.coverage import coverage
from bhyt.analytics.engine import analytics
from bhyt.analytics.targets import set_target, target_progress
from bhyt.ingest.service import import_file
from bhyt.store.models import AuditEntry, User
from bhyt.web.accounts import MAX_FAILED_LOGINS, add_user, issue_api_token
from bhyt.web.app import create_app
from tests.analytics.test_coverage import BIRTH, D, DONG_SON, load_registry, pid
from tests.conftest import write_csv
from tests.ingest.fixtures import PERSON_HEADER
from tests.web.conftest import csrf_of, sign_in, unit_of

AS_OF = date(2026, 11, 22)


def test_health_needs_no_sign_in(app):
    assert TestClient(app).get("/healthz").json() == {"status": "ok"}


def test_files_and_the_health_check_skip_the_session_lookup(app, monkeypatch):
    monkeypatch.setattr("bhyt.web.app.session_for", lambda *_: pytest.fail("session looked up"))
    client = TestClient(app, cookies={"bhyt_session": "any"})
    assert client.get("/healthz").status_code == 200
    assert client.get("/static/app.css").status_code == 200


def test_pages_send_to_sign_in_and_api_answers_401(app):
    client = TestClient(app)
    response = client.get("/units/44?as_of=2026-11-22", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/units/44%3Fas_of%3D2026-11-22"
    assert client.get("/api/coverage?as_of=2026-11-22&level=commune").status_code == 401


def test_wrong_password_is_refused_and_repeated_failures_lock_the_account(app, web_engine):
    add_user(web_engine, "khoa", "dung-mat-khau", "province_officer", "44")
    client = TestClient(app)
    response = sign_in(client, "khoa", "sai-mat-khau")
    assert response.status_code == 401
    assert "Sai tên đăng nhập hoặc mật khẩu." in response.text
    for _ in range(MAX_FAILED_LOGINS - 1):
        sign_in(client, "khoa", "sai-mat-khau")
    locked = sign_in(client, "khoa", "dung-mat-khau")
    assert locked.status_code == 401 and "tạm khoá" in locked.text
    with web_engine.connect() as connection:
        assert connection.execute(select(User.locked_until).where(User.username == "khoa")).scalar() is not None
        failures = connection.execute(select(AuditEntry).where(AuditEntry.username == "khoa",
                                                               AuditEntry.action == "login_failed")).all()
    assert len(failures) == MAX_FAILED_LOGINS + 1


def test_a_form_without_the_csrf_token_is_refused(app):
    client = TestClient(app)
    client.get("/login")
    response = client.post("/login", data={"username": "xa", "password": "bhyt-demo-2026"})
    assert response.status_code == 403
    forged = client.post("/login", data={"username": "xa", "password": "bhyt-demo-2026", "csrf_token": "x"})
    assert forged.status_code == 403


def test_sign_out_ends_the_session_on_the_server(app):
    client = TestClient(app)
    sign_in(client, "tinh")
    page = client.get("/units/44")
    assert page.status_code == 200
    cookie = client.cookies.get("bhyt_session")
    client.post("/logout", data={"csrf_token": csrf_of(page.text)})
    replay = TestClient(app, cookies={"bhyt_session": cookie})
    assert replay.get("/units/44", follow_redirects=False).status_code == 303


def shown_pct(value) -> str:
    return "–" if value is None else f"{value:.2f}".replace(".", ",") + " %"


def _kpi(html: str, name: str) -> str:
    return re.search(rf'id="kpi-{name}">([^<]*)<', html).group(1)


def test_the_commune_officer_lands_on_the_commune_and_sees_the_engine_numbers(client_for, web_engine):
    client = client_for("xa")
    commune = unit_of(web_engine, "xa")
    page = client.get(f"/?as_of={AS_OF}", follow_redirects=True)
    assert page.url.path == f"/units/{commune}"
    page = client.get(f"/units/{commune}?as_of={AS_OF}")
    with analytics(web_engine) as con:
        own = coverage(con, AS_OF, "commune", commune)[0]
        hamlets = coverage(con, AS_OF, "hamlet", commune)
    assert _kpi(page.text, "coverage") == shown_pct(own.coverage_pct)
    assert f"{own.insured:,}".replace(",", ".") + " / " + f"{own.population:,}".replace(",", ".") in page.text
    for hamlet in hamlets:
        row = re.search(rf'<tr class="band-\w+" data-unit="{hamlet.unit_code}">(.*?)</tr>', page.text, re.S).group(1)
        cells = re.findall(r'<td class="num">([^<]*)</td>', row)
        assert cells[1:4] == [str(hamlet.population), str(hamlet.insured), shown_pct(hamlet.coverage_pct)]


def test_drill_down_from_province_to_hamlet(client_for):
    client = client_for("tinh")
    province = client.get(f"/units/44?as_of={AS_OF}")
    commune = re.search(r'<a href="(/units/\d{5})\?as_of=', province.text).group(1)
    commune_page = client.get(f"{commune}?as_of={AS_OF}")
    assert commune_page.status_code == 200
    hamlet = re.search(r'<a href="(/units/\d{5}-\d{3})\?as_of=', commune_page.text).group(1)
    hamlet_page = client.get(hamlet)
    assert hamlet_page.status_code == 200
    assert 'aria-current="page"' in hamlet_page.text and 'href="/units/44"' in hamlet_page.text


def test_a_commune_officer_cannot_open_another_unit_page_or_api(client_for, web_engine):
    client = client_for("xa")
    own = unit_of(web_engine, "xa")
    with analytics(web_engine) as con:
        other = next(row.unit_code for row in coverage(con, AS_OF, "commune", "44") if row.unit_code != own)
    assert client.get(f"/units/{other}").status_code == 403
    assert client.get("/units/44").status_code == 403
    refused = client.get(f"/api/coverage?as_of={AS_OF}&level=hamlet&unit={other}")
    assert refused.status_code == 403
    assert refused.json() == {"detail": "Đơn vị này nằm ngoài phạm vi tài khoản của bạn."}
    with web_engine.connect() as connection:
        logged = connection.execute(select(AuditEntry.unit_code).where(
            AuditEntry.username == "xa", AuditEntry.action == "refused")).scalars().all()
    assert other in logged and "44" in logged


def test_api_coverage_with_a_bearer_token_matches_the_engine(app, web_engine):
    token = issue_api_token(web_engine, "tinh")
    client = TestClient(app, headers={"Authorization": f"Bearer {token}"})
    answer = client.get(f"/api/coverage?as_of={AS_OF}&level=commune&unit=44")
    assert answer.status_code == 200
    with analytics(web_engine) as con:
        expected = coverage(con, AS_OF, "commune", "44")
    assert [(item["unit_code"], item["unit_name"], item["population"], item["insured"], item["coverage_pct"])
            for item in answer.json()] == [
        (row.unit_code, row.unit_name, row.population, row.insured,
         None if row.coverage_pct is None else f"{row.coverage_pct:.2f}") for row in expected]
    assert TestClient(app, headers={"Authorization": "Bearer wrong"}).get(
        f"/api/coverage?as_of={AS_OF}&level=commune").status_code == 401


def test_security_headers_forbid_foreign_scripts(app):
    response = TestClient(app).get("/login")
    assert "default-src 'self'" in response.headers["content-security-policy"]
    assert response.headers["x-content-type-options"] == "nosniff"


def test_a_target_set_after_a_visit_shows_on_the_next(client_for, web_engine):
    """The dashboard keeps its answers, but not past a change of the targets they read."""
    client = client_for("tinh")
    commune = unit_of(web_engine, "xa")
    first = client.get(f"/units/{commune}?as_of={AS_OF}")
    set_target(web_engine, commune, AS_OF.year, rate=Decimal("99.50"), set_by="test")
    second = client.get(f"/units/{commune}?as_of={AS_OF}")
    assert _kpi(second.text, "target") == "99,50 %" != _kpi(first.text, "target")
    with analytics(web_engine) as con:
        own = target_progress(con, AS_OF.year, "commune", commune, AS_OF)[0]
    assert _kpi(second.text, "still") == f"{own.still_to_enrol:,}".replace(",", ".")


def test_the_served_app_prepares_the_busiest_province_dashboard(web_engine):
    app = create_app(web_engine, warm_up=True)
    with TestClient(app):
        for thread in threading.enumerate():
            if thread.name == "warm-up":
                thread.join(timeout=300)
        kept = app.state.analytics.memo(("trend", "44", date.today()), lambda con: pytest.fail("not prepared"))
    assert kept[-1][0] == date.today()


def test_a_bearer_client_refused_by_scope_is_named_in_the_audit_log(app, web_engine):
    token = issue_api_token(web_engine, "thon")
    client = TestClient(app, headers={"Authorization": f"Bearer {token}"})
    assert client.get(f"/api/coverage?as_of={AS_OF}&level=commune&unit=44").status_code == 403
    with web_engine.connect() as connection:
        refused = connection.execute(select(AuditEntry.unit_code).where(
            AuditEntry.username == "thon", AuditEntry.action == "refused")).scalars().all()
    assert "44" in refused


def test_a_page_and_an_api_answer_seen_again_show_an_import_made_since(engine, tmp_path):
    """The dashboard's drawn figures and /api/coverage's JSON are kept, but not past a registry change."""
    load_registry(engine, tmp_path)
    add_user(engine, "dongson", "mat-khau-dong-son", "commune_officer", DONG_SON)
    client = TestClient(create_app(engine))
    assert sign_in(client, "dongson", "mat-khau-dong-son").status_code == 303
    page, api = f"/units/{DONG_SON}?as_of={D}", f"/api/coverage?as_of={D}&level=commune&unit={DONG_SON}"
    assert (_kpi(client.get(page).text, "coverage"), client.get(api).json()[0]["population"]) == ("100,00 %", 1)
    assert _kpi(client.get(page).text, "coverage") == "100,00 %"  # kept: the same again
    newcomer = [pid(22, BIRTH, 1), "Người mới", BIRTH.isoformat(), "1", "", "", DONG_SON, "Khu phố 3", "", "", ""]
    assert import_file(engine, "persons", write_csv(tmp_path / "new.csv", PERSON_HEADER, [newcomer])).ok
    assert (_kpi(client.get(page).text, "coverage"), client.get(api).json()[0]["population"]) == ("50,00 %", 2)
