import unicodedata
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st
from vietnam_provinces import Province

from bhyt.domain.admin_units import provinces
from bhyt.domain.identifiers import (
    LEGACY_PROVINCE_CODES,
    LEGACY_PROVINCE_CODES_2DIGIT,
    LEGACY_PROVINCES,
    SEX_FEMALE,
    SEX_MALE,
    CardCode,
    InvalidCardCode,
    check_bhxh_number,
    check_card_code,
    check_personal_id,
    current_province_code,
    format_card_code,
    parse_card_code,
    parse_sex,
    personal_id_century_digit,
)
from bhyt.domain.participants import PARTICIPANT_CODES

# --- legacy provinces -------------------------------------------------------------------------


def test_63_legacy_provinces_map_onto_the_34_new_ones():
    assert len(LEGACY_PROVINCE_CODES) == 63
    assert all(len(code) == 3 and code.isdigit() for code in LEGACY_PROVINCE_CODES)
    new_codes = {p.new_province_code for p in LEGACY_PROVINCES.values()}
    assert new_codes == {f"{province.code.value:02d}" for province in Province.iter_all()}


@pytest.mark.parametrize(
    ("legacy", "name", "new"),
    [
        ("001", "Hà Nội", "01"),
        ("002", "Hà Giang", "08"),
        ("004", "Cao Bằng", "04"),
        ("030", "Hải Dương", "31"),
        ("044", "Quảng Bình", "44"),
        ("045", "Quảng Trị", "44"),
        ("082", "Tiền Giang", "82"),
        ("087", "Đồng Tháp", "82"),
        ("096", "Cà Mau", "96"),
    ],
)
def test_legacy_mapping_examples(legacy, name, new):
    assert LEGACY_PROVINCES[legacy].name == name
    assert current_province_code(legacy) == new
    assert current_province_code(legacy[1:]) == new


def test_every_surviving_code_maps_to_itself():
    for unit in provinces():
        assert current_province_code(unit.code) == unit.code


def test_current_province_code_unknown():
    with pytest.raises(ValueError) as error:
        current_province_code("03")
    assert str(error.value) == "Mã tỉnh '03' không có trong danh mục 63 tỉnh, thành phố trước 2025."


# --- sex --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "sex"),
    [
        ("Nam", SEX_MALE),
        ("NAM", SEX_MALE),
        (" nam ", SEX_MALE),
        ("1", SEX_MALE),
        ("Nữ", SEX_FEMALE),
        ("NỮ", SEX_FEMALE),
        (unicodedata.normalize("NFD", "Nữ"), SEX_FEMALE),
        (unicodedata.normalize("NFD", "NỮ"), SEX_FEMALE),
        ("nu", SEX_FEMALE),
        ("Nu", SEX_FEMALE),
        ("2", SEX_FEMALE),
    ],
)
def test_parse_sex(text, sex):
    assert parse_sex(text) == sex


@pytest.mark.parametrize("text", ["", "3", "male", "Nũ", "0"])
def test_parse_sex_refuses(text):
    with pytest.raises(ValueError) as error:
        parse_sex(text)
    assert str(error.value) == f"Giới tính '{text}' không hợp lệ; dùng 'Nam', 'Nữ', '1' hoặc '2'."


# --- personal ID ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("year", "sex", "digit"),
    [(1900, SEX_MALE, "0"), (1999, SEX_FEMALE, "1"), (2000, SEX_MALE, "2"), (2025, SEX_FEMALE, "3"),
     (2100, SEX_MALE, "4"), (2250, SEX_FEMALE, "7"), (2399, SEX_MALE, "8"), (2399, SEX_FEMALE, "9")],
)
def test_century_digit(year, sex, digit):
    assert personal_id_century_digit(year, sex) == digit


@pytest.mark.parametrize("year", [1899, 2400])
def test_century_digit_out_of_range(year):
    with pytest.raises(ValueError) as error:
        personal_id_century_digit(year, SEX_MALE)
    assert str(error.value) == (
        f"Năm sinh {year} nằm ngoài khoảng 1900–2399 mà số định danh cá nhân biểu diễn được."
    )


def test_sex_argument_must_be_1_or_2():
    with pytest.raises(ValueError, match=r"^Giới tính phải là 1 \(nam\) hoặc 2 \(nữ\), nhận được 3.$"):
        personal_id_century_digit(2000, 3)
    with pytest.raises(ValueError, match="^Giới tính phải là"):
        check_personal_id("001085012345", sex=0)


def test_valid_personal_ids():
    assert check_personal_id("001085012345") == []
    assert check_personal_id(" 001085012345 ", date(1985, 3, 1), SEX_MALE) == []
    assert check_personal_id("087303000001", date(2003, 1, 1), SEX_FEMALE) == []


@pytest.mark.parametrize(
    ("value", "length", "hint"),
    [("00108501234", 11, ""), ("0010850123456", 13, ""), ("00108501234a", 12, ", có ký tự không phải chữ số"),
     ("", 0, ""), ("００１085012345", 12, ", có ký tự không phải chữ số")],
)
def test_personal_id_shape(value, length, hint):
    assert check_personal_id(value) == [
        f"Số định danh cá nhân phải gồm đúng 12 chữ số (nhận được {length} ký tự{hint})."
    ]


def test_personal_id_province():
    assert check_personal_id("003085012345") == [
        "Ba chữ số đầu '003' không phải mã tỉnh nơi đăng ký khai sinh trong danh mục 63 tỉnh, thành phố "
        "(Thông tư 07/2016/TT-BCA)."
    ]


def test_personal_id_century_and_year():
    assert check_personal_id("001285012345", date(1985, 3, 1)) == [
        "Chữ số thứ 4 ('2') chỉ năm sinh trong khoảng 2000–2099, không khớp năm sinh 1985."
    ]
    assert check_personal_id("001086012345", date(1985, 3, 1)) == [
        "Chữ số thứ 5–6 ('86') phải là hai chữ số cuối của năm sinh 1985."
    ]


def test_personal_id_sex():
    assert check_personal_id("001185012345", sex=SEX_MALE) == [
        "Chữ số thứ 4 ('1') chỉ giới tính nữ, không khớp giới tính nam."
    ]
    assert check_personal_id("001085012345", sex=SEX_FEMALE) == [
        "Chữ số thứ 4 ('0') chỉ giới tính nam, không khớp giới tính nữ."
    ]


def test_personal_id_reports_every_problem():
    assert len(check_personal_id("099385012345", date(1986, 1, 1), SEX_MALE)) == 4


@given(
    birth=st.dates(date(1900, 1, 1), date(2399, 12, 31)),
    sex=st.sampled_from([SEX_MALE, SEX_FEMALE]),
    province=st.sampled_from(sorted(LEGACY_PROVINCE_CODES)),
    serial=st.integers(0, 999_999),
)
def test_built_ids_pass_with_their_sex_and_fail_with_the_other(birth, sex, province, serial):
    number = f"{province}{personal_id_century_digit(birth.year, sex)}{birth.year % 100:02d}{serial:06d}"
    assert check_personal_id(number, birth, sex) == []
    other = SEX_FEMALE if sex == SEX_MALE else SEX_MALE
    assert len(check_personal_id(number, birth, other)) == 1


# --- BHXH number ------------------------------------------------------------------------------


def test_bhxh_number():
    assert check_bhxh_number("0120878811") == []
    assert check_bhxh_number(" 7912345678 ") == []
    assert check_bhxh_number("012087881") == ["Mã số BHXH phải gồm đúng 10 chữ số (nhận được 9 ký tự)."]
    assert check_bhxh_number("01208788x1") == [
        "Mã số BHXH phải gồm đúng 10 chữ số (nhận được 10 ký tự, có ký tự không phải chữ số)."
    ]
    assert check_bhxh_number("0320878811") == [
        "Hai chữ số đầu của mã số BHXH ('03') không phải mã tỉnh trong danh mục 63 tỉnh, thành phố."
    ]


# --- card code --------------------------------------------------------------------------------


def test_parse_and_print_the_example():
    card = parse_card_code("hs 4 01 0120878811")
    assert card == CardCode("HS", 4, "01", "0120878811")
    assert str(card) == "HS4010120878811"
    assert card.pretty() == "HS 4 01 0120878811"
    assert parse_card_code("\tHS40 1012087 8811 ") == card


def test_format_card_code():
    assert format_card_code(" gd", 4, "87 ", "8712345678") == "GD4878712345678"


def test_card_code_length_and_leading_parts():
    with pytest.raises(InvalidCardCode) as error:
        parse_card_code("XY9000")
    assert isinstance(error.value, ValueError)
    assert error.value.problems == [
        "Mã thẻ BHYT phải có đúng 15 ký tự (nhận được 6).",
        "Mã đối tượng 'XY' (ký tự 1–2) không có trong danh mục mã đối tượng.",
        "Mức hưởng (ký tự 3) phải là một chữ số từ 1 đến 5 (nhận được '9').",
        "Mã tỉnh cấp thẻ '00' (ký tự 4–5) không phải mã tỉnh trong danh mục 63 tỉnh, thành phố.",
    ]
    assert str(error.value) == " ".join(error.value.problems)


def test_card_code_incomplete_parts_are_not_judged():
    assert check_card_code("HS40") == ["Mã thẻ BHYT phải có đúng 15 ký tự (nhận được 4)."]
    assert check_card_code("") == ["Mã thẻ BHYT phải có đúng 15 ký tự (nhận được 0)."]


def test_card_code_every_problem_at_full_length():
    assert check_card_code("ZZ60301208788AB") == [
        "Mã đối tượng 'ZZ' (ký tự 1–2) không có trong danh mục mã đối tượng.",
        "Mức hưởng (ký tự 3) phải là một chữ số từ 1 đến 5 (nhận được '6').",
        "Mã tỉnh cấp thẻ '03' (ký tự 4–5) không phải mã tỉnh trong danh mục 63 tỉnh, thành phố.",
        "Mã số BHXH phải gồm đúng 10 chữ số (nhận được 10 ký tự, có ký tự không phải chữ số).",
    ]


def test_card_code_bhxh_number_province():
    assert check_card_code("HS4010320878811") == [
        "Hai chữ số đầu của mã số BHXH ('03') không phải mã tỉnh trong danh mục 63 tỉnh, thành phố."
    ]


def test_card_code_construction_is_checked():
    with pytest.raises(InvalidCardCode) as error:
        format_card_code("HS", 0, "01", "0120878811")
    assert error.value.problems == ["Mức hưởng (ký tự 3) phải là một chữ số từ 1 đến 5 (nhận được '0')."]
    with pytest.raises(InvalidCardCode):
        CardCode("hs", 4, "01", "0120878811")
    with pytest.raises(TypeError, match="^benefit_level phải là số nguyên"):
        CardCode("HS", "4", "01", "0120878811")


card_parts = st.tuples(
    st.sampled_from(sorted(PARTICIPANT_CODES)),
    st.integers(1, 5),
    st.sampled_from(sorted(LEGACY_PROVINCE_CODES_2DIGIT)),
    st.tuples(st.sampled_from(sorted(LEGACY_PROVINCE_CODES_2DIGIT)), st.integers(0, 10**8 - 1)).map(
        lambda parts: f"{parts[0]}{parts[1]:08d}"
    ),
)


@given(card_parts, st.booleans())
def test_format_and_parse_round_trip(parts, lower):
    code = format_card_code(*parts)
    assert len(code) == 15
    typed = parse_card_code(code).pretty()
    card = parse_card_code(typed.lower() if lower else typed)
    assert (card.participant_code, card.benefit_level, card.province_code, card.bhxh_number) == parts
    assert format_card_code(*parts) == str(card) == code
    assert check_card_code(code) == []


@given(st.text(max_size=20))
def test_check_and_parse_agree(text):
    problems = check_card_code(text)
    if problems:
        with pytest.raises(InvalidCardCode) as error:
            parse_card_code(text)
        assert error.value.problems == problems
    else:
        assert str(parse_card_code(text)) == "".join(text.split()).upper()
