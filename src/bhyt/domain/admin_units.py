"""The 2025 two-tier administrative units (34 provinces, 3,321 communes), from ``vietnam-provinces``.

Resolution 202/2025/QH15 and Decision 19/2025/QĐ-TTg: no district level since 01/07/2025. The
package gives integer codes; here they are zero-padded strings (province 2 digits, commune 5).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from vietnam_provinces import Province, Ward

LEVEL_PROVINCE = "province"
LEVEL_COMMUNE = "commune"

# Kinds of residential community below the commune: thôn and tổ dân phố with their local names
# (Thông tư 04/2012/TT-BNV Điều 2, as recalled; not in the brief). No national code list exists
# for them, so hamlets are known by name within their commune and this is all we can check.
HAMLET_KINDS = (
    "thôn",
    "tổ dân phố",
    "ấp",
    "khu phố",
    "bản",
    "buôn",
    "bon",
    "làng",
    "phum",
    "sóc",
    "khóm",
    "khối phố",
    "tiểu khu",
    "tổ",
)


@dataclass(frozen=True)
class AdminUnit:
    code: str
    name: str
    kind: str
    level: str
    parent_code: str | None


@cache
def _provinces() -> tuple[AdminUnit, ...]:
    units = (
        AdminUnit(
            code=f"{province.code.value:02d}",
            name=province.name,
            kind=province.division_type.value,
            level=LEVEL_PROVINCE,
            parent_code=None,
        )
        for province in Province.iter_all()
    )
    return tuple(sorted(units, key=lambda unit: unit.code))


@cache
def _communes() -> tuple[AdminUnit, ...]:
    units = (
        AdminUnit(
            code=f"{ward.code.value:05d}",
            name=ward.name,
            kind=ward.division_type.value,
            level=LEVEL_COMMUNE,
            parent_code=f"{ward.province_code.value:02d}",
        )
        for ward in Ward.iter_all()
    )
    return tuple(sorted(units, key=lambda unit: unit.code))


def provinces() -> list[AdminUnit]:
    return list(_provinces())


def communes(province_code: str | None = None) -> list[AdminUnit]:
    """All communes, or those of one province given by its 2-digit 2025 code."""
    if province_code is None:
        return list(_communes())
    if province_code not in {unit.code for unit in _provinces()}:
        raise ValueError(f"Mã tỉnh '{province_code}' không thuộc danh mục 34 tỉnh, thành phố từ 01/07/2025.")
    return [unit for unit in _communes() if unit.parent_code == province_code]
