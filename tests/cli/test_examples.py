"""The example files of the README import cleanly and give the figures the README shows."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from typer.testing import CliRunner

from bhyt.cli import app

EXAMPLES = Path(__file__).parents[2] / "examples"
runner = CliRunner()


def test_readme_walkthrough(database_url):
    for kind, name in (("households", "ho_gia_dinh"), ("persons", "nhan_khau"), ("cards", "the_bhyt"),
                       ("population", "dan_so")):
        result = runner.invoke(app, ["import", kind, str(EXAMPLES / f"{name}.csv")])
        assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["coverage", "--as-of", "2026-11-22", "--level", "commune", "--unit", "44",
                                 "--format", "csv"])
    rows = [row for row in csv.reader(io.StringIO(result.stdout)) if row[2] != "0"]
    assert rows == [["unit_code", "unit_name", "population", "insured", "coverage_pct"],
                    ["18880", "Phường Đồng Hới", "4", "3", "75.00"],
                    ["18949", "Xã Đồng Lê", "1", "1", "100.00"]]
