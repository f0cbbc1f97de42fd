"""`bhyt risk` and `bhyt forecast` on the registries of tests/analytics/test_risk.py and
test_forecast.py, whose docstrings work every number out by hand."""

from __future__ import annotations

import csv
import io
import json

import pytest
from sqlalchemy import insert
from typer.testing import CliRunner

from bhyt.cli import app
from bhyt.store.models import Target
from tests.analytics.shared import cli_on, shared_engine
from tests.analytics.test_forecast import STEADY_CARDS, STEADY_RESIDENCES
from tests.analytics.test_renewals import build_registry
from tests.analytics.test_risk import CARDS, RESIDENCES, target
from tests.conftest import DATABASES

runner = CliRunner()


def run(*args: str):
    # A terminal wide enough for the risk table's eleven columns.
    return runner.invoke(app, list(args), catch_exceptions=False, env={"COLUMNS": "200"})


@pytest.fixture(scope="module", params=DATABASES)
def risk_registry(request, tmp_path_factory):
    with shared_engine(request.param, "risk_cli", tmp_path_factory) as engine:
        build_registry(engine, RESIDENCES, CARDS)
        with engine.begin() as connection:
            connection.execute(insert(Target), [
                target("44", rate="96.00"), target("18880", rate="70.00"), target("18859", count=4)])
        yield engine


@pytest.fixture
def risk(risk_registry):
    with cli_on(risk_registry):
        yield


@pytest.fixture(scope="module", params=DATABASES)
def steady_registry(request, tmp_path_factory):
    with shared_engine(request.param, "steady_cli", tmp_path_factory) as engine:
        build_registry(engine, STEADY_RESIDENCES, STEADY_CARDS)
        yield engine


@pytest.fixture
def steady(steady_registry):
    with cli_on(steady_registry):
        yield


def test_risk_csv_lists_the_flagged_units_most_at_risk_first(risk):
    result = run("risk", "--as-of", "2026-06-30", "--level", "commune", "--unit", "44", "--format", "csv")
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert rows[0] == [
        "unit_code", "unit_name", "population", "insured", "coverage_pct", "month_ago_pct", "month_change",
        "year_ago_pct", "year_change", "expiring_30", "expiring_30_pct", "expiring_60", "expiring_60_pct",
        "expiring_90", "expiring_90_pct", "projected_year_end_pct", "target_pct", "reasons"]
    assert rows[1:] == [
        ["18859", "Phường Đồng Thuận", "5", "4", "80.00", "80.00", "0.00", "80.00", "0.00", "2", "50.00", "2",
         "50.00", "2", "50.00", "70.00", "80.00",
         "Nhiều thẻ sắp hết hạn chưa gia hạn (≥ 15 % trong 30 ngày); Dự báo cuối năm dưới chỉ tiêu"],
        ["18880", "Phường Đồng Hới", "4", "3", "75.00", "100.00", "-25.00", "75.00", "0.00", "0", "0.00", "0",
         "0.00", "0", "0.00", "75.00", "70.00", "Giảm so với tháng trước"],
    ]


def test_risk_all_and_json(risk):
    result = run("risk", "--as-of", "2026-06-30", "--unit", "44", "--all", "--format", "json")
    rows = json.loads(result.stdout)
    assert len(rows) == 78
    son = next(row for row in rows if row["unit_code"] == "18871")
    assert (son["coverage_pct"], son["projected_year_end_pct"], son["target_pct"], son["reasons"]) == (
        "100.00", "100.00", "96.00", "")


def test_risk_table_and_thresholds(risk):
    result = run("risk", "--as-of", "2026-06-30", "--unit", "18880", "--min-fall", "30")
    # Đồng Hới fell 25 points, less than 30: nothing to show.
    assert "Không có đơn vị nào có nguy cơ." in result.stdout
    result = run("risk", "--as-of", "2026-06-30", "--unit", "18880")
    assert "Phường Đồng Hới" in result.stdout and "Giảm so với tháng trước" in result.stdout
    assert "-25.00" in result.stdout


def test_risk_refusals(risk):
    assert run("risk", "--as-of", "2026-06-30", "--unit", "99999").exit_code == 2
    bad = run("risk", "--as-of", "2026-06-30", "--min-fall", "nhiều")
    assert bad.exit_code == 2 and "không phải một số" in bad.output


def test_forecast_json_states_its_assumptions(steady):
    result = run("forecast", "--unit", "18871", "--year", "2027", "--as-of", "2026-10-31", "--format", "json")
    assert result.exit_code == 0, result.output
    found = json.loads(result.stdout)
    # 3 people, 2 insured now; 1.5 expected at the end of 2027 (rounded half up: 2), 17/16 in 2030.
    assert found["units"] == [
        {"unit_code": code, "unit_name": name, "population": 3, "insured": 2, "coverage_pct": "66.67",
         "insured_2027": 2, "coverage_pct_2027": "50.00", "insured_2030": 1, "coverage_pct_2030": "35.42"}
        for code, name in (("18871", "Phường Đồng Sơn"), ("18871-001", "Khu phố 3"))
    ]
    assert found["assumptions"][1] == ("- Dân số giữ nguyên 3 người (số cư dân ngày 31/10/2026): "
                                       "không tính sinh, mất, chuyển đến, chuyển đi.")
    assert "  GD: 50.00 % (1/2 lượt hết hạn, quan sát ở cả tỉnh)" in found["assumptions"]


def test_forecast_table_and_csv(steady):
    table = run("forecast", "--unit", "18871-001", "--year", "2030", "--as-of", "2026-10-31")
    assert "Bao phủ 31/12/2030 (%)" in table.stdout and "35.42" in table.stdout
    assert "Giả định cho Khu phố 3 (18871-001):" in table.stdout
    rows = list(csv.reader(io.StringIO(
        run("forecast", "--unit", "18871-001", "--year", "2030", "--as-of", "2026-10-31", "--format", "csv").stdout)))
    assert rows == [["unit_code", "unit_name", "population", "insured", "coverage_pct", "insured_2030",
                     "coverage_pct_2030"],
                    ["18871-001", "Khu phố 3", "3", "2", "66.67", "1", "35.42"]]


def test_forecast_refusals(steady):
    past = run("forecast", "--unit", "18871", "--year", "2025", "--as-of", "2026-10-31")
    assert past.exit_code == 2 and "Năm dự báo 2025 đã qua" in past.output
    assert run("forecast", "--unit", "99999", "--year", "2026", "--as-of", "2026-10-31").exit_code == 2
