"""The Tháp Mười appendix (Kế hoạch 418/KH-UBND, 2024) rebuilt from its own figures."""

from datetime import date
from decimal import Decimal

from bhyt.reports.appendix import AppendixRow, appendix_total, write_appendix
from bhyt.reports.official import COUNT_FORMAT, PERCENT_FORMAT, DocumentHeader
from bhyt.reports.sources import Provenance
from tests.reports.xlsx import cells, find_row, merged, number_format, page_setup

STATISTICS = Provenance("Chi cục Thống kê huyện", 2023)
# unit, population end 2023, insured end 2023, target 2024, still to enrol, target rate (%)
THAP_MUOI = [
    ("Thị trấn Mỹ An", 19537, 17973, 18162, 189, "93"), ("Xã Thạnh Lợi", 4557, 4335, 4345, 10, "95.3"),
    ("Xã Hưng Thạnh", 8009, 7272, 7606, 334, "95"), ("Xã Trường Xuân", 9331, 9122, 9192, 70, "98.5"),
    ("Xã Tân Kiều", 9532, 9027, 9099, 72, "95.5"), ("Xã Mỹ Hòa", 9638, 9175, 9249, 74, "96"),
    ("Xã Mỹ Quí", 14909, 13817, 14166, 349, "95"), ("Xã Mỹ Đông", 7922, 7780, 7803, 23, "98.5"),
    ("Xã Đốc Binh Kiều", 11792, 11285, 11560, 275, "98"), ("Xã Mỹ An", 6981, 6677, 6736, 59, "96.5"),
    ("Xã Phú Điền", 12542, 12038, 12098, 60, "96.5"), ("Xã Láng Biển", 4375, 4178, 4200, 22, "96"),
    ("Xã Thanh Mỹ", 12844, 11421, 12207, 786, "95"),
]
ROWS = [AppendixRow(name, population, insured, target, still, Decimal(rate), STATISTICS)
        for name, population, insured, target, still, rate in THAP_MUOI]
HEADER = DocumentHeader(
    ("ỦY BAN NHÂN DÂN", "HUYỆN THÁP MƯỜI"), "Số: 418/KH-UBND", "Tháp Mười", date(2024, 1, 31),
    "Phụ lục\nCHỈ TIÊU PHÁT TRIỂN BẢO HIỂM Y TẾ NĂM 2024",
    "(Kèm theo Kế hoạch số 418/KH-UBND ngày 31 tháng 01 năm 2024 của Ủy ban nhân dân huyện)",
    ("TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"), ("- TT. HĐND huyện;", "- Lưu: VT, NC."),
)


def test_total_sums_the_units_and_takes_its_rate_from_the_sums():
    total = appendix_total(ROWS)
    # The plan's own district row says 125.366 and 1.266: the district's 95 % target, not the sum of
    # the communes' targets. Summed: 126.423 to reach, 2.323 still to enrol, 126.423 / 131.969 = 95,7975 %.
    assert (total.population, total.insured, total.target_count, total.still_to_enrol) == (131969, 124100, 126423, 2323)
    assert total.target_rate == Decimal("95.80")
    # An average of the thirteen rates would say 1.248,8 / 13 = 96,06.
    assert (sum(row.target_rate for row in ROWS) / 13).quantize(Decimal("0.01")) == Decimal("96.06")


def test_a_unit_without_target_leaves_the_total_target_empty(tmp_path):
    rows = [AppendixRow("Thôn 1", 200, 150, 190, 40, Decimal("95")), AppendixRow("Thôn 2", 100, 90, None, None, None)]
    total = appendix_total(rows)
    assert (total.population, total.insured, total.target_count, total.still_to_enrol, total.target_rate) == (
        300, 240, None, None, None)
    path = tmp_path / "phu_luc.xlsx"
    write_appendix(path, HEADER, rows, 2024, date(2023, 12, 31))
    sheet = cells(path, "Phụ lục")
    head = find_row(sheet, "Đơn vị")
    assert sheet[head + 1] == ["", "Tổng cộng", 300, 240, "", "", ""]
    assert sheet[head + 3] == [2, "Thôn 2", 100, 90, "", "", ""]
    assert sheet[head + 5][0] == ("1/2 đơn vị chưa có chỉ tiêu (hoặc chưa có dân số): "
                                  "dòng tổng cộng để trống các cột chỉ tiêu.")


def test_appendix_sheet(tmp_path):
    path = tmp_path / "phu_luc.xlsx"
    write_appendix(path, HEADER, ROWS, 2024, date(2023, 12, 31), unit_title="Xã, thị trấn")
    rows = cells(path, "Phụ lục")
    assert rows[4][0] == "Phụ lục"
    assert rows[5][0] == "CHỈ TIÊU PHÁT TRIỂN BẢO HIỂM Y TẾ NĂM 2024"
    assert rows[6][0].startswith("(Kèm theo Kế hoạch số 418/KH-UBND ngày 31 tháng 01 năm 2024")
    head = find_row(rows, "Xã, thị trấn")
    assert rows[head] == ["STT", "Xã, thị trấn", "Dân số cuối năm 2023", "Tham gia đến cuối năm 2023",
                          "Chỉ tiêu năm 2024 (số người)", "Phải vận động tham gia", "Tỷ lệ % so với dân số"]
    assert rows[head + 1] == ["", "Tổng cộng", 131969, 124100, 126423, 2323, 95.8]
    assert rows[head + 2] == [1, "Thị trấn Mỹ An", 19537, 17973, 18162, 189, 93]
    assert rows[head + 3] == [2, "Xã Thạnh Lợi", 4557, 4335, 4345, 10, 95.3]
    assert rows[head + 14] == [13, "Xã Thanh Mỹ", 12844, 11421, 12207, 786, 95]
    assert rows[head + 15][0] == ("Nguồn dân số: Chi cục Thống kê huyện năm 2023; "
                                  "số người tham gia: sổ đăng ký (thẻ còn giá trị ngày 31/12/2023).")
    # Numbers are numbers, shown Vietnamese style by their format.
    assert number_format(path, 1, head + 1, 2) == COUNT_FORMAT == "[$-42A]#,##0_-"
    assert number_format(path, 1, head + 2, 6) == PERCENT_FORMAT == "[$-42A]0.00_-"
    assert ((head + 15, 0), (head + 15, 6)) in merged(path, "Phụ lục")
    setup = page_setup(path, 1)
    assert (setup["orientation"], setup["print_titles"]) == ("portrait", f"'Phụ lục'!${head + 1}:${head + 1}")


def test_columns_name_the_count_date_when_it_is_not_the_end_of_last_year(tmp_path):
    path = tmp_path / "phu_luc.xlsx"
    mixed = [ROWS[0], AppendixRow("Xã Mới", 1000, 900, 950, 50, Decimal("95"), Provenance())]
    write_appendix(path, HEADER, mixed, 2024, date(2024, 6, 30))
    rows = cells(path, "Phụ lục")
    head = find_row(rows, "Đơn vị")
    assert rows[head][2:4] == ["Dân số ngày 30/06/2024", "Tham gia đến ngày 30/06/2024"]
    assert rows[head + 4][0] == (
        "Nguồn dân số: Chi cục Thống kê huyện năm 2023 (1 đơn vị), sổ đăng ký (người cư trú ngày 30/06/2024) "
        "(1 đơn vị); số người tham gia: sổ đăng ký (thẻ còn giá trị ngày 30/06/2024).")
