"""The places of the synthetic province: its communes with their character, hamlets and health facilities.

Each commune of the real 2025 list gets a plausible size and character: phường are urban and larger,
about a quarter of the xã are mountain communes (smaller, poorer, largely ethnic-minority, some of
them "very difficult" areas whose residents the budget insures), a đặc khu is an island. The commune
population drawn here only sets proportions: the caller scales the whole province to the number of
people asked for, so the hamlets and the character of each commune do not depend on that number.

Personal IDs, BHXH numbers, card codes and facility codes still use the 63 pre-2025 provinces. The
package list of communes does not say which pre-2025 province a commune came from, so the communes,
in code order, are split into consecutive blocks between the old provinces that merged into this
one (GSO numbered communes province by province, so this is right except near the block edges).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from bhyt.domain.admin_units import communes, provinces
from bhyt.domain.identifiers import LEGACY_PROVINCES

# Village names of the lowland and of the mountains (Vân Kiều / Pa Kô areas) for "Thôn …" and "Bản …".
LOWLAND_HAMLET_NAMES = (
    "Đông", "Tây", "Nam", "Bắc", "Trung", "Thượng", "Hạ", "Phú An", "Phú Thượng", "Xuân Hòa", "An Lộc",
    "Mỹ Thủy", "Trung Phước", "Thanh Xuân", "Phước Lễ", "Hà Lợi", "Lập Thạch", "Cổ Thành", "Tân Định",
    "Hòa Bình", "Đại Phong", "Văn Phong", "Quảng Xá", "Mai Xá", "Gia Độ", "Đơn Duệ", "Ba Bình", "Lương Điền",
    "An Xá", "Phú Hội", "Thuận Đức", "Tân Hiệp", "Cẩm Thạch", "Hà Thanh", "Vĩnh Tuy", "Bích La", "Đại Hào",
    "Nhan Biều", "Phước Thị", "An Trú", "Thâm Khê", "Cảnh Dương", "Thọ Linh", "Xuân Lai", "Hưng Nhơn",
    "Tân Mỹ", "Long Hưng", "Kim Long", "Phú Kinh", "Đông Dương", "Hà Trung", "Lệ Xuyên", "Tiên Lộc",
    "Quy Thiện", "Lan Đình", "Mỹ Lộc", "Nhĩ Hạ", "Thủy Trung", "Phương Lang", "Trung Đơn", "An Thái",
    "Đại Nại", "Câu Hoan", "Xuân Mỹ", "Phú Lễ", "Thanh Khê", "Tân Sơn", "Hòa Lý", "Vân Tập", "Bồ Bản",
    "Long Quang", "Hậu Kiên", "Đông Hải", "Tường Vân", "Cát Sơn", "Minh Lệ", "Thạch Bàn", "Văn La",
    "Quảng Hòa", "Tân Lịch", "Dương Lộc", "Đức Phổ", "Trà Trì", "Lam Thủy", "An Mô", "Phú Thiết",
)
MOUNTAIN_HAMLET_NAMES = (
    "Cà Roòng", "Khe Ngát", "Dốc Mây", "Ho Rum", "Pa Ka", "A Sóc", "Ra Man", "Xi Pa", "A Ho", "Cu Vơ",
    "Tà Rẹc", "Pa Lin", "Ka Típ", "Xa Re", "A Đeng", "Ra Ty", "Pa Tầng", "Xa Bai", "Cợp", "Ka Rông",
    "Chênh Vênh", "Ba Tầng", "Vầng", "Húc Nghì", "Ty Nê", "Trằm", "Pi Rao", "A Rông", "Ra Lu", "Làng Cát",
    "Doa Cũ", "Xà Lời", "Ka Lu", "Ba Ngày", "Kỳ Nơi", "Hồ Bạc", "Bù Bai", "Tà Leng", "Ôn Ôn", "Cha Lỳ",
)

MIN_HAMLETS, MAX_HAMLETS = 8, 30
HOSPITALS_PER_LEGACY_PROVINCE = 8


@dataclass(frozen=True)
class Commune:
    index: int
    code: str
    name: str
    kind: str
    legacy2: int  # pre-2025 province, as in BHXH numbers and card codes
    urban: bool
    island: bool
    mountain: bool
    very_difficult: bool
    planned_population: float
    station: str  # the commune health station's 5-character facility code
    hamlet_start: int  # index of its first hamlet in Province.hamlet_*
    hamlet_count: int


@dataclass(frozen=True)
class Province:
    code: str
    name: str
    communes: list[Commune]
    hamlet_codes: list[str]
    hamlet_names: list[str]
    hamlet_kinds: list[str]
    hamlet_commune: np.ndarray  # commune index of each hamlet
    hamlet_weight: np.ndarray  # share of its commune's households
    legacy2: list[int]  # pre-2025 provinces merged into this one
    hospitals: dict[int, list[str]]  # facility codes of the hospitals, by pre-2025 province

    @property
    def commune_count(self) -> int:
        return len(self.communes)


def legacy_codes_of(province_code: str) -> list[int]:
    """The pre-2025 provinces (as integers, 1 … 96) merged into a 2025 province."""
    return sorted(int(code) for code, legacy in LEGACY_PROVINCES.items() if legacy.new_province_code == province_code)


def plan_province(province_code: str, rng: np.random.Generator) -> Province:
    units = communes(province_code)  # raises on an unknown province code
    name = next(p.name for p in provinces() if p.code == province_code)
    legacy = legacy_codes_of(province_code)
    count = len(units)

    # Contiguous blocks of communes per pre-2025 province, in code order.
    block = np.minimum((np.arange(count) * len(legacy)) // max(count, 1), len(legacy) - 1)
    kinds = [unit.kind for unit in units]
    urban = np.array([kind == "phường" for kind in kinds])
    island = np.array([kind == "đặc khu" for kind in kinds])
    mountain = ~urban & ~island & (rng.random(count) < 0.27)
    very_difficult = mountain & (rng.random(count) < 0.5)
    population = np.where(
        urban,
        np.clip(rng.lognormal(np.log(33_000), 0.25, count), 15_000, 45_000),
        np.where(
            mountain,
            np.clip(rng.lognormal(np.log(10_000), 0.3, count), 5_000, 18_000),
            np.clip(rng.lognormal(np.log(22_000), 0.3, count), 7_000, 42_000),
        ),
    )
    # An island district is small (Cồn Cỏ has a few hundred people; others a few thousand).
    population = np.where(island, rng.uniform(1_500, 3_000, count), population)
    hamlets_wanted = np.clip(np.round(population / rng.uniform(900, 1_600, count)), MIN_HAMLETS, MAX_HAMLETS)

    hamlet_codes: list[str] = []
    hamlet_names: list[str] = []
    hamlet_kinds: list[str] = []
    hamlet_commune: list[int] = []
    weights: list[np.ndarray] = []
    planned: list[Commune] = []
    stations_used: dict[int, int] = {}
    for index, unit in enumerate(units):
        n = int(hamlets_wanted[index])
        names, hamlet_kind = _hamlet_names(rng, n, bool(urban[index]), bool(mountain[index]))
        start = len(hamlet_codes)
        hamlet_codes += [f"{unit.code}-{number:03d}" for number in range(1, n + 1)]
        hamlet_names += names
        hamlet_kinds += hamlet_kind
        hamlet_commune += [index] * n
        share = rng.gamma(4.0, 1.0, n)
        weights.append(share / share.sum())
        legacy2 = legacy[int(block[index])]
        stations_used[legacy2] = stations_used.get(legacy2, 0) + 1
        planned.append(
            Commune(
                index=index,
                code=unit.code,
                name=unit.name,
                kind=unit.kind,
                legacy2=legacy2,
                urban=bool(urban[index]),
                island=bool(island[index]),
                mountain=bool(mountain[index]),
                very_difficult=bool(very_difficult[index]),
                planned_population=float(population[index]),
                station=f"{legacy2:02d}{100 + stations_used[legacy2]:03d}",
                hamlet_start=start,
                hamlet_count=n,
            )
        )
    hospitals = {
        code: [f"{code:02d}{number:03d}" for number in range(1, HOSPITALS_PER_LEGACY_PROVINCE + 1)] for code in legacy
    }
    return Province(
        code=province_code,
        name=name,
        communes=planned,
        hamlet_codes=hamlet_codes,
        hamlet_names=hamlet_names,
        hamlet_kinds=hamlet_kinds,
        hamlet_commune=np.array(hamlet_commune, dtype=np.int32),
        hamlet_weight=np.concatenate(weights),
        legacy2=legacy,
        hospitals=hospitals,
    )


def _hamlet_names(rng: np.random.Generator, n: int, urban: bool, mountain: bool) -> tuple[list[str], list[str]]:
    """n distinct hamlet names for one commune, with their kind (thôn, bản, tổ dân phố, khu phố)."""
    if urban:
        if rng.random() < 0.6:
            return [f"Tổ dân phố {i}" for i in range(1, n + 1)], ["tổ dân phố"] * n
        return [f"Khu phố {i}" for i in range(1, n + 1)], ["khu phố"] * n
    if mountain:
        picks = rng.choice(len(MOUNTAIN_HAMLET_NAMES), size=n, replace=False)
        village = rng.random(n) < 0.5  # "Bản …", as many Vân Kiều and Pa Kô villages are called
        names = [f"{'Bản' if v else 'Thôn'} {MOUNTAIN_HAMLET_NAMES[i]}" for i, v in zip(picks, village)]
        return names, ["bản" if v else "thôn" for v in village]
    if rng.random() < 0.4:
        return [f"Thôn {i}" for i in range(1, n + 1)], ["thôn"] * n
    picks = rng.choice(len(LOWLAND_HAMLET_NAMES), size=n, replace=False)
    return [f"Thôn {LOWLAND_HAMLET_NAMES[i]}" for i in picks], ["thôn"] * n
