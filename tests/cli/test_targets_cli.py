"""`bhyt targets set|cascade|show` on the example commune lists (tests/ingest/fixtures.py).

Phường Đồng Hới (18880) on 2026-06-30: Tổ dân phố 1 has An, Cúc (CN cards for 2026) and Đức (HS card
from 01/10/2025) = 3 residents, 3 insured; Tổ dân phố 2 has Bình without a card = 1 resident, 0 insured.
On 31/12/2025 only Đức's card was valid: Tổ 1 had 1/3 = 33.33 %, Tổ 2 0/1 = 0.00 %.
"""

from __future__ import annotations

import csv
import io
import json

import pytest
from typer.testing import CliRunner

from bhyt.cli import app
from tests.ingest.fixtures import write_lists

runner = CliRunner()
WIDE = {"COLUMNS": "200"}


def run(*args: str):
    return runner.invoke(app, list(args), catch_exceptions=False, env=WIDE)


def csv_rows(result) -> list[list[str]]:
    assert result.exit_code == 0, result.output
    return list(csv.reader(io.StringIO(result.stdout)))


@pytest.fixture
def lists(database_url, tmp_path, filled_once):
    files = write_lists(tmp_path)
    filled_once("lists", lambda: import_lists(files))
    return tmp_path


def import_lists(files) -> None:
    for kind in ("households", "persons", "cards"):
        assert run("import", kind, str(files[kind])).exit_code == 0


def test_set_then_show_csv(lists):
    result = run("targets", "set", "--unit", "18880", "--year", "2026", "--rate", "95,5")
    assert result.exit_code == 0
    assert result.stdout.strip() == "Đã đặt chỉ tiêu năm 2026 của đơn vị 18880: 95.5 %."
    # Both hamlets inherit 95.50 %: Tổ 1 needs ceil(2.865) = 3, has 3; Tổ 2 needs ceil(0.955) = 1, has 0.
    shown = run("targets", "show", "--year", "2026", "--level", "hamlet", "--unit", "18880",
                "--as-of", "2026-06-30", "--format", "csv")
    assert csv_rows(shown) == [
        ["unit_code", "unit_name", "population", "insured", "coverage_pct", "target_pct", "still_to_enrol", "status"],
        ["18880-001", "Tổ dân phố 1", "3", "3", "100.00", "95.50", "0", "met"],
        ["18880-002", "Tổ dân phố 2", "1", "0", "0.00", "95.50", "1", "behind"],
    ]


def test_show_table_and_json(lists):
    run("targets", "set", "--unit", "18880", "--year", "2026", "--count", "4")
    table = run("targets", "show", "--year", "2026", "--level", "hamlet", "--unit", "18880", "--as-of", "2026-06-30")
    assert table.exit_code == 0
    lines = table.stdout.splitlines()
    assert lines[0] == "Chỉ tiêu năm 2026 (toàn dân), tính đến ngày 30/06/2026, theo sổ đăng ký."
    for title in ("Hạng", "Bao phủ (%)", "Chỉ tiêu (%)", "Còn phải vận động", "Đánh giá"):
        assert title in table.stdout
    # The commune's 4 people of 4 residents = 100.00 % for each hamlet: Tổ 1 met (rank 1), Tổ 2 short 1.
    body = [line for line in lines if "Tổ dân phố" in line]
    assert "18880-001" in body[0] and "Đạt" in body[0]
    assert "18880-002" in body[1] and "Chưa đạt" in body[1]
    shown = run("targets", "show", "--year", "2026", "--level", "commune", "--unit", "18880",
                "--as-of", "2026-06-30", "--format", "json")
    assert json.loads(shown.stdout) == [{
        "unit_code": "18880", "unit_name": "Phường Đồng Hới", "population": 4, "insured": 3, "coverage_pct": "75.00",
        "target_pct": "100.00", "target_count": 4, "still_to_enrol": 1, "status": "behind", "rank": 1,
        "population_source": "registry", "population_year": None, "insured_source": "registry",
    }]


def test_cascade_to_hamlets(lists):
    """Commune 75 % of 4 → 3 people. Floors: Tổ 1 ceil(33.33 % × 3) = 1, Tổ 2 0 → 2 to share. Only Tổ 2 has
    uninsured people, room 1 → 100.00 %; the other person goes to Tổ 1 → 2 of 3 → 66.67 % (rounded up)."""
    assert run("targets", "set", "--unit", "18880", "--year", "2026", "--rate", "75").exit_code == 0
    first = run("targets", "cascade", "--unit", "18880", "--year", "2026", "--as-of", "2026-06-30", "--format", "csv")
    assert csv_rows(first) == [
        ["unit_code", "unit_name", "population", "insured", "last_year_pct", "target_pct", "target_count", "origin",
         "changed"],
        ["18880-001", "Tổ dân phố 1", "3", "3", "33.33", "66.67", "3", "cascade", "True"],
        ["18880-002", "Tổ dân phố 2", "1", "0", "0.00", "100.00", "1", "cascade", "True"],
    ]
    again = run("targets", "cascade", "--unit", "18880", "--year", "2026", "--as-of", "2026-06-30")
    assert again.exit_code == 0
    assert again.stdout.splitlines()[0] == (
        "Chỉ tiêu năm 2026 của đơn vị 18880 đã phân bổ cho 2 đơn vị (số người chưa có thẻ tính đến 30/06/2026): "
        "ghi mới hoặc sửa 0, giữ chỉ tiêu tự đặt 0.")
    shown = run("targets", "show", "--year", "2026", "--level", "hamlet", "--unit", "18880",
                "--as-of", "2026-06-30", "--format", "csv")
    # Tổ 1: ceil(66.67 % × 3) = ceil(2.0001) = 3, has 3 → 0; Tổ 2: 1 − 0 = 1.
    assert csv_rows(shown)[1:] == [
        ["18880-001", "Tổ dân phố 1", "3", "3", "100.00", "66.67", "0", "met"],
        ["18880-002", "Tổ dân phố 2", "1", "0", "0.00", "100.00", "1", "behind"],
    ]


def test_official_source(lists):
    """The official 2025 figure of Đồng Hới, 52,012 people, against the registry's 3 insured (no aggregate
    report): ceil(95.5 % × 52,012) = ceil(49,671.46) = 49,672 − 3 = 49,669."""
    population = lists / "dan_so.csv"
    population.write_text("ma_don_vi,nam,dan_so,nguon\n18880,2025,52012,Công an phường Đồng Hới\n", encoding="utf-8")
    assert run("import", "population", str(population)).exit_code == 0
    run("targets", "set", "--unit", "18880", "--year", "2026", "--rate", "95.5")
    shown = run("targets", "show", "--year", "2026", "--unit", "18880", "--as-of", "2026-06-30",
                "--source", "official", "--format", "csv")
    assert csv_rows(shown)[1:] == [["18880", "Phường Đồng Hới", "52012", "3", "0.01", "95.50", "49669", "behind"]]


def test_group_target(lists):
    """Pupils and students: Đức (born 2015, HS card) is the only one; the plans' default 100 % is met."""
    shown = run("targets", "show", "--year", "2026", "--unit", "18880", "--as-of", "2026-06-30",
                "--group", "hoc_sinh_sinh_vien", "--format", "csv")
    assert csv_rows(shown)[1:] == [["18880", "Phường Đồng Hới", "1", "1", "100.00", "100.00", "0", "met"]]
    result = run("targets", "set", "--unit", "18880", "--year", "2026", "--rate", "100", "--group", "can_ngheo")
    assert result.stdout.strip() == "Đã đặt chỉ tiêu năm 2026 của đơn vị 18880, nhóm Người thuộc hộ cận nghèo: 100 %."


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["set", "--unit", "18880", "--year", "2026", "--rate", "95", "--count", "10"], "đúng một trong hai"),
        (["set", "--unit", "18880", "--year", "2026"], "đúng một trong hai"),
        (["set", "--unit", "99999", "--year", "2026", "--rate", "95"], "Không có đơn vị mã '99999'"),
        (["set", "--unit", "18880", "--year", "2026", "--rate", "101"], "từ 0 đến 100"),
        (["set", "--unit", "18880", "--year", "2026", "--rate", "chín lăm"], "không phải một tỷ lệ phần trăm"),
        (["set", "--unit", "18880", "--year", "2026", "--rate", "95", "--group", "hs"], "Nhóm đối tượng 'hs'"),
        (["cascade", "--unit", "18880", "--year", "2026"], "chưa có chỉ tiêu năm 2026"),
        (["show", "--year", "2026", "--source", "official", "--group", "ngheo"], "không chia theo nhóm"),
        (["show", "--year", "2026", "--unit", "99999"], "Không có đơn vị mã '99999'"),
    ],
)
def test_refusals_exit_2_with_a_vietnamese_message(lists, args, message):
    result = runner.invoke(app, ["targets", *args], env=WIDE)
    assert result.exit_code == 2
    assert message in " ".join(result.output.split())
