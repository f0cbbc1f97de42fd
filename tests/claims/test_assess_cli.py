"""`bhyt claims assess|rules|prices|facilities|decide|rejections` on the hand-built claims."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook
from typer.testing import CliRunner

from bhyt.cli import app
from tests.analytics.shared import cli_on, shared_engine
from tests.claims.rule_cases import CASES, build_world
from tests.conftest import write_csv

runner = CliRunner()


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory):
    with shared_engine("sqlite", "claims_cli", tmp_path_factory) as engine:
        lake = build_world(engine, tmp_path_factory.mktemp("cli"))
        with cli_on(engine):
            yield engine, lake


def _invoke(lake, *args: str):
    return runner.invoke(app, ["claims", *args, "--lake", str(lake.root)], env={"COLUMNS": "250"})


def test_assess_csv_has_one_row_per_finding_and_the_summary_on_stderr(world) -> None:
    _, lake = world
    result = _invoke(lake, "assess", "--format", "csv")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert {(row["ma_lk"], row["rule_id"]) for row in rows} == {
        (case.ma_lk, rule) for case in CASES for rule, _, _ in case.expected}
    died = next(row for row in rows if row["ma_lk"] == "DIED_BEFORE")
    assert died == {"ma_lk": "DIED_BEFORE", "rule_id": "AFTER_DEATH", "severity": "Cao", "amount_at_risk": "180000.00",
                    "explanation": "NGAY_VAO 2026-01-05 sau ngày mất 2026-01-04 của người bệnh (theo SO_CCCD) trong "
                                   "hệ thống", "facility": "79001", "bang": "XML1", "stt": "", "decision": "Chưa quyết định"}
    assert "Tổng hợp (mọi hồ sơ trong kho): 33 hồ sơ" in result.stderr
    assert "AFTER_DEATH" in result.stderr


def test_assess_one_rule_in_a_period_as_a_table(world) -> None:
    _, lake = world
    result = _invoke(lake, "assess", "--rule", "PRICE_ABOVE_APPROVED", "--from", "2026-01-01", "--to", "2026-01-31",
                     "--facility", "79001")
    assert result.exit_code == 0, result.output
    assert "1 cảnh báo" in result.stdout and "PRICE_ABOVE_APPROVED" in result.stdout
    assert "ra viện từ 01/01/2026 đến 31/01/2026" in result.stdout


def test_assess_refuses_bad_requests(world) -> None:
    _, lake = world
    assert "Không có quy tắc NO_RULE" in _invoke(lake, "assess", "--rule", "NO_RULE").stderr
    assert "xlsx cần --out" in _invoke(lake, "assess", "--format", "xlsx").stderr
    result = _invoke(lake, "assess", "--from", "2026-02-01", "--to", "2026-01-01")
    assert result.exit_code == 2 and "--from phải trước" in result.stderr


def test_assess_xlsx_has_findings_summary_and_a_rejection_list_per_facility(world, tmp_path: Path) -> None:
    _, lake = world
    out = tmp_path / "giam_dinh.xlsx"
    result = _invoke(lake, "assess", "--format", "xlsx", "--out", str(out))
    assert result.exit_code == 0, result.output
    book = CalamineWorkbook.from_path(str(out))
    assert book.sheet_names == ["Cảnh báo", "Tổng hợp", "Từ chối 79001"]
    findings = book.get_sheet_by_name("Cảnh báo").to_python()[3:-1]  # header above, total below
    assert len(findings) == sum(len(case.expected) for case in CASES)
    rejections = book.get_sheet_by_name("Từ chối 79001").to_python()
    assert rejections[2][:4] == ["STT", "Mã liên kết (MA_LK)", "Mã người bệnh (MA_BN)", "Ngày vào"]
    assert rejections[-1][1] == "Tổng cộng"


def test_rules_lists_the_catalogue(world) -> None:
    result = runner.invoke(app, ["claims", "rules", "--format", "csv"])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert len(rows) == 12
    assert rows[0] == {"rule_id": "AFTER_DEATH", "title": "Khám chữa bệnh sau ngày mất", "severity": "Cao",
                       "legal_basis": "CV 3370/BHXH-GĐĐT ngày 26/10/2020 (đề nghị thanh toán sau ngày tử vong)",
                       "effective_from": "2024-07-01", "effective_to": "", "version": "1"}


def test_prices_reports_row_errors_and_keeps_the_old_list(world, tmp_path: Path) -> None:
    _, lake = world
    bad = write_csv(tmp_path / "gia.csv", ["ma_cskcb", "bang", "ma", "ten", "don_vi_tinh", "don_gia", "tu_ngay",
                                           "den_ngay"],
                    [["79001", "XML4", "40.17", "x", "viên", "1,5", "2026-01-01", ""],
                     ["79001", "XML2", "40.17", "x", "viên", "1500", "2026-01-01", ""],
                     ["79001", "XML2", "40.17", "x", "viên", "1600", "2026-06-01", ""]])
    before = (lake.root / "reference" / "approved_prices.parquet").read_bytes()
    result = _invoke(lake, "prices", str(bad))
    assert result.exit_code == 2
    assert "bang phải là XML2 hoặc XML3" in result.stderr and "don_gia phải là số" in result.stderr
    assert (lake.root / "reference" / "approved_prices.parquet").read_bytes() == before
    overlapping = write_csv(tmp_path / "gia2.csv", ["ma_cskcb", "bang", "ma", "ten", "don_vi_tinh", "don_gia",
                                                    "tu_ngay", "den_ngay"],
                            [["79001", "XML2", "40.17", "x", "viên", "1500", "2026-01-01", ""],
                             ["79001", "XML2", "40.17", "x", "viên", "1600", "2026-06-01", ""]])
    result = _invoke(lake, "prices", str(overlapping))
    assert result.exit_code == 2 and "trùng 79001/XML2/40.17 với dòng 2" in result.stderr
    wrong_header = write_csv(tmp_path / "gia3.csv", ["ma", "gia"], [["40.17", "1"]])
    assert "dòng tiêu đề phải là ma_cskcb,bang" in _invoke(lake, "prices", str(wrong_header)).stderr


def test_a_primary_tier_facility_pays_levels_3_and_4_in_full(world, tmp_path: Path) -> None:
    _, lake = world
    tiers = write_csv(tmp_path / "cap.csv", ["ma_cskcb", "ten", "cap"], [["79001", "Trạm y tế", "ban_dau"]])
    try:
        result = _invoke(lake, "facilities", str(tiers))
        assert result.exit_code == 0 and "Đã nhập 1 dòng" in result.stdout
        rows = list(csv.DictReader(io.StringIO(_invoke(lake, "assess", "--rule", "BENEFIT_MISMATCH",
                                                       "--format", "csv").stdout)))
        # At a primary-tier facility the expensive visit at 80 % is wrong, the cheap one at 80 % still is.
        assert {row["ma_lk"] for row in rows} == {"BENEFIT_80", "BENEFIT_95", "BENEFIT_CHEAP_80"}
        assert "(cơ sở KCB cấp ban đầu)" in rows[0]["explanation"]
    finally:
        (lake.root / "reference" / "facility_tiers.parquet").unlink()


def test_decisions_survive_reassessment_and_shape_the_rejection_list(world, tmp_path: Path) -> None:
    _, lake = world
    refused = _invoke(lake, "decide", "CLEAN", "AFTER_DEATH", "--accept")
    assert refused.exit_code == 2 and "không có cảnh báo AFTER_DEATH" in refused.stderr
    assert "cần ghi lý do" in _invoke(lake, "decide", "DUPLICATE", "DUPLICATE_LINE", "--reject").stderr
    assert _invoke(lake, "decide", "DUPLICATE", "DUPLICATE_LINE", "--reject", "--reason",
                   "Hai lần xét nghiệm theo chỉ định", "--by", "gdv1").exit_code == 0
    accepted = _invoke(lake, "decide", "DIED_BEFORE", "AFTER_DEATH", "--accept", "--by", "gdv1")
    assert accepted.exit_code == 0 and "180,000 đồng" in accepted.stdout
    rows = list(csv.DictReader(io.StringIO(_invoke(lake, "assess", "--format", "csv").stdout)))
    decisions = {(row["ma_lk"], row["rule_id"]): row["decision"] for row in rows}
    assert decisions["DUPLICATE", "DUPLICATE_LINE"] == "Bác bỏ cảnh báo"
    assert decisions["DIED_BEFORE", "AFTER_DEATH"] == "Xác nhận (từ chối thanh toán)"

    out = tmp_path / "tu_choi.csv"
    result = _invoke(lake, "rejections", "--facility", "79001", "--out", str(out))
    assert result.exit_code == 0, result.output
    with out.open(encoding="utf-8-sig", newline="") as handle:
        listed = list(csv.DictReader(handle))
    keys = {(row["ma_lk"], row["rule_id"]) for row in listed}
    assert ("DUPLICATE", "DUPLICATE_LINE") not in keys  # dismissed
    died = next(row for row in listed if row["ma_lk"] == "DIED_BEFORE")
    assert died["status"] == "Xác nhận (từ chối thanh toán)" and died["amount"] == "180000.00"
    assert died["reason"].startswith("Khám chữa bệnh sau ngày mất: NGAY_VAO 2026-01-05")
    assert died["legal_basis"].startswith("CV 3370/BHXH-GĐĐT")
    price = next(row for row in listed if row["rule_id"] == "PRICE_ABOVE_APPROVED")
    assert (price["bang"], price["stt"], price["item_code"], price["status"]) == (
        "XML2", "1", "40.17", "Chờ giám định viên quyết định")
    xlsx = tmp_path / "tu_choi.xlsx"
    assert _invoke(lake, "rejections", "--facility", "79001", "--out", str(xlsx)).exit_code == 0
    sheet = CalamineWorkbook.from_path(str(xlsx)).get_sheet_by_name("Từ chối 79001").to_python()
    assert sheet[0][0].startswith("Danh sách đề nghị từ chối thanh toán (điều chỉnh theo Mẫu 09/BH)")
