"""`bhyt coverage` with --by, --series and --source on the registry of
tests/analytics/test_coverage_breakdowns.py (figures worked out there)."""

from __future__ import annotations

import csv
import io

import pytest
from typer.testing import CliRunner

from bhyt.cli import app
from tests.analytics.shared import cli_on
from tests.analytics.test_coverage_breakdowns import registry  # noqa: F401  (the fixture)

runner = CliRunner()


@pytest.fixture(autouse=True)
def on_registry(registry):  # noqa: F811
    with cli_on(registry):
        yield


def csv_rows(*args: str) -> list[list[str]]:
    result = runner.invoke(app, ["coverage", *args, "--format", "csv"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return list(csv.reader(io.StringIO(result.stdout)))


def test_by_sex(registry):  # noqa: F811
    assert csv_rows("--as-of", "2026-06-30", "--unit", "18880", "--by", "sex") == [
        ["unit_code", "unit_name", "key", "population", "insured", "coverage_pct"],
        ["18880", "Phường Đồng Hới", "1", "2", "2", "100.00"],
        ["18880", "Phường Đồng Hới", "2", "3", "1", "33.33"],
    ]


def test_series_from_official_figures(registry):  # noqa: F811
    assert csv_rows("--series", "2026-05-01", "2026-06-30", "--unit", "18880", "--source", "official") == [
        ["date", "unit_code", "unit_name", "population", "insured", "coverage_pct",
         "population_source", "population_year", "insured_source"],
        ["2026-05-31", "18880", "Phường Đồng Hới", "10", "4", "40.00", "Cục Thống kê", "2025", "registry"],
        ["2026-06-30", "18880", "Phường Đồng Hới", "10", "8", "80.00", "Cục Thống kê", "2025", "aggregate"],
    ]


def test_age_from_official_figures_is_refused(registry):  # noqa: F811
    result = runner.invoke(app, ["coverage", "--as-of", "2026-06-30", "--by", "age", "--source", "official"])
    assert result.exit_code == 2
    assert "không chia theo tuổi" in result.output


def test_needs_a_date_or_a_series(registry):  # noqa: F811
    assert runner.invoke(app, ["coverage"]).exit_code == 2
