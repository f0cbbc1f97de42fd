from __future__ import annotations

import csv
import io
import json

from typer.testing import CliRunner

from bhyt.cli import app
from tests.conftest import write_csv
from tests.ingest.fixtures import PERSON_HEADER, PERSONS, write_lists

runner = CliRunner()


def run(*args: str):
    return runner.invoke(app, list(args), catch_exceptions=False)


def test_contribution_household_of_five():
    result = run("contribution", "--date", "2026-07-01", "--household-size", "5")
    assert result.exit_code == 0
    assert json.loads(result.stdout) == {
        "base_salary": 2530000,
        "members": [1366200, 956340, 819720, 683100, 546480],
        "total": 4371840,
    }


def test_contribution_with_group_and_province_top_up():
    result = run("contribution", "--date", "2026-07-01", "--household-size", "1", "--group", "CN", "--province", "82")
    assert json.loads(result.stdout)["members"] == [136620]


def test_contribution_unknown_group_exits_2():
    result = run("contribution", "--date", "2026-07-01", "--household-size", "1", "--group", "XX")
    assert result.exit_code == 2


def test_import_then_coverage_csv(database_url, tmp_path):
    files = write_lists(tmp_path)
    assert run("init").exit_code == 0
    for kind in ("households", "persons", "cards"):
        result = run("import", kind, str(files[kind]))
        assert result.exit_code == 0, result.output
    result = run("coverage", "--as-of", "2026-06-30", "--level", "commune", "--unit", "18880", "--format", "csv")
    assert result.exit_code == 0
    rows = list(csv.reader(io.StringIO(result.stdout)))
    # 4 residents; the three cards cover 2026-06-30
    assert rows == [["unit_code", "unit_name", "population", "insured", "coverage_pct"],
                    ["18880", "Phường Đồng Hới", "4", "3", "75.00"]]
    hamlets = run("coverage", "--as-of", "2026-06-30", "--level", "hamlet", "--unit", "18880", "--format", "json")
    assert [row["coverage_pct"] for row in json.loads(hamlets.stdout)] == ["100.00", "0.00"]


def test_import_with_errors_exits_2_and_names_the_report(database_url, tmp_path):
    run("import", "households", str(write_lists(tmp_path)["households"]))
    bad = [row[:] for row in PERSONS]
    bad[0][3] = "Không rõ"
    result = run("import", "persons", str(write_csv(tmp_path / "bad.csv", PERSON_HEADER, bad)))
    assert result.exit_code == 2
    assert "dòng 2, cột gioi_tinh" in result.output
    report = result.output.split("Báo cáo lỗi:")[1].split()[0]
    assert open(report, encoding="utf-8-sig").read().startswith("dong,cot,gia_tri,ly_do")


def test_coverage_of_unknown_unit_exits_2(database_url):
    result = run("coverage", "--as-of", "2026-06-30", "--unit", "99999")
    assert result.exit_code == 2
