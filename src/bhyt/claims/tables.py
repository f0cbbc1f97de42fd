"""The QĐ 130 claim tables (XML1–XML5) as data: every field's name, kind, maximum length and whether
it is required, and the one way a field's text becomes a value and a value becomes text.

Transcribed from the domain brief §4.4–4.5 (QĐ 130/QĐ-BYT as amended by 4750 and 3176). The parser,
the lake's schema and the synthetic claims generator all read these definitions, so a field changes
in one place only.

Lengths are counted in characters of the XML text, as the decision counts them. Where the brief
marks a size UNCERTAIN (garbled in the OCR of the decision; the XSD on the BHXH portal decides), the
field has no maximum here and `note` says so: rejecting a real claim on a guessed size is worse than
accepting a long value.

"Required" is this project's choice, not the decision's (the brief does not carry the decision's
mandatory flags): the fields without which a claim cannot be keyed, placed in the lake or assessed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Callable
from functools import cached_property


class Kind(str, Enum):
    STRING = "string"
    # A numeric code ("Số" in the decision) kept as text: leading zeros matter (SO_CCCD, MA_NGHE_NGHIEP).
    DIGITS = "digits"
    INTEGER = "integer"
    MONEY = "money"  # decimal, 2 places (brief §4.4 format rules)
    QUANTITY = "quantity"  # decimal, 3 places: quantities and unit prices
    PERCENT = "percent"  # decimal percentage (TYLE_TT_*, MUC_HUONG: "4 characters" from 01/07/2026)
    DATETIME = "datetime"  # yyyymmddHHMM
    DATE = "date"  # yyyymmdd
    # yyyymmddHHMM where an unknown month, day, hour or minute is written 00 (NGAY_SINH only).
    PARTIAL_DATETIME = "partial_datetime"


# Decimal places each decimal kind keeps; a value with more places is an error, never rounded.
SCALES = {Kind.MONEY: 2, Kind.QUANTITY: 3, Kind.PERCENT: 2}
# Total digits each decimal kind holds (the lake's DECIMAL(p, s)); room for every size in the brief.
PRECISIONS = {Kind.MONEY: 18, Kind.QUANTITY: 18, Kind.PERCENT: 9}

DATETIME_FORMAT = "%Y%m%d%H%M"
DATE_FORMAT = "%Y%m%d"


@dataclass(frozen=True)
class Field:
    name: str
    kind: Kind
    max_length: int | None = None  # None: not limited by the decision, or UNCERTAIN (see note)
    required: bool = False
    note: str = ""


@dataclass(frozen=True)
class Table:
    """One inner file of a GIAMDINHHS envelope (LOAIHOSO) and the tags its records sit in."""

    name: str  # LOAIHOSO: "XML1" … "XML5"
    title: str  # Vietnamese, for people
    root_tag: str
    record_tag: str  # XML1's root is its single record
    fields: tuple[Field, ...]

    @property
    def single_record(self) -> bool:
        return self.root_tag == self.record_tag

    @cached_property
    def by_name(self) -> dict[str, Field]:
        return {field.name: field for field in self.fields}

    @cached_property
    def parsers(self) -> dict[str, Callable[[str | None], object]]:
        return {field.name: value_parser(field) for field in self.fields}

    @cached_property
    def required(self) -> tuple[Field, ...]:
        return tuple(field for field in self.fields if field.required)


S, D, I, M, Q, P = Kind.STRING, Kind.DIGITS, Kind.INTEGER, Kind.MONEY, Kind.QUANTITY, Kind.PERCENT
DT, DA = Kind.DATETIME, Kind.DATE
UNCERTAIN_SIZE = "UNCERTAIN: the size is garbled in the OCR of QĐ 130; the portal's XSD decides."


def _f(name: str, kind: Kind, max_length: int | None = None, required: bool = False, note: str = "") -> Field:
    return Field(name, kind, max_length, required, note)


XML1 = Table("XML1", "Bảng 1: chỉ tiêu tổng hợp", "TONG_HOP", "TONG_HOP", (
    _f("MA_LK", S, 100, True, "Unique episode key; links every table"),
    _f("STT", I, 10),
    _f("MA_BN", S, 100),
    _f("HO_TEN", S, 255, True),
    _f("SO_CCCD", D, 15),
    _f("NGAY_SINH", Kind.PARTIAL_DATETIME, 12, True),
    _f("GIOI_TINH", I, 1, True, "1 male, 2 female, 3 undetermined"),
    _f("NHOM_MAU", S, 5, note="Added by 4750 or 3176 (sources disagree which)"),
    _f("MA_QUOCTICH", D, 3),
    _f("MA_DANTOC", D, 2),
    _f("MA_NGHE_NGHIEP", D, 5, note="00000 = none"),
    _f("DIA_CHI", S, 1024),
    _f("MATINH_CU_TRU", S, 3),
    _f("MAHUYEN_CU_TRU", S, 3, note="No district level after 01/07/2025; the new rule was not found"),
    _f("MAXA_CU_TRU", S, 5),
    _f("DIEN_THOAI", D, 15),
    _f("MA_THE_BHYT", S, note="15 characters per card, ';'-separated"),
    _f("MA_DKBD", S, note="5 characters per card, ';'-separated"),
    _f("GT_THE_TU", S, note="yyyymmdd per card, ';'-separated"),
    _f("GT_THE_DEN", S, note="yyyymmdd per card, ';'-separated"),
    _f("NGAY_MIEN_CCT", S, 12, note="Date co-payment exemption starts; its exact format is not in the brief"),
    _f("LY_DO_VV", S),
    _f("LY_DO_VNT", S),
    _f("MA_LY_DO_VNT", S, 5),
    _f("CHAN_DOAN_VAO", S),
    _f("CHAN_DOAN_RV", S),
    _f("MA_BENH_CHINH", S, 7),
    _f("MA_BENH_KT", S, 100, note="Up to 12 ICD codes, ';'-separated"),
    _f("MA_BENH_YHCT", S, 255),
    _f("MA_PTTT_QT", S, 125),
    _f("MA_DOITUONG_KCB", S, 4, note="3 in QĐ 130, 4 in 4750; e.g. '1.11' — must stay a string"),
    _f("MA_NOI_DI", S, 5),
    _f("MA_NOI_DEN", S, 5),
    _f("MA_TAI_NAN", I, 1),
    _f("NGAY_VAO", DT, 12, True),
    _f("NGAY_VAO_NOI_TRU", DT, 12),
    _f("NGAY_RA", DT, 12, True),
    _f("GIAY_CHUYEN_TUYEN", S, 50),
    _f("SO_NGAY_DTRI", I, 3),
    _f("PP_DIEU_TRI", S),
    _f("KET_QUA_DTRI", I, 1, note="5 = died"),
    _f("MA_LOAI_RV", I, 1),
    _f("GHI_CHU", S),
    _f("NGAY_TTOAN", DT, 12, note="Empty until paid; then the claim is re-sent"),
    _f("T_THUOC", M, 15),
    _f("T_VTYT", M, 15),
    _f("T_TONGCHI_BV", M, 15),
    _f("T_TONGCHI_BH", M, 15),
    _f("T_BNTT", M, 15),
    _f("T_BNCCT", M, 15),
    _f("T_BHTT", M, 15),
    _f("T_NGUONKHAC", M, 15),
    _f("T_BHTT_GDV", M, 15),
    _f("NAM_QT", I, 4),
    _f("THANG_QT", I, 2),
    _f("MA_LOAI_KCB", S, 2, True, "A number in QĐ 130, a string ('01') in 4750"),
    _f("MA_KHOA", S, 50),
    _f("MA_CSKCB", S, 5, True),
    _f("MA_KHUVUC", S, 2),
    _f("CAN_NANG", S, 6, note="kg with 2 decimals"),
    _f("CAN_NANG_CON", S, 100),
    _f("NAM_NAM_LIEN_TUC", DA, 8),
    _f("NGAY_TAI_KHAM", S, 50, note="yyyymmdd, ';'-separated"),
    _f("MA_HSBA", S, 100),
    _f("MA_TTDV", S, 10),
    _f("DU_PHONG", S),
))

# Money columns every cost line of XML2 and XML3 shares: the split of its cost between payers.
_OTHER_SOURCES = tuple(_f(name, M, 15) for name in (
    "T_NGUONKHAC_NSNN", "T_NGUONKHAC_VTNN", "T_NGUONKHAC_VTTN", "T_NGUONKHAC_CL", "T_NGUONKHAC"))
_MUC_HUONG = _f("MUC_HUONG", P, 4, note="3 characters before 01/07/2026, 4 from then (QĐ 1931)")

XML2 = Table("XML2", "Bảng 2: chỉ tiêu chi tiết thuốc", "CHITIEU_CHITIET_THUOC", "CHI_TIET_THUOC", (
    _f("MA_LK", S, 100, True),
    _f("STT", I, 10, True),
    _f("MA_THUOC", S, 255, True),
    _f("MA_PP_CHEBIEN", S),
    _f("MA_CSKCB_THUOC", S, 10, note="5 in QĐ 130, 10 in the DH notes (prefixes such as HC.XXXXX)"),
    _f("MA_NHOM", I, 2),
    _f("TEN_THUOC", S),
    _f("DON_VI_TINH", S, 50),
    _f("HAM_LUONG", S, 1024),
    _f("DUONG_DUNG", S, 4),
    _f("DANG_BAO_CHE", S),
    _f("LIEU_DUNG", S, 1024),
    _f("CACH_DUNG", S),
    _f("SO_DANG_KY", S, note=UNCERTAIN_SIZE + " Probably 255."),
    _f("TT_THAU", S, note=UNCERTAIN_SIZE),
    _f("PHAM_VI", I, 1),
    _f("TYLE_TT_BH", P, 3),
    _f("SO_LUONG", Q, 10, True),
    _f("DON_GIA", Q, note=UNCERTAIN_SIZE),
    _f("THANH_TIEN_BV", M, 15, True),
    _f("THANH_TIEN_BH", M, 15),
    *_OTHER_SOURCES,
    _MUC_HUONG,
    _f("T_BNTT", M, 15),
    _f("T_BNCCT", M, 15),
    _f("T_BHTT", M, 15),
    _f("MA_KHOA", S, 50),
    _f("MA_BAC_SI", S, 255),
    _f("MA_DICH_VU", S, 50),
    _f("NGAY_YL", DT, 12, True),
    _f("NGAY_TH_YL", DT, 12),
    _f("MA_PTTT", I, 1),
    _f("NGUON_CTRA", I, 1),
    _f("VET_THUONG_TP", I, 1),
    _f("DU_PHONG", S),
))

XML3 = Table("XML3", "Bảng 3: chỉ tiêu chi tiết dịch vụ kỹ thuật và vật tư y tế", "CHITIEU_CHITIET_DVKT_VTYT",
             "CHI_TIET_DVKT", (
    _f("MA_LK", S, 100, True),
    _f("STT", I, 10, True),
    _f("MA_DICH_VU", S, 50),
    _f("MA_PTTT_QT", S, 125),
    _f("MA_VAT_TU", S, note=UNCERTAIN_SIZE),
    _f("MA_NHOM", I, 2),
    _f("GOI_VTYT", S, 3),
    _f("TEN_VAT_TU", S),
    _f("TEN_DICH_VU", S),
    _f("MA_XANG_DAU", S, 20),
    _f("DON_VI_TINH", S, 50),
    _f("PHAM_VI", I, 1),
    _f("SO_LUONG", Q, 10, True),
    _f("DON_GIA_BV", Q, 15, True),
    _f("DON_GIA_BH", Q, 15),
    _f("TT_THAU", S, note=UNCERTAIN_SIZE),
    _f("TYLE_TT_DV", P, note=UNCERTAIN_SIZE),
    _f("TYLE_TT_BH", P, 3),
    _f("THANH_TIEN_BV", M, 15, True),
    _f("THANH_TIEN_BH", M, 15),
    _f("T_TRANTT", M, 15),
    _MUC_HUONG,
    *_OTHER_SOURCES,
    _f("T_BNTT", M, 15),
    _f("T_BNCCT", M, 15),
    _f("T_BHTT", M, 15),
    _f("MA_KHOA", S, 50),
    _f("MA_GIUONG", S, note="5 per bed in the brief, ';'-separated when the patient moved"),
    _f("MA_BAC_SI", S, 255),
    _f("NGUOI_THUC_HIEN", S, 255),
    _f("MA_BENH", S, 100),
    _f("MA_BENH_YHCT", S, 255),
    _f("NGAY_YL", DT, 12, True),
    _f("NGAY_TH_YL", DT, 12),
    _f("NGAY_KQ", DT, 12),
    _f("MA_PTTT", I, 1),
    _f("VET_THUONG_TP", I, 1),
    _f("PP_VO_CAM", I, 1),
    _f("VI_TRI_TH_DVKT", S),
    _f("MA_MAY", S, 1024),
    _f("MA_HIEU_SP", S),
    _f("TAI_SU_DUNG", I, 1),
    _f("DU_PHONG", S),
))

XML4 = Table("XML4", "Bảng 4: chỉ tiêu chi tiết dịch vụ cận lâm sàng", "CHITIEU_CHITIET_DICHVUCANLAMSANG",
             "CHI_TIET_CLS", (
    _f("MA_LK", S, 100, True),
    _f("STT", I, 10),
    _f("MA_DICH_VU", S, 15),
    _f("MA_CHI_SO", S, 50),
    _f("TEN_CHI_SO", S, 255),
    _f("GIA_TRI", S, 50),
    _f("DON_VI_DO", S, 50),
    _f("MO_TA", S),
    _f("KET_LUAN", S),
    _f("NGAY_KQ", DT, 12),
    _f("MA_BS_DOC_KQ", S, 255),
    _f("DU_PHONG", S),
))

XML5 = Table("XML5", "Bảng 5: chỉ tiêu chi tiết diễn biến lâm sàng", "CHITIEU_CHITIET_DIENBIENLAMSANG",
             "CHI_TIET_DIEN_BIEN_BENH", (
    _f("MA_LK", S, 100, True),
    _f("STT", I, 10),
    _f("DIEN_BIEN_LS", S),
    _f("GIAI_DOAN_BENH", S),
    _f("HOI_CHAN", S),
    _f("PHAU_THUAT", S),
    _f("THOI_DIEM_DBLS", DT, 12),
    _f("NGUOI_THUC_HIEN", S, 255),
    _f("DU_PHONG", S),
))

TABLES: dict[str, Table] = {table.name: table for table in (XML1, XML2, XML3, XML4, XML5)}
# Which table a bare file is, by its root tag.
TABLE_BY_ROOT: dict[str, Table] = {table.root_tag: table for table in TABLES.values()}


class FieldError(ValueError):
    """A field's text that is not a value of its kind; the message is the Vietnamese reason."""


# ASCII digits only: Python's \d and str.isdigit() also take other scripts' digits, which int() reads.
_DECIMAL_TEXT = re.compile(r"-?[0-9]+(\.[0-9]+)?")
_INTEGER_TEXT = re.compile(r"-?[0-9]+")
_DIGITS_TEXT = re.compile(r"[0-9]+")
_KIND_WORDS = {
    Kind.MONEY: "số tiền",
    Kind.QUANTITY: "số lượng hoặc đơn giá",
    Kind.PERCENT: "tỷ lệ phần trăm",
}


def parse_value(field: Field, text: str | None) -> object:
    """The value of a field's text: None for empty, else str, int, Decimal, datetime or date.

    Raises FieldError with the reason in Vietnamese when the text is not of the field's kind.
    """
    return value_parser(field)(text)


def value_parser(field: Field) -> Callable[[str | None], object]:
    """parse_value for one field, with the field's checks bound once (the parser calls it per value)."""
    kind_parser, max_length, required = _PARSERS[field.kind], field.max_length, field.required

    def parse(text: str | None) -> object:
        if text is not None:
            text = text.strip()
        if not text:
            if required:
                raise FieldError("Thiếu giá trị bắt buộc.")
            return None
        if max_length is not None and len(text) > max_length:
            raise FieldError(f"Dài {len(text)} ký tự, vượt độ dài tối đa {max_length}.")
        return kind_parser(text)

    return parse


def _parse_string(text: str) -> str:
    return text


def _parse_digits(text: str) -> str:
    if not _DIGITS_TEXT.fullmatch(text):
        raise FieldError("Phải là dãy chữ số.")
    return text


def _parse_integer(text: str) -> int:
    if not _INTEGER_TEXT.fullmatch(text):
        raise FieldError("Phải là số nguyên.")
    return int(text)


def _decimal_parser(kind: Kind):
    word, scale, whole_digits = _KIND_WORDS[kind], SCALES[kind], PRECISIONS[kind] - SCALES[kind]

    def parse(text: str) -> Decimal:
        # Decimal() alone would take "1e3", "NaN" and "1,5"; the decision allows digits and "." only.
        if not _DECIMAL_TEXT.fullmatch(text):
            raise FieldError(f"Không phải {word} (chỉ gồm chữ số và dấu chấm thập phân).")
        whole, _point, fraction = text.lstrip("-").partition(".")
        if len(fraction) > scale:
            raise FieldError(f"Có {len(fraction)} chữ số thập phân; {word} chỉ được {scale}.")
        if len(whole.lstrip("0")) > whole_digits:
            raise FieldError(f"Quá lớn: {word} có tối đa {whole_digits} chữ số phần nguyên.")
        return Decimal(text)

    return parse


def _parse_datetime(text: str) -> datetime:
    if len(text) != 12 or not _DIGITS_TEXT.fullmatch(text):
        raise FieldError("Phải là ngày giờ dạng yyyymmddHHMM.")
    try:
        return datetime(int(text[:4]), int(text[4:6]), int(text[6:8]), int(text[8:10]), int(text[10:]))
    except ValueError:
        raise FieldError("Không phải ngày giờ dạng yyyymmddHHMM có thật.") from None


def _parse_date(text: str) -> date:
    if len(text) != 8 or not _DIGITS_TEXT.fullmatch(text):
        raise FieldError("Phải là ngày dạng yyyymmdd.")
    try:
        return date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError:
        raise FieldError("Không phải ngày dạng yyyymmdd có thật.") from None


def _parse_partial_datetime(text: str) -> str:
    """Kept as text: an unknown month or day (00) has no datetime. Checked digit by digit."""
    if len(text) not in (8, 12) or not _DIGITS_TEXT.fullmatch(text):
        raise FieldError("Phải là ngày sinh dạng yyyymmddHHMM (tháng, ngày, giờ, phút chưa rõ ghi 00).")
    year, month, day = int(text[:4]), int(text[4:6]), int(text[6:8])
    if year < 1850 or month > 12 or day > 31 or (month == 0 and day != 0):
        raise FieldError("Ngày sinh không hợp lệ.")
    if month and day:
        try:
            date(year, month, day)
        except ValueError:
            raise FieldError("Ngày sinh không có thật.") from None
    if len(text) == 12 and (int(text[8:10]) > 23 or int(text[10:]) > 59):
        raise FieldError("Giờ sinh không hợp lệ.")
    return text


_PARSERS = {
    Kind.STRING: _parse_string,
    Kind.DIGITS: _parse_digits,
    Kind.INTEGER: _parse_integer,
    **{kind: _decimal_parser(kind) for kind in SCALES},
    Kind.DATETIME: _parse_datetime,
    Kind.DATE: _parse_date,
    Kind.PARTIAL_DATETIME: _parse_partial_datetime,
}


def format_value(field: Field, value: object) -> str:
    """The XML text of a value: the inverse of parse_value (None becomes the empty string)."""
    if value is None:
        return ""
    if field.kind is Kind.DATETIME:
        return value.strftime(DATETIME_FORMAT)  # type: ignore[attr-defined]
    if field.kind is Kind.DATE:
        return value.strftime(DATE_FORMAT)  # type: ignore[attr-defined]
    if field.kind in SCALES:
        return _format_decimal(Decimal(value), SCALES[field.kind], field.kind)  # type: ignore[arg-type]
    return str(value)


def _format_decimal(value: Decimal, places: int, kind: Kind) -> str:
    """Plain notation ("1500.50", never "1.5005E+3"), never rounded: money with its 2 places and
    quantities with their 3, as the decision writes them; percentages as short as they go ("80",
    "32.5"), since MUC_HUONG has 4 characters in all."""
    exact = value.quantize(Decimal(1).scaleb(-places))
    if exact != value:
        raise ValueError(f"{value} has more than {places} decimal places")
    if kind is Kind.PERCENT:
        exact = exact.normalize()
    return format(exact, "f")
