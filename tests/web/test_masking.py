"""ID numbers as lists show them, and names folded for search: pure functions, no database."""

from __future__ import annotations

import re
import sqlite3
import unicodedata

import pytest

from bhyt.masking import mask
from bhyt.web.people_search import SearchError, consonant_runs, fold, glob_pattern, name_pattern, search_kind


def test_a_personal_id_keeps_its_first_four_and_last_two_digits():
    assert mask("044012345689") == "0440******89"
    assert mask("001076787105") == "0010******05"


def test_a_masked_id_keeps_the_length_and_hides_the_middle():
    masked = mask("079300001234")
    assert len(masked) == 12 and masked.count("*") == 6 and "000012" not in masked


def test_surrounding_spaces_are_dropped_before_masking():
    assert mask(" 044012345689 ") == "0440******89"


def test_a_bhxh_number_keeps_three_and_two_digits():
    assert mask("4500000011") == "450*****11"


@pytest.mark.parametrize("short", ["123456789", "1234567", "12", "1"])
def test_a_short_number_always_has_at_least_half_of_it_hidden(short):
    # 9 digits with the usual ends would show 6 of 9: more than half the number.
    masked = mask(short)
    assert len(masked) == len(short) and masked.count("*") * 2 >= len(short)


@pytest.mark.parametrize("empty", [None, ""])
def test_no_number_masks_to_nothing(empty):
    assert mask(empty) == ""


def test_fold_removes_case_and_every_vietnamese_mark():
    assert fold("Nguyễn Văn An") == "nguyen van an"
    assert fold("ĐẶNG THỊ THẢO") == "dang thi thao"
    assert fold("Hồ Đắc Ưng Quỳnh Trương Ngọc Ánh") == "ho dac ung quynh truong ngoc anh"


def test_fold_treats_decomposed_and_precomposed_names_alike():
    name = "Phạm Thị Hường"
    decomposed = unicodedata.normalize("NFD", name)
    assert decomposed != name
    assert fold(decomposed) == fold(name) == "pham thi huong"


def test_fold_agrees_with_unicode_on_every_vietnamese_letter():
    letters = "àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ"
    for letter in letters + letters.upper():
        bare = "".join(c for c in unicodedata.normalize("NFD", letter) if not unicodedata.combining(c)).lower()
        assert fold(letter) == bare, letter


def test_twelve_digits_typed_as_a_name_are_searched_as_a_personal_id():
    assert search_kind("name", "044012345689") == "personal_id"
    assert search_kind("name", "Nguyễn") == "name"
    assert search_kind("household", "044012345689") == "household"
    with pytest.raises(SearchError):
        search_kind("address", "x")


NAMES = ["Nguyễn Văn An", "NGUYỄN THỊ ÁNH", "Đặng Ngọc Ẩn", unicodedata.normalize("NFD", "Trương Thị Hường"),
         "Hồ Đắc Ưng", "Kray Arâm", "Lê (Hai) Bình-Minh", "Phạm 2 Ý"]
QUERIES = ["nguyen van an", "an", "ANH", "ẩn", "dang", "huong", "truong thi", "ho dac ung", "aram", "(hai)",
           "binh-minh", "2 y", "y", "n v", "thi huong", "xyz", "a.", "nguyen%"]


def test_the_patterns_find_exactly_what_folding_finds():
    # PostgreSQL runs `name_pattern`; SQLite compares folded names. Both must find the same people.
    for query in QUERIES:
        pattern = name_pattern(fold(query))
        for name in NAMES:
            assert bool(re.search(pattern, name)) == (fold(query) in fold(name)), (query, name)
            assert bool(re.fullmatch(pattern, name)) == (fold(query) == fold(name)), (query, name)


def test_the_sqlite_glob_finds_exactly_what_folding_finds_in_precomposed_names():
    # Names with combining marks are folded by the registered function instead.
    con = sqlite3.connect(":memory:")
    for query in QUERIES:
        pattern = glob_pattern(fold(query))
        for name in (unicodedata.normalize("NFC", name) for name in NAMES):
            found, exact = con.execute("SELECT ? GLOB ?, ? GLOB ?", [name, f"*{pattern}*", name, pattern]).fetchone()
            assert (bool(found), bool(exact)) == (fold(query) in fold(name), fold(query) == fold(name)), (query, name)


def test_every_name_that_matches_holds_the_consonants_as_typed():
    assert consonant_runs("nguyen van an") == ["ng", "n v", "n ", "n"]
    assert consonant_runs("ho dac ung") == ["h", "c ", "ng"]
    for query in QUERIES:
        for name in NAMES:
            if fold(query) in fold(name):
                assert all(run in name.lower() for run in consonant_runs(fold(query))), (query, name)
