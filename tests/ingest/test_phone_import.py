"""The person list's optional phone column: written as people write numbers, stored as the digits;
a number that is neither a mobile nor a landline is refused with the row, column, value and reason;
a file without the column keeps the phones already stored."""

from __future__ import annotations

from sqlalchemy import select

from bhyt.ingest.service import import_file
from bhyt.store.models import Person
from tests.conftest import write_csv
from tests.ingest.fixtures import PERSON_HEADER, PERSONS, write_lists

HEADER = PERSON_HEADER + ["so_dien_thoai"]


def phones(engine) -> dict[str, str | None]:
    with engine.connect() as connection:
        return dict(connection.execute(select(Person.personal_id, Person.phone)).all())


def test_phones_are_stored_as_digits_and_kept_by_a_file_without_them(engine, tmp_path):
    files = write_lists(tmp_path)
    import_file(engine, "households", files["households"])
    written = ["0912.345.678", "+84 335 123 456", "912345679", ""]
    rows = [row + [phone] for row, phone in zip(PERSONS, written)]
    result = import_file(engine, "persons", write_csv(tmp_path / "nk.csv", HEADER, rows))
    assert result.ok, result.errors
    stored = {row[0]: "0912345678" for row in PERSONS[:1]} | {
        PERSONS[1][0]: "0335123456", PERSONS[2][0]: "0912345679", PERSONS[3][0]: None}
    assert phones(engine) == stored
    again = import_file(engine, "persons", write_csv(tmp_path / "nk_cu.csv", PERSON_HEADER, PERSONS))
    assert again.ok and again.counts.updated == 0
    assert phones(engine) == stored


def test_a_bad_phone_is_refused_with_its_row(engine, tmp_path):
    files = write_lists(tmp_path)
    import_file(engine, "households", files["households"])
    rows = [PERSONS[0] + ["0123456789"], PERSONS[1] + ["09123"]]
    result = import_file(engine, "persons", write_csv(tmp_path / "nk.csv", HEADER, rows))
    assert not result.ok
    assert [(error.row, error.column, error.value) for error in result.errors] == [
        (2, "so_dien_thoai", "0123456789"), (3, "so_dien_thoai", "09123")]
    assert result.errors[0].reason.startswith("Số điện thoại không hợp lệ: cần số di động 10 chữ số")
    assert phones(engine) == {}
