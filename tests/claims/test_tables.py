"""The QĐ 130 field definitions: the tables as the brief lists them, and text ↔ value both ways."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest

from bhyt.claims.tables import TABLES, XML1, XML2, FieldError, format_value, parse_value


def test_the_tables_have_the_brief_s_fields_in_order() -> None:
    assert [len(TABLES[name].fields) for name in TABLES] == [66, 39, 47, 12, 9]
    assert [field.name for field in XML2.fields][-6:] == ["NGAY_YL", "NGAY_TH_YL", "MA_PTTT", "NGUON_CTRA",
                                                          "VET_THUONG_TP", "DU_PHONG"]
    assert all(table.fields[0].name == "MA_LK" and table.fields[0].required for table in TABLES.values())


@pytest.mark.parametrize("table, name, value, text", [
    (XML1, "T_BHTT", Decimal("144000.5"), "144000.50"),
    (XML2, "SO_LUONG", Decimal("0.125"), "0.125"),
    (XML2, "MUC_HUONG", Decimal("32.50"), "32.5"),
    (XML2, "TYLE_TT_BH", Decimal("100"), "100"),
    (XML1, "NGAY_VAO", datetime(2026, 1, 5, 10, 30), "202601051030"),
    (XML1, "NAM_NAM_LIEN_TUC", date(2024, 2, 29), "20240229"),
    (XML1, "SO_CCCD", "001085000123", "001085000123"),
    (XML1, "MA_LOAI_KCB", "03", "03"),
    (XML1, "GIOI_TINH", 2, "2"),
    (XML1, "NGAY_SINH", "198500000000", "198500000000"),
    (XML1, "GHI_CHU", None, ""),
])
def test_format_then_parse_gives_the_value_back(table, name, value, text) -> None:
    field = table.by_name[name]
    assert format_value(field, value) == text
    assert parse_value(field, text) == value


def test_format_never_rounds_money() -> None:
    with pytest.raises(ValueError):
        format_value(XML1.by_name["T_BHTT"], Decimal("1.005"))


@pytest.mark.parametrize("table, name, text, reason", [
    (XML1, "SO_CCCD", "٠٧٩١٨٥", "Phải là dãy chữ số."),  # Arabic-Indic digits, which int() would read
    (XML1, "STT", "1.5", "Phải là số nguyên."),
    (XML1, "T_BHTT", "1e3", "Không phải số tiền (chỉ gồm chữ số và dấu chấm thập phân)."),
    (XML1, "T_BHTT", "12.345", "Có 3 chữ số thập phân; số tiền chỉ được 2."),
    (XML2, "DON_GIA", "1234567890123456", "Quá lớn: số lượng hoặc đơn giá có tối đa 15 chữ số phần nguyên."),
    (XML1, "NGAY_RA", "202601062400", "Không phải ngày giờ dạng yyyymmddHHMM có thật."),
    (XML1, "NAM_NAM_LIEN_TUC", "2024-01-01", "Dài 10 ký tự, vượt độ dài tối đa 8."),
    (XML1, "NGAY_SINH", "198500150000", "Ngày sinh không hợp lệ."),
    (XML1, "NGAY_SINH", "202302290000", "Ngày sinh không có thật."),
    (XML1, "HO_TEN", "   ", "Thiếu giá trị bắt buộc."),
])
def test_bad_text_gives_the_reason(table, name, text, reason) -> None:
    with pytest.raises(FieldError) as error:
        parse_value(table.by_name[name], text)
    assert str(error.value) == reason
