"""Periodic coverage reports against the hand-worked registry of tests/reports/registry.py."""

from datetime import date
from decimal import Decimal

import pytest

from bhyt.analytics.coverage import CoverageRow, UnknownUnit
from bhyt.analytics.engine import analytics
from bhyt.domain.report_periods import report_period
from bhyt.ingest.service import import_file
from bhyt.reports.official import COUNT_CHANGE_FORMAT, PERCENT_CHANGE_FORMAT, DocumentHeader
from bhyt.reports.periodic import (
    ChangeRow,
    change_rows,
    periodic_report,
    periodic_title,
    shares_total,
    units_total,
    write_periodic,
)
from bhyt.reports.sources import Provenance
from tests.conftest import write_csv
from tests.reports.registry import AS_OF, DONG_HOI, DONG_SON, PREVIOUS, build_registry
from tests.reports.xlsx import cells, find_row, merged, number_format

Q2 = report_period("quarter", 2026, 2)
HEADER = DocumentHeader(("ỦY BAN NHÂN DÂN", "TỈNH QUẢNG TRỊ"), "Số:      /BC-UBND", "Quảng Trị", date(2026, 7, 10),
                        periodic_title(Q2), recipients=("- Sở Y tế;", "- Lưu: VT."))


def test_change_rows_pair_keys_and_count_a_missing_one_as_zero():
    now = [CoverageRow("44", "Quảng Trị", 8, 1, "CN"), CoverageRow("44", "Quảng Trị", 8, 1, "DN")]
    before = [CoverageRow("44", "Quảng Trị", 7, 1, "DN"), CoverageRow("44", "Quảng Trị", 7, 1, "HT")]
    rows = change_rows(now, before, names={"CN": "Cận nghèo", "DN": "Doanh nghiệp", "HT": "Hưu trí"})
    assert [(r.code, r.name, r.insured, r.previous_insured, r.population, r.previous_population) for r in rows] == [
        ("CN", "Cận nghèo", 1, 0, 8, 8), ("DN", "Doanh nghiệp", 1, 1, 8, 7), ("HT", "Hưu trí", 0, 1, 7, 7)]
    # CN: 1/8 = 12,50 % against 0/8; DN: 12,50 % against 1/7 = 14,29 % → -1,79 points.
    assert [(r.insured_change, r.pct_change) for r in rows] == [
        (1, Decimal("12.50")), (0, Decimal("-1.79")), (-1, Decimal("-14.29"))]


def test_totals_sum_units_but_share_one_population_for_groups():
    units = [ChangeRow("1", "Tổ 1", 4, 2, 4, 2), ChangeRow("2", "Tổ 2", 3, 3, 2, 2)]
    total = units_total(units)
    assert (total.population, total.insured, total.previous_population, total.previous_insured) == (7, 5, 6, 4)
    # 5/7 = 71,43 % against 4/6 = 66,67 %: +4,76 points, not the mean of the two hamlets' changes.
    assert (total.coverage_pct, total.previous_pct, total.pct_change) == (
        Decimal("71.43"), Decimal("66.67"), Decimal("4.76"))
    groups = [ChangeRow("1", "Nhóm 1", 7, 2, 6, 1), ChangeRow("3", "Nhóm 3", 7, 3, 6, 3)]
    shared = shares_total(groups, 7, 6)
    assert (shared.population, shared.insured, shared.coverage_pct, shared.pct_change) == (
        7, 5, Decimal("71.43"), Decimal("4.76"))


def test_a_rate_without_population_has_no_change():
    row = ChangeRow("19742", "Đặc khu Cồn Cỏ", 0, 0, 0, 0)
    assert (row.coverage_pct, row.pct_change, row.insured_change) == (None, None, 0)


@pytest.fixture
def registry(engine, tmp_path, filled_once):
    filled_once("registry", lambda: build_registry(engine, tmp_path))
    return engine


def test_quarterly_report_of_the_province(registry, tmp_path):
    with analytics(registry) as con:
        report = periodic_report(con, Q2, "44", "commune", AS_OF, PREVIOUS)
    assert (report.population, report.previous_population) == (8, 7)
    assert len(report.units) == 78
    units = {row.code: (row.population, row.insured, row.previous_population, row.previous_insured)
             for row in report.units}
    assert units[DONG_HOI] == (7, 5, 6, 4) and units[DONG_SON] == (1, 1, 1, 1)
    assert [(row.code, row.insured, row.previous_insured) for row in report.groups] == [
        ("1", 1, 1), ("2", 0, 1), ("3", 2, 2), ("4", 2, 1), ("5", 1, 0)]
    # In the catalogue's priority order; HT only at the previous report, CN and GD only now.
    assert [(row.code, row.insured, row.previous_insured) for row in report.codes] == [
        ("DN", 1, 1), ("HT", 0, 1), ("TE", 1, 1), ("HN", 1, 1), ("CN", 1, 0), ("HS", 1, 1), ("GD", 1, 0)]

    path = tmp_path / "quy_2.xlsx"
    total = write_periodic(path, HEADER, report)
    assert (total.population, total.insured, total.coverage_pct, total.pct_change) == (8, 6, Decimal("75.00"),
                                                                                         Decimal("3.57"))
    rows = cells(path, "Theo đơn vị")
    assert rows[4][0] == "BÁO CÁO" and rows[5][0] == "TÌNH HÌNH THAM GIA BẢO HIỂM Y TẾ QUÝ II NĂM 2026"
    assert rows[6][0] == "(Biểu 1: theo đơn vị hành chính; số liệu đến ngày 30/06/2026, so với ngày 31/03/2026)"
    head = find_row(rows, "Xã, phường, đặc khu")
    assert rows[head][3:9:2] == ["Đến ngày 30/06/2026", "Kỳ trước (đến ngày 31/03/2026)",
                                 "Tăng (+), giảm (-) so với kỳ trước"]
    assert rows[head + 1][3:] == ["Số người tham gia", "Tỷ lệ bao phủ (%)", "Số người tham gia", "Tỷ lệ bao phủ (%)",
                                  "Số người", "Tỷ lệ (điểm %)"]
    assert ((head, 3), (head, 4)) in merged(path, "Theo đơn vị")
    assert ((head, 0), (head + 1, 0)) in merged(path, "Theo đơn vị")
    # Total: 6 of 8 (75,00 %) against 5 of 7 (71,43 %).
    assert rows[head + 2] == ["", "Tổng cộng", 8, 6, 75, 5, 71.43, 1, 3.57]
    dong_hoi = find_row(rows, "Phường Đồng Hới")
    assert rows[dong_hoi][2:] == [7, 5, 71.43, 4, 66.67, 1, 4.76]
    con_co = find_row(rows, "Đặc khu Cồn Cỏ")
    assert rows[con_co][2:] == [0, 0, "", 0, "", 0, ""]
    assert rows[head + 2 + 78 + 1][0] == ("Nguồn dân số: sổ đăng ký (người cư trú ngày 30/06/2026); "
                                          "số người tham gia: sổ đăng ký (thẻ còn giá trị ngày 30/06/2026).")
    assert number_format(path, 1, dong_hoi, 7) == COUNT_CHANGE_FORMAT
    assert number_format(path, 1, dong_hoi, 8) == PERCENT_CHANGE_FORMAT

    groups = cells(path, "Theo nhóm")
    head = find_row(groups, "Nhóm đối tượng")
    # Shares of 8 people now and 7 before: group 2 went from 1/7 = 14,29 % to 0.
    assert groups[head + 2] == ["", "Tổng cộng", 6, 75, 5, 71.43, 1, 3.57]
    assert groups[head + 3] == [1, "Nhóm do người lao động và người sử dụng lao động đóng", 1, 12.5, 1, 14.29, 0,
                                -1.79]
    assert groups[head + 4][2:] == [0, 0, 1, 14.29, -1, -14.29]
    assert groups[head + 7][2:] == [1, 12.5, 0, 0, 1, 12.5]
    assert groups[head + 9][0] == (
        "Tỷ lệ của mỗi nhóm, mỗi mã tính trên dân số của Quảng Trị: 8 người (kỳ trước 7 người).")

    codes = cells(path, "Theo mã đối tượng")
    head = find_row(codes, "Mã")
    assert codes[head + 2][3:] == [6, 75, 5, 71.43, 1, 3.57]
    assert codes[head + 3][:4] == [1, "DN", "Người lao động làm việc trong doanh nghiệp", 1]
    assert [codes[head + 3 + i][1] for i in range(7)] == ["DN", "HT", "TE", "HN", "CN", "HS", "GD"]


def test_monthly_report_of_a_commune_by_hamlet(registry, tmp_path):
    june = report_period("month", 2026, 6)
    with analytics(registry) as con:
        report = periodic_report(con, june, DONG_HOI, "hamlet", june.end, date(2026, 5, 31))
    # 31/05: P3's HT card has just ended that day, so still insured; P7 has arrived.
    assert [(row.name, row.population, row.insured, row.previous_population, row.previous_insured)
            for row in report.units] == [("Tổ 1", 4, 2, 4, 3), ("Tổ 2", 3, 3, 3, 3)]
    path = tmp_path / "thang_6.xlsx"
    write_periodic(path, HEADER, report)
    rows = cells(path, "Theo đơn vị")
    head = find_row(rows, "Thôn, tổ dân phố")
    # 5 of 7 (71,43 %) against 6 of 7 (85,71 %).
    assert rows[head + 2] == ["", "Tổng cộng", 7, 5, 71.43, 6, 85.71, -1, -14.28]


def test_unknown_unit(registry):
    with analytics(registry) as con, pytest.raises(UnknownUnit):
        periodic_report(con, Q2, "99999", "commune", AS_OF, PREVIOUS)


def test_official_figures_where_there_are_some_and_the_registry_elsewhere(registry, tmp_path):
    population = write_csv(tmp_path / "dan_so.csv", ["ma_don_vi", "nam", "dan_so", "nguon"],
                           [[DONG_HOI, "2026", "10", "Công an phường"]])
    aggregates = write_csv(tmp_path / "tong_hop.csv", ["ma_don_vi", "thang", "ma_doi_tuong", "so_nguoi_tham_gia"],
                           [[DONG_HOI, "2026-03", "DN", "4"], [DONG_HOI, "2026-06", "DN", "4"],
                            [DONG_HOI, "2026-06", "GD", "3"]])
    for kind, path in (("population", population), ("aggregates", aggregates)):
        result = import_file(registry, kind, path)
        assert result.ok, result.errors
    with analytics(registry) as con:
        report = periodic_report(con, Q2, "44", "commune", AS_OF, PREVIOUS, source="official")
    units = {row.code: row for row in report.units}
    # Đồng Hới: BHXH's 7 (then 4) of the official 10; Đồng Sơn has no figure: 1 of 1 in the registry.
    dong_hoi, dong_son = units[DONG_HOI], units[DONG_SON]
    assert (dong_hoi.population, dong_hoi.insured, dong_hoi.previous_insured, dong_hoi.pct_change) == (
        10, 7, 4, Decimal("30.00"))
    assert dong_hoi.provenance == Provenance("Công an phường", 2026, "aggregate")
    assert (dong_son.population, dong_son.insured, dong_son.provenance) == (1, 1, Provenance())
    total = units_total(report.units)
    # 8 of 11 (72,73 %) against 5 of 11 (45,45 %).
    assert (total.population, total.insured, total.previous_insured, total.pct_change) == (
        11, 8, 5, Decimal("27.28"))
    # The province has no official figure: its groups come from the registry.
    assert (report.population, [row.insured for row in report.groups]) == (8, [1, 0, 2, 2, 1])

    path = tmp_path / "quy_2.xlsx"
    write_periodic(path, HEADER, report)
    rows = cells(path, "Theo đơn vị")
    assert rows[find_row(rows, "Tổng cộng") + 79][0] == (
        "Nguồn dân số: sổ đăng ký (người cư trú ngày 30/06/2026) (77 đơn vị), Công an phường năm 2026 (1 đơn vị); "
        "số người tham gia: sổ đăng ký (thẻ còn giá trị ngày 30/06/2026) (77 đơn vị), "
        "báo cáo tổng hợp của cơ quan BHXH tháng 06/2026 (1 đơn vị).")
