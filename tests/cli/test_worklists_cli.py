"""`bhyt worklist …` on the hand-worked commune of tests/analytics/test_worklists.py (rows worked out there)."""

from __future__ import annotations

import csv
import io
import json

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from bhyt.cli import app
from bhyt.masking import mask
from bhyt.store.models import AuditEntry
from tests.analytics.test_worklists import DONG_HOI, name, pid, populate
from tests.reports.xlsx import cells, number_format

runner = CliRunner()
AS_OF = "2026-09-30"


@pytest.fixture
def registry(engine, tmp_path, filled_once):
    filled_once("registry", lambda: populate(engine, tmp_path))
    return engine


def run(*args: str):
    result = runner.invoke(app, ["worklist", *args], catch_exceptions=False)
    return result


def csv_rows(*args: str) -> list[dict[str, str]]:
    result = run(*args, "--unit", DONG_HOI, "--as-of", AS_OF, "--format", "csv")
    assert result.exit_code == 0, result.output
    return list(csv.DictReader(io.StringIO(result.stdout)))


def test_mask_keeps_four_and_two_digits():
    assert mask("044012345689") == "0440******89"
    assert mask("4500000011") == "450*****11"


def test_deceased_csv_masked(registry):
    assert csv_rows("deceased") == [{
        "so_dinh_danh": mask(pid(12)), "ho_ten": name(12), "ngay_sinh": "1950-09-18", "ma_ho": "HO04",
        "chu_ho": "Phạm Văn Bốn", "thon": "Tổ 1", "ngay_mat": "2026-08-15", "ma_doi_tuong": "GD",
        "the_den": "2026-12-31", "reason": "Đã mất ngày 15/08/2026, thẻ GD còn hạn đến 31/12/2026: báo giảm",
    }]


def test_uninsured_csv_carries_the_quotes(registry):
    rows = csv_rows("uninsured", "--reveal")
    assert [(row["so_dinh_danh"], row["ma_ho"], row["ma_doi_tuong"], row["phai_dong"], row["ho_phai_dong"])
            for row in rows[:6]] == [
        (pid(1), "HO01", "GD", "1366200", "4371840"),
        (pid(2), "HO01", "GD", "956340", "4371840"),
        (pid(3), "HO01", "GD", "819720", "4371840"),
        (pid(4), "HO01", "GD", "683100", "4371840"),
        (pid(5), "HO01", "GD", "546480", "4371840"),
        (pid(6), "HO01", "TE", "0", "4371840"),
    ]
    assert len(rows) == 11
    assert (rows[0]["phan_loai_ho"], rows[9]["phan_loai_ho"]) == ("hộ khác", "hộ cận nghèo")


def test_duplicates_mask_bhxh_numbers(registry):
    rows = csv_rows("duplicates")
    assert [(row["nhom"], row["ho_ten"], row["ma_so_bhxh"]) for row in rows] == [
        ("1", name(11), "450*****11; 450*****12"), ("2", name(9), ""), ("2", name(10), ""),
    ]


def test_newly_eligible_needs_since(registry):
    result = run("newly-eligible", "--unit", DONG_HOI, "--as-of", AS_OF)
    assert result.exit_code == 2
    assert "--since" in result.output
    rows = csv_rows("newly-eligible", "--since", "2026-01-01")
    assert [(row["ho_ten"], row["ngay"], row["ma_doi_tuong"]) for row in rows] == [
        (name(6), "2026-03-10", "TE"), (name(18), "2026-05-20", "HS"),
        (name(7), "2026-01-01", "CN"), (name(8), "2026-01-01", "CN"),
    ]


def test_json_and_days(registry):
    result = run("expiring", "--unit", DONG_HOI, "--as-of", AS_OF, "--days", "100", "--format", "json")
    assert result.exit_code == 0, result.output
    assert [(row["ho_ten"], row["het_han"], row["con_ngay"]) for row in json.loads(result.stdout)] == [
        (name(14), "2026-10-15", 15), (name(7), "2026-12-31", 92), (name(9), "2026-12-31", 92),
    ]


def test_xlsx_for_printing(registry, tmp_path):
    out = tmp_path / "chua_co_the.xlsx"
    result = run("uninsured", "--unit", DONG_HOI, "--as-of", AS_OF, "--format", "xlsx", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == f"Đã ghi {out} (11 người)"
    rows = cells(out, "Danh sách")
    assert rows[0][0] == "DANH SÁCH NGƯỜI CHƯA THAM GIA BẢO HIỂM Y TẾ VÀ MỨC ĐÓNG THEO HỘ"
    assert rows[1][0] == "Phường Đồng Hới (mã 18880), tính đến ngày 30/09/2026: 11 người"
    assert rows[3][:7] == ["STT", "Số định danh", "Họ và tên", "Ngày sinh", "Mã hộ", "Chủ hộ", "Thôn, tổ"]
    first = rows[4]
    assert first[:7] == [1, mask(pid(1)), name(1), first[3], "HO01", "Trần Văn Một", "Tổ 1"]
    assert first[3].isoformat() == "1970-01-10"
    assert rows[3][14] == "Người tham gia đóng" and first[14] == 1366200
    assert len(rows) == 4 + 11
    # The ID column is text (leading zeros kept), dates and money are formatted for reading.
    assert number_format(out, 1, 4, 1) == "@"
    assert number_format(out, 1, 4, 3) == "dd/mm/yyyy"
    assert number_format(out, 1, 4, 14) == "#,##0"


def test_revealing_is_audited(registry):
    assert csv_rows("moved-out", "--reveal")[0]["so_dinh_danh"] == pid(16)
    with registry.connect() as connection:
        actions = connection.execute(select(AuditEntry.action, AuditEntry.subject, AuditEntry.unit_code)).all()
    assert actions == [("reveal_id", "worklist moved-out", DONG_HOI)]


def test_xlsx_needs_a_file_and_unknown_units_are_refused(registry):
    assert run("uninsured", "--unit", DONG_HOI, "--as-of", AS_OF, "--format", "xlsx").exit_code == 2
    result = run("uninsured", "--unit", "99999", "--as-of", AS_OF)
    assert result.exit_code == 2
    assert "Không có đơn vị mã '99999'" in result.output
