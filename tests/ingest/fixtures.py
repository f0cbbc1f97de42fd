"""A small, hand-made commune list set used by the import and coverage tests.

Commune 18880 is Phường Đồng Hới (Quảng Trị, "44"). Personal IDs follow the rules: 045 (born in the
old Quảng Trị), century/sex digit, two digits of the birth year, a sequence.
"""

from __future__ import annotations

from pathlib import Path

from tests.conftest import write_csv

COMMUNE = "18880"

HOUSEHOLD_HEADER = ["ma_ho", "chu_ho", "ma_xa", "thon", "dia_chi", "phan_loai_ho", "nam_phan_loai"]
HOUSEHOLDS = [
    ["HO001", "Nguyễn Văn An", COMMUNE, "Tổ dân phố 1", "12 Lý Thường Kiệt", "can_ngheo", "2026"],
    ["HO002", "Trần Thị Bình", COMMUNE, "Tổ dân phố 2", "5 Trần Hưng Đạo", "khac", "2026"],
]

PERSON_HEADER = ["so_dinh_danh", "ho_ten", "ngay_sinh", "gioi_tinh", "ma_ho", "quan_he_chu_ho", "ma_xa", "thon",
                 "ngay_den", "ngay_di", "ngay_mat"]
PERSONS = [
    ["045080000001", "Nguyễn Văn An", "1980-03-15", "Nam", "HO001", "Chủ hộ", COMMUNE, "Tổ dân phố 1", "", "", ""],
    ["045182000002", "Lê Thị Cúc", "12/07/1982", "Nữ", "HO001", "Vợ", COMMUNE, "Tổ dân phố 1", "", "", ""],
    ["045215000003", "Nguyễn Minh Đức", "2015-09-01", "1", "HO001", "Con", COMMUNE, "Tổ dân phố 1", "", "", ""],
    ["045175000004", "Trần Thị Bình", "1975-01-20", "2", "HO002", "Chủ hộ", COMMUNE, "Tổ dân phố 2", "", "", ""],
]

CARD_HEADER = ["so_dinh_danh", "ma_so_bhxh", "ma_the", "ma_doi_tuong", "muc_huong", "gt_the_tu", "gt_the_den",
               "ma_dkbd"]
CARDS = [
    ["045080000001", "4512345601", "CN3454512345601", "CN", "3", "2026-01-01", "2026-12-31", "44001"],
    ["045182000002", "4512345602", "", "CN", "", "01/01/2026", "31/12/2026", ""],
    ["045215000003", "4512345603", "HS 4 45 4512345603", "hs", "4", "2025-10-01", "2026-09-30", "44001"],
]


def write_lists(folder: Path) -> dict[str, Path]:
    return {
        "households": write_csv(folder / "ho.csv", HOUSEHOLD_HEADER, HOUSEHOLDS),
        "persons": write_csv(folder / "nhan_khau.csv", PERSON_HEADER, PERSONS),
        "cards": write_csv(folder / "the.csv", CARD_HEADER, CARDS),
    }
