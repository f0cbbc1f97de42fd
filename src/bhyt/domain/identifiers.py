"""Identifiers: sex codes, the 12-digit personal ID, the 10-digit BHXH number, the 15-character card code.

Personal IDs, BHXH numbers and card codes all number provinces the pre-2025 way (63 provinces);
``data/legacy_provinces.csv`` maps each to the 2025 province it was merged into.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from types import MappingProxyType

from bhyt.domain.legal_data import read_table
from bhyt.domain.participants import BENEFIT_RATES, PARTICIPANT_CODES

SEX_MALE = 1
SEX_FEMALE = 2

_SEX_WORDS = {"nam": SEX_MALE, "1": SEX_MALE, "nữ": SEX_FEMALE, "nu": SEX_FEMALE, "2": SEX_FEMALE}


@dataclass(frozen=True)
class LegacyProvince:
    code: str
    name: str
    new_province_code: str


LEGACY_PROVINCES: Mapping[str, LegacyProvince] = MappingProxyType(
    {
        row["code"]: LegacyProvince(row["code"], row["name"], row["new_province_code"])
        for row in read_table("legacy_provinces")
    }
)
# Three digits as in personal IDs (001 … 096).
LEGACY_PROVINCE_CODES: frozenset[str] = frozenset(LEGACY_PROVINCES)
# Two digits as in card codes and BHXH numbers (01 … 96).
LEGACY_PROVINCE_CODES_2DIGIT: frozenset[str] = frozenset(code[1:] for code in LEGACY_PROVINCE_CODES)

# Thông tư 07/2016/TT-BCA Điều 7 (sửa đổi bởi Thông tư 59/2021/TT-BCA): the 4th digit encodes the
# century of birth from the 1900s to the 2300s, even for men and odd for women.
_FIRST_CENTURY_YEAR = 1900
_LAST_ENCODABLE_YEAR = 2399


def current_province_code(legacy_code: str) -> str:
    """The 2-digit 2025 province a pre-2025 province (2 or 3 digits) was merged into."""
    key = legacy_code.strip().zfill(3)
    if key not in LEGACY_PROVINCES:
        raise ValueError(
            f"Mã tỉnh '{legacy_code.strip()}' không có trong danh mục 63 tỉnh, thành phố trước 2025."
        )
    return LEGACY_PROVINCES[key].new_province_code


def parse_sex(value: str) -> int:
    """SEX_MALE or SEX_FEMALE from "Nam"/"Nữ"/"nu"/"1"/"2"; "3" (undetermined, XML1) is refused."""
    key = unicodedata.normalize("NFC", value).strip().casefold()
    try:
        return _SEX_WORDS[key]
    except KeyError:
        raise ValueError(
            f"Giới tính '{value.strip()}' không hợp lệ; dùng 'Nam', 'Nữ', '1' hoặc '2'."
        ) from None


def personal_id_century_digit(birth_year: int, sex: int) -> str:
    """The 4th digit of a personal ID for someone born in ``birth_year``."""
    _require_sex(sex)
    if not _FIRST_CENTURY_YEAR <= birth_year <= _LAST_ENCODABLE_YEAR:
        raise ValueError(
            f"Năm sinh {birth_year} nằm ngoài khoảng {_FIRST_CENTURY_YEAR}–{_LAST_ENCODABLE_YEAR} "
            "mà số định danh cá nhân biểu diễn được."
        )
    century = (birth_year - _FIRST_CENTURY_YEAR) // 100
    return str(2 * century + (0 if sex == SEX_MALE else 1))


def check_personal_id(value: str, birth_date: date | None = None, sex: int | None = None) -> list[str]:
    """Problems with a 12-digit personal ID (số định danh cá nhân / CCCD); empty when valid.

    Messages never repeat the whole number, since they end up in logs and import reports.
    """
    if sex is not None:
        _require_sex(sex)
    number = value.strip()
    if len(number) != 12 or _has_non_digit(number):
        return [f"Số định danh cá nhân phải gồm đúng 12 chữ số ({_received(number)})."]
    problems = []
    # Births registered abroad carry a country code here; only the 63 provinces are accepted, so such
    # IDs are flagged for a person to look at. Post-2025 province codes are a subset of these.
    if number[:3] not in LEGACY_PROVINCE_CODES:
        problems.append(
            f"Ba chữ số đầu '{number[:3]}' không phải mã tỉnh nơi đăng ký khai sinh "
            "trong danh mục 63 tỉnh, thành phố (Thông tư 07/2016/TT-BCA)."
        )
    century_digit = int(number[3])
    century_start = _FIRST_CENTURY_YEAR + 100 * (century_digit // 2)
    if birth_date is not None:
        if not century_start <= birth_date.year < century_start + 100:
            problems.append(
                f"Chữ số thứ 4 ('{number[3]}') chỉ năm sinh trong khoảng "
                f"{century_start}–{century_start + 99}, không khớp năm sinh {birth_date.year}."
            )
        if number[4:6] != f"{birth_date.year % 100:02d}":
            problems.append(
                f"Chữ số thứ 5–6 ('{number[4:6]}') phải là hai chữ số cuối của năm sinh {birth_date.year}."
            )
    if sex is not None:
        encoded = SEX_MALE if century_digit % 2 == 0 else SEX_FEMALE
        if encoded != sex:
            problems.append(
                f"Chữ số thứ 4 ('{number[3]}') chỉ giới tính {_sex_name(encoded)}, "
                f"không khớp giới tính {_sex_name(sex)}."
            )
    return problems


def check_bhxh_number(value: str) -> list[str]:
    """Problems with a 10-digit BHXH number (first 2 digits = province where it was issued)."""
    number = value.strip()
    if len(number) != 10 or _has_non_digit(number):
        return [f"Mã số BHXH phải gồm đúng 10 chữ số ({_received(number)})."]
    if number[:2] not in LEGACY_PROVINCE_CODES_2DIGIT:
        return [
            f"Hai chữ số đầu của mã số BHXH ('{number[:2]}') không phải mã tỉnh "
            "trong danh mục 63 tỉnh, thành phố."
        ]
    return []


class InvalidCardCode(ValueError):
    def __init__(self, problems: list[str]) -> None:
        super().__init__(" ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class CardCode:
    """The 15-character card code of QĐ 1351/QĐ-BHXH: ``XX N PP SSSSSSSSSS``.

    Still used in claims data (MA_THE_BHYT) and the BHXH lookup API although new cards print only
    the BHXH number. Constructing one checks it, so a CardCode is always valid.
    """

    participant_code: str
    benefit_level: int
    province_code: str
    bhxh_number: str

    def __post_init__(self) -> None:
        if type(self.benefit_level) is not int:
            raise TypeError(f"benefit_level phải là số nguyên, nhận được {self.benefit_level!r}.")
        problems = _card_problems(
            self.participant_code, str(self.benefit_level), self.province_code, self.bhxh_number
        )
        if problems:
            raise InvalidCardCode(problems)

    def __str__(self) -> str:
        return f"{self.participant_code}{self.benefit_level}{self.province_code}{self.bhxh_number}"

    def pretty(self) -> str:
        return f"{self.participant_code} {self.benefit_level} {self.province_code} {self.bhxh_number}"


def parse_card_code(value: str) -> CardCode:
    """Read a card code as typed: spaces anywhere and lower case are tolerated."""
    code = _normalise_card_code(value)
    problems = _problems_of_compact(code)
    if problems:
        raise InvalidCardCode(problems)
    return CardCode(code[:2], int(code[2]), code[3:5], code[5:])


def check_card_code(value: str) -> list[str]:
    return _problems_of_compact(_normalise_card_code(value))


def format_card_code(participant_code: str, benefit_level: int, province_code: str, bhxh_number: str) -> str:
    """The compact 15-character code; raises InvalidCardCode when a part is wrong."""
    return str(
        CardCode(participant_code.strip().upper(), benefit_level, province_code.strip(), bhxh_number.strip())
    )


def _normalise_card_code(value: str) -> str:
    return "".join(value.split()).upper()


def _problems_of_compact(code: str) -> list[str]:
    problems = []
    if len(code) != 15:
        problems.append(f"Mã thẻ BHYT phải có đúng 15 ký tự (nhận được {len(code)}).")
    # With a wrong length the BHXH part cannot be located; only complete leading parts are judged.
    return problems + _card_problems(
        code[:2] if len(code) >= 2 else None,
        code[2] if len(code) >= 3 else None,
        code[3:5] if len(code) >= 5 else None,
        code[5:] if len(code) == 15 else None,
    )


def _card_problems(
    participant_code: str | None,
    benefit_level: str | None,
    province_code: str | None,
    bhxh_number: str | None,
) -> list[str]:
    """Problems of each card part; None means the part is missing and already reported."""
    problems = []
    if participant_code is not None and participant_code not in PARTICIPANT_CODES:
        problems.append(
            f"Mã đối tượng '{participant_code}' (ký tự 1–2) không có trong danh mục mã đối tượng."
        )
    if benefit_level is not None and benefit_level not in {str(level) for level in BENEFIT_RATES}:
        problems.append(
            f"Mức hưởng (ký tự 3) phải là một chữ số từ 1 đến 5 (nhận được '{benefit_level}')."
        )
    if province_code is not None and province_code not in LEGACY_PROVINCE_CODES_2DIGIT:
        problems.append(
            f"Mã tỉnh cấp thẻ '{province_code}' (ký tự 4–5) không phải mã tỉnh "
            "trong danh mục 63 tỉnh, thành phố."
        )
    if bhxh_number is not None:
        problems.extend(check_bhxh_number(bhxh_number))
    return problems


def _require_sex(sex: int) -> None:
    if sex not in (SEX_MALE, SEX_FEMALE):
        raise ValueError(f"Giới tính phải là {SEX_MALE} (nam) hoặc {SEX_FEMALE} (nữ), nhận được {sex!r}.")


def _sex_name(sex: int) -> str:
    return "nam" if sex == SEX_MALE else "nữ"


def _has_non_digit(text: str) -> bool:
    # Not str.isdigit(): it also accepts full-width and superscript digits, which no ID contains.
    return any(char not in "0123456789" for char in text)


def _received(text: str) -> str:
    hint = ", có ký tự không phải chữ số" if _has_non_digit(text) else ""
    return f"nhận được {len(text)} ký tự{hint}"
