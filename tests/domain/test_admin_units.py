from collections import Counter

import pytest

from bhyt.domain.admin_units import HAMLET_KINDS, AdminUnit, communes, provinces


def test_34_provinces():
    units = provinces()
    assert len(units) == 34
    assert all(len(u.code) == 2 and u.code.isdigit() for u in units)
    assert all(u.level == "province" and u.parent_code is None for u in units)
    assert Counter(u.kind for u in units) == {"tỉnh": 28, "thành phố trung ương": 6}
    assert AdminUnit("44", "Quảng Trị", "tỉnh", "province", None) in units


def test_3321_communes():
    units = communes()
    assert len(units) == 3321
    assert len({u.code for u in units}) == 3321
    assert all(len(u.code) == 5 and u.code.isdigit() and u.level == "commune" for u in units)
    assert Counter(u.kind for u in units) == {"xã": 2621, "phường": 687, "đặc khu": 13}
    assert {u.parent_code for u in units} == {p.code for p in provinces()}


def test_dong_hoi_is_in_quang_tri():
    assert AdminUnit("18880", "Phường Đồng Hới", "phường", "commune", "44") in communes("44")


def test_quang_tri_has_78_communes():
    assert len(communes("44")) == 78


def test_communes_of_an_unknown_province():
    with pytest.raises(ValueError) as error:
        communes("02")
    assert str(error.value) == "Mã tỉnh '02' không thuộc danh mục 34 tỉnh, thành phố từ 01/07/2025."


def test_lists_are_copies():
    communes().clear()
    provinces().clear()
    assert len(communes()) == 3321 and len(provinces()) == 34


def test_hamlet_kinds():
    assert {"thôn", "tổ dân phố", "ấp", "bản", "buôn", "khóm"} <= set(HAMLET_KINDS)
    assert len(set(HAMLET_KINDS)) == len(HAMLET_KINDS)
