"""`bhyt visits …` on the hand-worked visits of tests/analytics/test_visits.py (counts worked out there)."""

from __future__ import annotations

import csv
import io
import json

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from bhyt.cli import app
from bhyt.masking import mask
from bhyt.store.models import AuditEntry, Visit
from tests.analytics.test_visits import log_visits
from tests.analytics.test_worklists import DONG_HOI, TO_1, TO_2, pid, populate

runner = CliRunner()
AS_OF = "2026-09-30"


@pytest.fixture
def registry(engine, tmp_path, filled_once):
    filled_once("registry", lambda: populate(engine, tmp_path))
    return engine


@pytest.fixture
def logged(registry, filled_once):
    filled_once("logged", lambda: log_visits(registry))
    return registry


def run(*args: str):
    return runner.invoke(app, ["visits", *args], catch_exceptions=False)


def csv_rows(*args: str) -> list[dict[str, str]]:
    result = run(*args, "--format", "csv")
    assert result.exit_code == 0, result.output
    return list(csv.DictReader(io.StringIO(result.stdout)))


def test_add_then_list(registry):
    result = run("add", "--household", "HO02", "--person", pid(8), "--date", "2026-09-01", "--officer", "Minh",
                 "--outcome", "refused", "--reason", "khong_du_tien", "--note", "Hẹn sau mùa gặt",
                 "--follow-up", "2026-10-15")
    assert result.exit_code == 0, result.output
    assert "hộ HO02, ngày 01/09/2026, từ chối" in result.stdout
    assert csv_rows("list", "--unit", DONG_HOI) == [{
        "ngay_tham": "2026-09-01", "ma_ho": "HO02", "chu_ho": "Lê Thị Hai", "thon": "Tổ 2",
        "so_dinh_danh": mask(pid(8)), "ho_ten": "Võ Văn Cận", "can_bo": "Minh", "ket_qua": "Từ chối",
        "ma_ly_do": "khong_du_tien", "ly_do": "Không đủ tiền đóng", "ghi_chu": "Hẹn sau mùa gặt",
        "hen_tham_lai": "2026-10-15",
    }]
    with registry.connect() as connection:
        assert connection.execute(select(AuditEntry.action, AuditEntry.subject, AuditEntry.unit_code)).all() == [
            ("export_people", "visits list", DONG_HOI),
        ]


@pytest.mark.parametrize(("args", "message"), [
    (["--outcome", "refused"], "cần ghi lý do"),
    (["--outcome", "promised", "--person", "PERSON_7"], "không thuộc hộ HO01"),
    (["--outcome", "promised", "--follow-up", "2026-08-31"], "trước ngày thăm 01/09/2026"),
])
def test_add_refuses_with_the_reason(registry, args, message):
    args = [pid(7) if arg == "PERSON_7" else arg for arg in args]
    result = run("add", "--household", "HO01", "--date", "2026-09-01", "--officer", "Lan", *args)
    assert result.exit_code == 2
    assert message in result.output
    with registry.connect() as connection:
        assert connection.execute(select(Visit.id)).all() == []


def test_list_a_period_as_json(logged):
    result = run("list", "--unit", TO_1, "--from", "2026-09-01", "--to", "2026-09-30", "--format", "json")
    assert result.exit_code == 0, result.output
    assert [(row["ma_ho"], row["ngay_tham"], row["ket_qua"], row["hen_tham_lai"])
            for row in json.loads(result.stdout)] == [("HO01", "2026-09-20", "Không gặp", "2026-10-05")]


def test_assign(registry):
    result = run("assign", "--unit", TO_2, "--officer", "Minh")
    assert result.exit_code == 0, result.output
    assert "Thôn 18880-002: 2 hộ do Minh phụ trách (2 hộ mới giao)." in result.stdout
    result = run("assign", "--unit", DONG_HOI, "--officer", "Minh")
    assert result.exit_code == 2
    assert "không phải thôn" in result.output


def test_progress_by_hamlet_and_officer(logged):
    assert csv_rows("progress", "--unit", DONG_HOI, "--as-of", AS_OF) == [
        {"thon": TO_1, "ten_thon": "Tổ 1", "so_ho": "2", "assigned": "2", "visited": "2", "joined": "1",
         "follow_ups_due": "0"},
        {"thon": TO_2, "ten_thon": "Tổ 2", "so_ho": "2", "assigned": "2", "visited": "2", "joined": "1",
         "follow_ups_due": "1"},
    ]
    assert csv_rows("progress", "--unit", DONG_HOI, "--by", "officer", "--as-of", AS_OF) == [
        {"can_bo": "Lan", "assigned": "2", "visited": "1", "joined": "0", "follow_ups_due": "0"},
        {"can_bo": "Minh", "assigned": "2", "visited": "3", "joined": "2", "follow_ups_due": "1"},
    ]
    table = run("progress", "--unit", DONG_HOI, "--as-of", AS_OF)
    assert table.exit_code == 0 and "Tổ 2" in table.stdout
    unknown = run("progress", "--unit", "99999", "--as-of", AS_OF)
    assert unknown.exit_code == 2 and "Không có đơn vị mã '99999'" in unknown.output


def test_reasons_catalogue_and_roll_up(logged):
    catalogue = json.loads(run("reasons", "--format", "json").stdout)
    assert len(catalogue) == 6
    assert {"ma": "khong_du_tien", "ten": "Không đủ tiền đóng", "dang_dung": True} in catalogue
    assert csv_rows("reasons", "--unit", DONG_HOI, "--as-of", AS_OF) == [
        {"thon": TO_1, "ten_thon": "Tổ 1", "ma_ly_do": "di_lam_an_xa", "ly_do": "Đi làm ăn xa", "so_ho": "1"},
        {"thon": TO_2, "ten_thon": "Tổ 2", "ma_ly_do": "chua_thay_can_thiet", "ly_do": "Chưa thấy cần thiết",
         "so_ho": "1"},
    ]
