"""Report downloads: the XLSX opens with python-calamine and holds the very cells `bhyt report` writes
for the same arguments; the file name, the unit scope and the audit entry."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from urllib.parse import quote

import pytest
from python_calamine import CalamineWorkbook
from sqlalchemy import select
from typer.testing import CliRunner

from bhyt.analytics.targets import set_target
from bhyt.cli import app as cli
from bhyt.store.db import default_engine
from bhyt.store.models import AuditEntry, Unit, User
from tests.reports.xlsx import find_row

DOCUMENT_DATE = "2026-11-25"


@pytest.fixture(scope="module")
def own(web_engine) -> str:
    with web_engine.connect() as connection:
        return connection.execute(select(User.unit_code).where(User.username == "xa")).scalar()


@pytest.fixture
def cli_on(web_engine, monkeypatch):
    """`bhyt report …` over the web app's database; returns the written file's sheets."""
    monkeypatch.setenv("BHYT_DATABASE_URL", web_engine.url.render_as_string(hide_password=False))
    default_engine.cache_clear()

    def run(tmp_path: Path, *args: str) -> dict[str, list[list[object]]]:
        out = tmp_path / "cli.xlsx"
        result = CliRunner().invoke(cli, ["report", *args, "--out", str(out)], catch_exceptions=False)
        assert result.exit_code == 0, result.output
        return sheets(out.read_bytes(), tmp_path / "cli-read.xlsx")

    yield run
    default_engine.cache_clear()


def sheets(content: bytes, path: Path) -> dict[str, list[list[object]]]:
    path.write_bytes(content)
    workbook = CalamineWorkbook.from_path(str(path))
    return {name: workbook.get_sheet_by_name(name).to_python() for name in workbook.sheet_names}


@pytest.mark.parametrize("kind, period", [("monthly", "10"), ("quarterly", "3"), ("half-year", "1"), ("annual", "")])
def test_a_periodic_report_holds_the_cli_figures(client_for, cli_on, tmp_path, kind, period):
    response = client_for("tinh").get("/reports/download", params={
        "kind": kind, "year": "2026", "period": period, "unit": "44", "date": DOCUMENT_DATE})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    web = sheets(response.content, tmp_path / "web.xlsx")
    args = ["--year", "2026", "--unit", "44", "--date", DOCUMENT_DATE] + (["--period", period] if period else [])
    assert web == cli_on(tmp_path, kind, *args)
    assert list(web) == ["Theo đơn vị", "Theo nhóm", "Theo mã đối tượng", "Lý do chưa tham gia"]


def test_the_appendix_of_a_commune_holds_the_cli_figures(client_for, cli_on, web_engine, own, tmp_path):
    set_target(web_engine, own, 2026, rate=Decimal("95"))
    response = client_for("xa").get("/reports/download", params={
        "kind": "appendix", "year": "2026", "unit": own, "source": "registry", "date": DOCUMENT_DATE})
    assert response.status_code == 200, response.text
    web = sheets(response.content, tmp_path / "web.xlsx")
    assert web == cli_on(tmp_path, "appendix", "--year", "2026", "--unit", own, "--source", "registry",
                         "--date", DOCUMENT_DATE)
    (rows,) = web.values()
    total = rows[find_row(rows, "Tổng cộng")]
    units = rows[find_row(rows, "Tổng cộng") + 1:find_row(rows, "Tổng cộng") + 1 + len(hamlets_of(web_engine, own))]
    assert total[2] == sum(row[2] for row in units)  # population: the sum of the hamlets' rows
    assert total[3] == sum(row[3] for row in units)  # insured on 31/12/2025


def hamlets_of(engine, commune: str) -> list[str]:
    with engine.connect() as connection:
        return list(connection.execute(select(Unit.code).where(Unit.parent_code == commune)).scalars())


def test_the_file_name_is_ascii_with_the_vietnamese_name_beside_it(client_for, web_engine):
    response = client_for("tinh").get("/reports/download", params={
        "kind": "quarterly", "year": "2026", "period": "3", "unit": "44", "date": DOCUMENT_DATE})
    title = "Báo cáo quý III năm 2026 - Tỉnh Quảng Trị.xlsx"
    assert response.headers["content-disposition"] == (
        f"attachment; filename=\"Bao_cao_quy_III_nam_2026_-_Tinh_Quang_Tri.xlsx\"; filename*=UTF-8''{quote(title)}")
    with web_engine.connect() as connection:
        entry = connection.execute(select(AuditEntry.unit_code, AuditEntry.subject, AuditEntry.detail).where(
            AuditEntry.username == "tinh", AuditEntry.action == "download_report").order_by(AuditEntry.id.desc())
        ).first()
    assert entry[:2] == ("44", "Bao_cao_quy_III_nam_2026_-_Tinh_Quang_Tri.xlsx")
    assert json.loads(entry[2])["kind"] == "quarterly"


def test_only_the_own_unit_and_only_with_the_role(client_for, web_engine, own):
    commune = client_for("xa")
    page = commune.get("/reports")
    assert page.status_code == 200 and f'<option value="{own}" selected>' in page.text
    assert '<option value="44"' not in page.text
    assert commune.get("/reports/download", params={"kind": "annual", "year": "2026", "unit": "44"}).status_code == 403
    with web_engine.connect() as connection:
        other = connection.execute(select(Unit.code).where(Unit.parent_code == "44", Unit.code != own)
                                   .order_by(Unit.code).limit(1)).scalar()
    assert commune.get("/reports/download", params={"kind": "annual", "year": "2026", "unit": other}
                       ).status_code == 403
    assert client_for("thon").get("/reports").status_code == 403
    auditor = client_for("kiemtra").get("/reports/download", params={"kind": "annual", "year": "2026", "unit": "44"})
    assert auditor.status_code == 200 and auditor.content[:2] == b"PK"


def test_a_wrong_period_or_unit_is_explained_on_the_form(client_for, web_engine, own):
    client = client_for("tinh")
    wrong = client.get("/reports/download", params={"kind": "quarterly", "year": "2026", "period": "5", "unit": "44"})
    assert wrong.status_code == 400 and 'id="report-error"' in wrong.text and "quý" in wrong.text.lower()
    missing = client.get("/reports/download", params={"kind": "monthly", "year": "2026", "unit": "44"})
    assert missing.status_code == 400
    assert "Hãy chọn kỳ báo cáo: tháng 1–12, quý 1–4 hoặc 6 tháng 1–2." in missing.text
    hamlet = hamlets_of(web_engine, own)[0]
    refused = client.get("/reports/download", params={"kind": "annual", "year": "2026", "unit": hamlet})
    assert refused.status_code == 400 and "là thôn, không có đơn vị cấp dưới" in refused.text
