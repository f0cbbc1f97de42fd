from datetime import date
from decimal import Decimal

import xlsxwriter

from bhyt.reports.official import (
    DocumentHeader,
    Styles,
    TableSpan,
    count_text,
    dated_place,
    format_date,
    header_split,
    percent_text,
    write_document,
)
from tests.reports.xlsx import cells, merged, page_setup

HEADER = DocumentHeader(
    issuer_lines=("ỦY BAN NHÂN DÂN", "XÃ QUẢNG NGỌC"),
    number_line="Số: 12/BC-UBND",
    place="Quảng Ngọc",
    date=date(2026, 2, 3),
    title="BÁO CÁO\nKẾT QUẢ THAM GIA BẢO HIỂM Y TẾ",
    subtitle="(Kèm theo Kế hoạch số 01/KH-UBND)",
    recipients=("- UBND tỉnh;", "- Lưu: VT."),
)


def test_place_and_date_take_leading_zeros_for_small_days_and_january_february():
    assert dated_place("Quảng Trị", date(2027, 1, 5)) == "Quảng Trị, ngày 05 tháng 01 năm 2027"
    assert dated_place("Tháp Mười", date(2024, 11, 20)) == "Tháp Mười, ngày 20 tháng 11 năm 2024"
    assert dated_place("Đồng Hới", date(2026, 3, 9)) == "Đồng Hới, ngày 09 tháng 3 năm 2026"
    assert format_date(date(2026, 6, 30)) == "30/06/2026"


def test_running_text_numbers_are_vietnamese():
    assert (count_text(1483326), count_text(5837, signed=True), count_text(-12, signed=True)) == (
        "1.483.326", "+5.837", "-12")
    assert (percent_text(Decimal("95.8")), percent_text(Decimal("-14.29"), signed=True),
            percent_text(Decimal("0.00"), signed=True)) == ("95,80", "-14,29", "+0,00")


def test_header_split_gives_the_issuer_two_fifths_unless_the_national_name_needs_room():
    # 6 + 30 + 5 x 15: two fifths is 48.6, reached after the third column (51).
    assert header_split([6, 30, 15, 15, 15, 15, 15]) == 3
    # 10 + 10 + 40 + 10: two fifths (28) would end after the third column, but the right block keeps
    # the 50 widths the national name needs, so it starts at the third.
    assert header_split([10, 10, 40, 10]) == 2
    # 10 + 10 + 40 + 5: not even 50 from the second column on; the issuer keeps the first column.
    assert header_split([10, 10, 40, 5]) == 1


def _write(tmp_path, widths, notes=()):
    path = tmp_path / "frame.xlsx"
    workbook = xlsxwriter.Workbook(str(path))
    styles = Styles(workbook)
    sheet = workbook.add_worksheet("Báo cáo")

    def table(first_row):
        for col in range(len(widths)):
            sheet.write_string(first_row, col, f"Cột {col + 1}", styles.head)
            sheet.write_number(first_row + 1, col, col * 1000, styles.count)
        return TableSpan(first_row, first_row, first_row + 1)

    span = write_document(sheet, styles, HEADER, widths, table, notes=notes)
    workbook.close()
    return path, span


def test_frame_around_a_table(tmp_path):
    path, span = _write(tmp_path, [6, 30, 15, 15, 15, 15, 15], notes=["Nguồn dân số: sổ đăng ký."])
    rows = cells(path, "Báo cáo")
    # Issuer and number on the left (columns A–C), nation, motto, place and date on the right (D–G).
    assert [rows[r][0] for r in range(3)] == ["ỦY BAN NHÂN DÂN", "XÃ QUẢNG NGỌC", "Số: 12/BC-UBND"]
    assert [rows[r][3] for r in range(3)] == [
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", "Quảng Ngọc, ngày 03 tháng 02 năm 2026"]
    # Each title line on its own row, then the subtitle, a blank row and the table.
    assert [rows[r][0] for r in (4, 5, 6)] == ["BÁO CÁO", "KẾT QUẢ THAM GIA BẢO HIỂM Y TẾ",
                                                "(Kèm theo Kế hoạch số 01/KH-UBND)"]
    assert span == TableSpan(8, 8, 9)
    assert rows[8][:2] == ["Cột 1", "Cột 2"] and rows[9][6] == 6000
    assert rows[10][0] == "Nguồn dân số: sổ đăng ký."
    # Recipients bottom left, signer bottom right, after one blank row.
    assert [rows[r][0] for r in (12, 13, 14)] == ["Nơi nhận:", "- UBND tỉnh;", "- Lưu: VT."]
    assert [rows[r][3] for r in (12, 13)] == ["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"]
    assert {((0, 0), (0, 2)), ((0, 3), (0, 6)), ((2, 0), (2, 2)), ((2, 3), (2, 6)), ((4, 0), (4, 6)),
            ((12, 0), (12, 2)), ((12, 3), (12, 6))} <= merged(path, "Báo cáo")
    assert page_setup(path, 1) == {"paperSize": "9", "fitToHeight": "0", "orientation": "landscape",
                                   "fitToPage": "1", "print_titles": "'Báo cáo'!$9:$9"}
