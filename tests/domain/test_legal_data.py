import re
from datetime import date
from pathlib import Path

import pytest

from bhyt.domain.legal_data import LegalDataError, effective_on, optional_date, read_table

DATA_DIR = Path(__file__).parents[2] / "src" / "bhyt" / "domain" / "data"
TABLES = sorted(path.stem for path in DATA_DIR.glob("*.csv"))
DATE_EFFECTIVE = [name for name in TABLES if "effective_from" in read_table(name)[0]]
# Columns that, with the dates, identify one parameter; two rows with the same key must not overlap.
KEYS = {
    "base_salary": (),
    "contribution_rate": (),
    "household_ladder": ("position",),
    "payment_periods": ("months",),
    "support_minimums": ("participant_code", "condition"),
    "province_support": ("province_code", "participant_code"),
    "card_validity": ("parameter",),
    "entitlements": ("rule",),
}

ROWS = [
    {"value": "a", "effective_from": "2020-01-01", "effective_to": "2020-12-31"},
    {"value": "b", "effective_from": "2021-01-01", "effective_to": ""},
]


def test_read_table_returns_fresh_rows():
    rows = read_table("base_salary")
    rows[0]["amount"] = "0"
    assert read_table("base_salary")[0]["amount"] == "1490000"


def test_read_table_refuses_paths():
    with pytest.raises(ValueError, match="Tên bảng tham số không hợp lệ"):
        read_table("../legal_data")


@pytest.mark.parametrize(
    ("on", "value"),
    [(date(2020, 1, 1), "a"), (date(2020, 12, 31), "a"), (date(2021, 1, 1), "b"), (date(2099, 1, 1), "b")],
)
def test_effective_on_bounds_are_inclusive_and_empty_is_open(on, value):
    assert effective_on(ROWS, on)["value"] == value


def test_effective_on_none_in_force():
    with pytest.raises(LegalDataError) as error:
        effective_on(ROWS, date(2019, 12, 31), what="lương cơ sở")
    assert str(error.value) == "Không có quy định về lương cơ sở có hiệu lực vào ngày 31/12/2019."


def test_effective_on_overlap():
    overlapping = [*ROWS, {"value": "c", "effective_from": "", "effective_to": ""}]
    with pytest.raises(LegalDataError) as error:
        effective_on(overlapping, date(2021, 5, 1), what="lương cơ sở")
    assert str(error.value) == (
        "Có 2 quy định về lương cơ sở cùng có hiệu lực vào ngày 01/05/2021; "
        "bảng tham số bị chồng lấn thời gian."
    )


@pytest.mark.parametrize("name", TABLES)
def test_every_table_cites_a_source(name):
    rows = read_table(name)
    assert rows
    assert all(row["source"].strip() for row in rows)


@pytest.mark.parametrize("name", TABLES)
def test_doubt_is_marked_the_same_way(name):
    for row in read_table(name):
        note = row.get("note", "")
        assert "uncertain" not in note.lower() or "UNCERTAIN: " in note


def test_every_date_effective_table_has_a_key():
    assert sorted(KEYS) == sorted(DATE_EFFECTIVE)


@pytest.mark.parametrize("name", DATE_EFFECTIVE)
def test_periods_are_well_formed_and_do_not_overlap(name):
    periods: dict[tuple[str, ...], list[tuple[date, date]]] = {}
    for row in read_table(name):
        for column in ("effective_from", "effective_to"):
            assert row[column] == "" or re.fullmatch(r"\d{4}-\d{2}-\d{2}", row[column])
        start = optional_date(row["effective_from"]) or date.min
        end = optional_date(row["effective_to"]) or date.max
        assert start <= end
        periods.setdefault(tuple(row[column] for column in KEYS[name]), []).append((start, end))
    for spans in periods.values():
        spans.sort()
        assert all(earlier[1] < later[0] for earlier, later in zip(spans, spans[1:]))
