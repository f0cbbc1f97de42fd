"""`bhyt budget …` on the hand-worked registry of tests/analytics/test_budget.py (figures worked out there)."""

from __future__ import annotations

import csv
import io
import json

import pytest
from typer.testing import CliRunner

from bhyt.cli import app
from tests.analytics.shared import cli_on, shared_engine
from tests.analytics.test_budget import DONG_HOI, populate
from tests.conftest import DATABASES

runner = CliRunner()


@pytest.fixture(scope="module", params=DATABASES)
def registry(request, tmp_path_factory):
    with shared_engine(request.param, "budget_cli", tmp_path_factory) as engine:
        populate(engine, tmp_path_factory.mktemp("budget_cli_files"))
        with cli_on(engine):
            yield engine


def run(*args: str):
    # Wide enough for the table's money columns.
    return runner.invoke(app, ["budget", "--unit", DONG_HOI, "--year", "2026", *args], catch_exceptions=False,
                         env={"COLUMNS": "200"})


def test_csv_per_code_total_and_scenario(registry):
    result = run("--format", "csv", "--scenario", "CN:10%:2026-07-01")
    assert result.exit_code == 0, result.output
    rows = [[row["dong"], row["ma_doi_tuong"], row["so_nguoi"], row["so_nguoi_thang"], row["muc_dong"], row["nsnn"],
             row["tinh"], row["nguoi_tham_gia"]] for row in csv.DictReader(io.StringIO(result.stdout))]
    assert rows == [
        ["ma_doi_tuong", "TE", "1", "12.00", "1314900", "1314900", "0", "0"],
        ["ma_doi_tuong", "HN", "2", "9.47", "996840", "996840", "0", "0"],
        ["ma_doi_tuong", "CN", "1", "12.00", "1314900", "920430", "0", "394470"],
        ["ma_doi_tuong", "HS", "1", "6.00", "631800", "315900", "0", "315900"],
        ["tong", "", "5", "39.47", "4258440", "3548070", "0", "710370"],
        ["kich_ban_co_the", "CN", "1", "6.00", "", "", "68310", ""],
        ["kich_ban_chua_co_the", "CN", "1", "6.00", "", "", "68310", ""],
    ]


def test_json(registry):
    result = run("--format", "json", "--scenario", "CN:10%:2026-07-01")
    assert result.exit_code == 0, result.output
    answer = json.loads(result.stdout)
    assert (answer["don_vi"], answer["ten_don_vi"], answer["ma_tinh"], answer["nam"]) == (
        DONG_HOI, "Phường Đồng Hới", "44", 2026)
    assert answer["theo_ma_doi_tuong"][2] == {
        "ma_doi_tuong": "CN", "nhom": 4, "so_nguoi": 1, "so_nguoi_thang": "12.00", "muc_dong": 1314900,
        "nsnn": 920430, "tinh": 0, "nguoi_tham_gia": 394470}
    assert answer["tong"]["muc_dong"] == 4258440
    assert answer["kich_ban"] == {
        "ma_doi_tuong": "CN", "ty_le_ho_tro_them": "0.1", "tu_ngay": "2026-07-01", "so_nguoi_co_the": 1,
        "so_nguoi_thang_co_the": "6.00", "chi_phi_tang_them": 68310, "so_nguoi_chua_co_the": 1,
        "so_nguoi_thang_chua_co_the": "6.00", "chi_phi_neu_tham_gia": 68310}
    assert json.loads(run("--format", "json").stdout)["kich_ban"] is None


def test_table_in_vietnamese(registry):
    result = run("--scenario", "CN:12,5%:2026-07-01")
    assert result.exit_code == 0, result.output
    for text in ("Phường Đồng Hới", "Tổng", "4,258,440", "Kịch bản: tỉnh hỗ trợ thêm 12,5 % mức đóng cho đối tượng CN "
                 "từ 01/07/2026", "ngân sách tỉnh chi thêm 85,388 đồng"):
        assert text in result.output


def test_refusals(registry):
    bad = run("--scenario", "TE:10%:2026-07-01")
    assert bad.exit_code == 2 and "TE thuộc nhóm 3" in bad.output
    outside = run("--scenario", "CN:10%:2025-07-01")
    assert outside.exit_code == 2 and "không thuộc năm 2026" in outside.output
    unknown = runner.invoke(app, ["budget", "--unit", "99999", "--year", "2026"])
    assert unknown.exit_code == 2 and "99999" in unknown.output
