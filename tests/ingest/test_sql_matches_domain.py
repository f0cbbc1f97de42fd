"""The import validates personal IDs in SQL (set-based); the domain states the rule in Python.
The two must agree on every ID, date of birth and sex."""

from __future__ import annotations

from datetime import date

import duckdb
import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from bhyt.domain.identifiers import LEGACY_PROVINCE_CODES, check_personal_id, personal_id_century_digit
from bhyt.ingest.reader import ROW_COLUMN, RawList
from bhyt.ingest.specs import PERSONS
from bhyt.ingest.validate import register_reference_tables, validate

HEADER = ["so_dinh_danh", "ho_ten", "ngay_sinh", "gioi_tinh", "ma_xa"]


def sql_verdicts(people: list[tuple[str, date, int]]) -> list[bool]:
    con = duckdb.connect()
    # Empty stand-ins for the system of record: only the ID checks matter here.
    con.execute("ATTACH ':memory:' AS db")
    con.execute("CREATE TABLE db.units (code VARCHAR, level VARCHAR)")
    con.execute("INSERT INTO db.units VALUES ('18880', 'commune')")
    con.execute("CREATE TABLE db.households (code VARCHAR)")
    register_reference_tables(con)
    table = pa.table({
        ROW_COLUMN: list(range(2, len(people) + 2)),
        "so_dinh_danh": [pid for pid, _, _ in people],
        "ho_ten": ["Nguyễn Văn A"] * len(people),
        "ngay_sinh": [birth.isoformat() for _, birth, _ in people],
        "gioi_tinh": [str(sex) for _, _, sex in people],
        "ma_xa": ["18880"] * len(people),
    })
    errors = validate(con, PERSONS, RawList(table, HEADER))
    bad_rows = {error.row for error in errors if error.column == "so_dinh_danh"}
    return [row not in bad_rows for row in range(2, len(people) + 2)]


births = st.dates(min_value=date(1900, 1, 1), max_value=date(2025, 12, 31))
sexes = st.sampled_from([1, 2])
prefixes = st.one_of(st.sampled_from(sorted(LEGACY_PROVINCE_CODES)), st.from_regex(r"[0-9]{3}", fullmatch=True))


@st.composite
def person(draw):
    birth, sex = draw(births), draw(sexes)
    century = draw(st.one_of(st.just(personal_id_century_digit(birth.year, sex)), st.from_regex(r"[0-9]", fullmatch=True)))
    year = draw(st.one_of(st.just(f"{birth.year % 100:02d}"), st.from_regex(r"[0-9]{2}", fullmatch=True)))
    tail = draw(st.from_regex(r"[0-9]{6}", fullmatch=True))
    pid = draw(st.one_of(st.just(draw(prefixes) + century + year + tail), st.from_regex(r"[0-9]{10,13}", fullmatch=True)))
    return pid, birth, sex


@settings(max_examples=25, deadline=None)
@given(st.lists(person(), min_size=1, max_size=40, unique_by=lambda p: p[0]))
def test_sql_and_domain_agree(people):
    expected = [not check_personal_id(pid, birth, sex) for pid, birth, sex in people]
    assert sql_verdicts(people) == expected
