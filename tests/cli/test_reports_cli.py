"""`bhyt report …` end to end on the hand-worked registry of tests/reports/registry.py."""

from __future__ import annotations

from decimal import Decimal

import pytest
from typer.testing import CliRunner

from bhyt.analytics.targets import set_target
from bhyt.cli import app
from tests.conftest import write_csv
from tests.reports.registry import DONG_HOI, build_registry
from tests.reports.xlsx import cells, find_row

runner = CliRunner()


def run(*args: str):
    return runner.invoke(app, list(args), catch_exceptions=False)


@pytest.fixture
def registry(engine, tmp_path, filled_once):
    filled_once("registry", lambda: build_registry(engine, tmp_path))
    return engine


def test_quarterly_report_of_the_only_province(registry, tmp_path):
    out = tmp_path / "quy_2.xlsx"
    result = run("report", "quarterly", "--year", "2026", "--period", "2", "--date", "2026-07-10", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        f"Đã ghi {out}",
        "Quý II năm 2026, Tỉnh Quảng Trị, 78 đơn vị, số liệu đến ngày 30/06/2026 so với ngày 31/03/2026. "
        "Tổng cộng: dân số 8, tham gia 6 (75,00 %); so với kỳ trước +1 người, +3,57 điểm %.",
    ]
    rows = cells(out, "Theo đơn vị")
    assert [rows[r][0] for r in range(3)] == ["ỦY BAN NHÂN DÂN", "TỈNH QUẢNG TRỊ", "Số:      /BC-UBND"]
    assert rows[2][4] == "Quảng Trị, ngày 10 tháng 7 năm 2026"
    assert rows[5][0] == "TÌNH HÌNH THAM GIA BẢO HIỂM Y TẾ QUÝ II NĂM 2026"
    assert rows[find_row(rows, "Tổng cộng")][2:] == [8, 6, 75, 5, 71.43, 1, 3.57]
    closing = find_row(rows, "Nơi nhận:", column=0)
    assert rows[closing + 1][0] == "- Bộ Y tế;"
    assert [rows[closing][4], rows[closing + 1][4]] == ["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"]


def test_half_year_report_of_a_commune_cut_off_early(registry, tmp_path):
    out = tmp_path / "6_thang.xlsx"
    result = run("report", "half-year", "--year", "2026", "--period", "1", "--unit", DONG_HOI,
                 "--as-of", "2026-05-15", "--date", "2026-05-18", "--number", "Số: 45/BC-UBND", "--out", str(out))
    assert result.exit_code == 0, result.output
    # 15/05/2026: Tổ 1 P1 P2 P3 insured of 4; Tổ 2 P5 P6 P7 of 3 → 6 of 7. 15/11/2025: P3 and P5 of 6.
    assert result.stdout.splitlines()[1] == (
        "6 tháng đầu năm 2026, Phường Đồng Hới, 2 đơn vị, số liệu đến ngày 15/05/2026 so với ngày 15/11/2025. "
        "Tổng cộng: dân số 7, tham gia 6 (85,71 %); so với kỳ trước +4 người, +52,38 điểm %.")
    rows = cells(out, "Theo đơn vị")
    assert [rows[r][0] for r in range(3)] == ["ỦY BAN NHÂN DÂN", "PHƯỜNG ĐỒNG HỚI", "Số: 45/BC-UBND"]
    assert rows[2][4] == "Đồng Hới, ngày 18 tháng 5 năm 2026"
    head = find_row(rows, "Thôn, tổ dân phố")
    assert rows[head + 3][1:] == ["Tổ 1", 4, 3, 75, 1, 25, 2, 50]
    closing = find_row(rows, "Nơi nhận:", column=0)
    assert rows[closing + 1][0] == "- Ủy ban nhân dân tỉnh (qua Sở Y tế);"


def test_annual_report_with_another_issuer_and_signer(registry, tmp_path):
    out = tmp_path / "nam.xlsx"
    result = run("report", "annual", "--year", "2026", "--as-of", "2026-11-15", "--issuer",
                 "BẢO HIỂM XÃ HỘI VIỆT NAM/BẢO HIỂM XÃ HỘI TỈNH QUẢNG TRỊ", "--signer", "KT. GIÁM ĐỐC/PHÓ GIÁM ĐỐC",
                 "--place", "Đông Hà", "--date", "2026-11-18", "--out", str(out))
    assert result.exit_code == 0, result.output
    rows = cells(out, "Theo nhóm")
    assert [rows[r][0] for r in range(2)] == ["BẢO HIỂM XÃ HỘI VIỆT NAM", "BẢO HIỂM XÃ HỘI TỈNH QUẢNG TRỊ"]
    assert rows[2][3] == "Đông Hà, ngày 18 tháng 11 năm 2026"
    assert rows[6][0] == "(Biểu 2: theo nhóm đối tượng; số liệu đến ngày 15/11/2026, so với ngày 15/11/2025)"
    closing = find_row(rows, "Nơi nhận:", column=0)
    assert [rows[closing][3], rows[closing + 1][3]] == ["KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC"]


def test_appendix_takes_the_official_population_where_there_is_one(registry, tmp_path):
    figures = write_csv(tmp_path / "dan_so.csv", ["ma_don_vi", "nam", "dan_so", "nguon"],
                        [[DONG_HOI, "2025", "10", "Cục Thống kê"]])
    assert run("import", "population", str(figures)).exit_code == 0
    set_target(registry, "44", 2026, rate=Decimal("96"))
    out = tmp_path / "phu_luc.xlsx"
    result = run("report", "appendix", "--year", "2026", "--date", "2026-01-31", "--out", str(out))
    assert result.exit_code == 0, result.output
    # 31/12/2025: Đồng Hới 2 insured (P3, P5) of an official 10, target ⌈9,6⌉ = 10, 8 to enrol;
    # Đồng Sơn (no official figure): 1 of 1 in the registry, target 1; the other communes are empty.
    assert result.stdout.splitlines()[1] == (
        "Phụ lục chỉ tiêu năm 2026 của Tỉnh Quảng Trị, 78 đơn vị. Tổng cộng: dân số 11, tham gia 3, "
        "chỉ tiêu 11 người (100,00 %), phải vận động 8.")
    rows = cells(out, "Phụ lục")
    assert rows[4][0] == "Phụ lục" and rows[5][0] == "CHỈ TIÊU PHÁT TRIỂN BẢO HIỂM Y TẾ NĂM 2026"
    assert rows[6][0] == "(Kèm theo Kế hoạch số      /KH-UBND của Ủy ban nhân dân tỉnh Quảng Trị)"
    head = find_row(rows, "Xã, phường, đặc khu")
    assert rows[head][2:4] == ["Dân số cuối năm 2025", "Tham gia đến cuối năm 2025"]
    assert rows[head + 1] == ["", "Tổng cộng", 11, 3, 11, 8, 100]
    assert rows[find_row(rows, "Phường Đồng Hới")][2:] == [10, 2, 10, 8, 96]
    assert rows[find_row(rows, "Phường Đồng Sơn")][2:] == [1, 1, 1, 0, 96]
    assert rows[head + 80][0] == (
        "Nguồn dân số: sổ đăng ký (người cư trú ngày 31/12/2025) (77 đơn vị), Cục Thống kê năm 2025 (1 đơn vị); "
        "số người tham gia: sổ đăng ký (thẻ còn giá trị ngày 31/12/2025).")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["report", "monthly", "--year", "2026", "--period", "13"], "Số tháng phải từ 1 đến 12, không phải 13."),
        (["report", "quarterly", "--year", "2026", "--period", "1", "--unit", "99999"], "Không có đơn vị mã '99999'."),
        (["report", "annual", "--year", "2026", "--unit", f"{DONG_HOI}-001"],
         "'Tổ 1' là thôn, không có đơn vị cấp dưới: chọn --level hamlet hoặc báo cáo của xã."),
        (["report", "annual", "--year", "2026", "--unit", DONG_HOI, "--level", "province"],
         "Cấp province lớn hơn đơn vị '18880' (commune): chọn cấp bằng hoặc nhỏ hơn."),
        (["report", "annual", "--year", "2026", "--issuer", "SỞ Y TẾ"],
         "Cơ quan ban hành không phải Ủy ban nhân dân: hãy cho biết khối chữ ký bằng --signer, "
         "ví dụ 'KT. GIÁM ĐỐC/PHÓ GIÁM ĐỐC'."),
    ],
)
def test_bad_requests_exit_2_with_the_reason(registry, tmp_path, args, message):
    result = run(*args, "--out", str(tmp_path / "bao_cao.xlsx"))
    assert result.exit_code == 2
    assert message in " ".join(result.output.split())
    assert not (tmp_path / "bao_cao.xlsx").exists()


def test_output_must_be_an_xlsx_in_an_existing_folder(registry, tmp_path):
    result = run("report", "annual", "--year", "2026", "--out", str(tmp_path / "bao_cao.pdf"))
    assert (result.exit_code, "Tệp ra phải có đuôi .xlsx" in result.output) == (2, True)
    result = run("report", "annual", "--year", "2026", "--out", str(tmp_path / "khong_co" / "bao_cao.xlsx"))
    assert (result.exit_code, "Không có thư mục" in result.output) == (2, True)
