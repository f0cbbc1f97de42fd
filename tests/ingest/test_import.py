from __future__ import annotations

import csv
from datetime import date, datetime
from pathlib import Path

import pytest
import xlsxwriter
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from bhyt.ingest import load as load_module
from bhyt.ingest.service import REPORT_HEADER, import_file
from bhyt.store.models import CardPeriod, Household, HouseholdClassification, ImportLog, Person, Residence, Unit
from tests.conftest import write_csv
from tests.ingest.fixtures import (
    CARD_HEADER,
    CARDS,
    COMMUNE,
    PERSON_HEADER,
    PERSONS,
    write_lists,
)


def count(engine, model) -> int:
    with engine.connect() as connection:
        return connection.execute(select(func.count()).select_from(model)).scalar_one()


def load_all(engine, files: dict[str, Path]) -> dict:
    return {kind: import_file(engine, kind, path) for kind, path in files.items()}


def report_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig") as handle:
        return list(csv.DictReader(handle))


def test_lists_load_and_reloading_changes_nothing(engine, tmp_path):
    files = write_lists(tmp_path)
    first = load_all(engine, files)
    assert all(result.ok for result in first.values())
    assert [first[kind].counts.inserted for kind in ("households", "persons", "cards")] == [2, 4, 3]

    with Session(engine) as session:
        hamlets = session.execute(
            select(Unit.code, Unit.name, Unit.kind).where(Unit.parent_code == COMMUNE).order_by(Unit.code)
        ).all()
        card = session.scalars(select(CardPeriod).where(CardPeriod.bhxh_number == "4512345602")).one()
        person = session.scalars(select(Person).where(Person.personal_id == "045182000002")).one()
        classification = session.scalars(select(HouseholdClassification.classification)).all()
    assert hamlets == [(f"{COMMUNE}-001", "Tổ dân phố 1", "tổ dân phố"), (f"{COMMUNE}-002", "Tổ dân phố 2", "tổ dân phố")]
    assert card.benefit_level == 3  # empty muc_huong takes the participant code's level
    assert card.valid_from == date(2026, 1, 1) and card.valid_to == date(2026, 12, 31)
    assert card.card_code is None and card.source == "the.csv"
    assert person.birth_date == date(1982, 7, 12) and person.sex == 2
    assert sorted(classification) == ["can_ngheo", "khac"]

    totals = [count(engine, model) for model in (Household, Person, Residence, CardPeriod, Unit)]
    again = load_all(engine, files)
    for result in again.values():
        assert result.ok
        assert (result.counts.inserted, result.counts.updated) == (0, 0)
        assert result.counts.unchanged == result.rows
    assert [count(engine, model) for model in (Household, Person, Residence, CardPeriod, Unit)] == totals


def test_changed_rows_are_updated_and_counted(engine, tmp_path):
    load_all(engine, write_lists(tmp_path))
    changed = [row[:] for row in PERSONS]
    changed[0][1] = "Nguyễn Văn Ân"
    changed[3][9] = "2026-05-01"  # ngay_di: moved out
    result = import_file(engine, "persons", write_csv(tmp_path / "p2.csv", PERSON_HEADER, changed))
    assert (result.counts.inserted, result.counts.updated, result.counts.unchanged) == (0, 2, 2)
    with engine.connect() as connection:
        assert connection.execute(
            select(Person.full_name).where(Person.personal_id == "045080000001")).scalar_one() == "Nguyễn Văn Ân"
        assert connection.execute(select(Residence.left_on).join(Person).where(
            Person.personal_id == "045175000004")).scalar_one() == date(2026, 5, 1)


def test_a_file_with_bad_rows_writes_nothing_and_reports_every_error(engine, tmp_path):
    files = write_lists(tmp_path)
    import_file(engine, "households", files["households"])
    bad = [row[:] for row in PERSONS]
    bad[0][2] = "31/02/1980"          # row 2: no such date
    bad[1][0] = "045082000002"        # row 3: digit 4 says male, the row says Nữ
    bad[2][6] = "99999"               # row 4: no such commune
    bad[3][4] = "HO999"               # row 5: unknown household
    bad.append(bad[1][:])             # row 6: duplicate ID of row 3
    result = import_file(engine, "persons", write_csv(tmp_path / "bad.csv", PERSON_HEADER, bad))

    assert not result.ok
    found = {(error.row, error.column) for error in result.errors}
    assert {(2, "ngay_sinh"), (3, "so_dinh_danh"), (4, "ma_xa"), (5, "ma_ho"), (6, "so_dinh_danh")} <= found
    assert count(engine, Person) == 0 and count(engine, Residence) == 0
    rows = report_rows(result.error_report)
    assert list(rows[0]) == list(REPORT_HEADER)
    assert {"dong": "2", "cot": "ngay_sinh", "gia_tri": "31/02/1980",
            "ly_do": "Ngày không hợp lệ: cần dạng YYYY-MM-DD hoặc DD/MM/YYYY."} in rows
    with Session(engine) as session:
        log = session.scalars(select(ImportLog).order_by(ImportLog.id.desc())).first()
    assert log.status == "rejected" and log.error_report == str(result.error_report)


@pytest.mark.parametrize(
    ("column", "value", "reason_start"),
    [
        ("so_dinh_danh", "04508000001", "Số định danh cá nhân phải gồm đúng 12 chữ số"),
        ("so_dinh_danh", "999080000001", "3 chữ số đầu"),
        ("so_dinh_danh", "045081000001", "Chữ số thứ 5-6"),
        ("gioi_tinh", "X", "Giới tính"),
        ("ho_ten", "", "Ô bắt buộc"),
        ("ngay_mat", "1970-01-01", "Ngày mất trước ngày sinh"),
        ("ngay_sinh", "2099-01-01", "Ngày sinh ở tương lai"),
    ],
)
def test_person_checks(engine, tmp_path, column, value, reason_start):
    files = write_lists(tmp_path)
    import_file(engine, "households", files["households"])
    rows = [row[:] for row in PERSONS[:1]]
    rows[0][PERSON_HEADER.index(column)] = value
    result = import_file(engine, "persons", write_csv(tmp_path / "one.csv", PERSON_HEADER, rows))
    assert any(e.column == column and e.reason.startswith(reason_start) for e in result.errors), result.errors


@pytest.mark.parametrize(
    ("column", "value", "reason_start"),
    [
        ("so_dinh_danh", "045080000999", "Chưa có người"),
        ("ma_the", "CN345451234560", "Mã thẻ phải có đúng 15"),
        ("ma_the", "HN3454512345601", "Hai ký tự đầu"),
        ("ma_the", "CN4454512345601", "Ký tự thứ 3"),
        ("ma_the", "CN3454512345699", "10 ký tự cuối"),
        ("ma_doi_tuong", "ZZ", "Mã đối tượng không có"),
        ("muc_huong", "6", "Mức hưởng"),
        ("gt_the_den", "2025-12-31", "Hạn thẻ kết thúc trước"),
        ("ma_so_bhxh", "4512345603", "Mã số BHXH này đã thuộc về"),
    ],
)
def test_card_checks(engine, tmp_path, column, value, reason_start):
    files = write_lists(tmp_path)
    import_file(engine, "households", files["households"])
    import_file(engine, "persons", files["persons"])
    import_file(engine, "cards", write_csv(tmp_path / "c0.csv", CARD_HEADER, CARDS[2:]))
    rows = [CARDS[0][:]]
    rows[0][CARD_HEADER.index(column)] = value
    result = import_file(engine, "cards", write_csv(tmp_path / "c1.csv", CARD_HEADER, rows))
    assert any(e.column == column and e.reason.startswith(reason_start) for e in result.errors), result.errors
    assert count(engine, CardPeriod) == 1


def test_header_problems_are_reported_on_row_1(engine, tmp_path):
    header = [name for name in PERSON_HEADER if name != "ho_ten"] + ["ghi_chu"]
    rows = [[value for name, value in zip(PERSON_HEADER, PERSONS[0]) if name != "ho_ten"] + ["x"]]
    result = import_file(engine, "persons", write_csv(tmp_path / "h.csv", header, rows))
    assert {(e.row, e.column) for e in result.errors} == {(1, "ho_ten"), (1, "ghi_chu")}


def test_optional_columns_may_be_left_out(engine, tmp_path):
    files = write_lists(tmp_path)
    load_all(engine, files)
    # A later list without hamlets, dates or households must not erase what the first one said.
    header = ["so_dinh_danh", "ho_ten", "ngay_sinh", "gioi_tinh", "ma_xa"]
    rows = [[row[PERSON_HEADER.index(name)] for name in header] for row in PERSONS]
    result = import_file(engine, "persons", write_csv(tmp_path / "short.csv", header, rows))
    assert result.ok and result.counts.unchanged == 4
    with engine.connect() as connection:
        assert connection.execute(select(func.count()).where(Person.household_id.is_not(None))).scalar_one() == 4


def test_hamlet_names_match_whatever_their_case_and_spacing(engine, tmp_path):
    files = write_lists(tmp_path)
    load_all(engine, files)
    rows = [row[:] for row in PERSONS]
    rows[3][7] = "  tổ  dân phố 1 "
    import_file(engine, "persons", write_csv(tmp_path / "p.csv", PERSON_HEADER, rows))
    with engine.connect() as connection:
        hamlets = connection.execute(select(func.count()).where(Unit.level == "hamlet")).scalar_one()
        moved = connection.execute(select(Residence.hamlet_code).join(Person).where(
            Person.personal_id == "045175000004")).scalar_one()
    assert hamlets == 2 and moved == f"{COMMUNE}-001"


def test_xlsx_with_numeric_ids_and_dates(engine, tmp_path):
    import_file(engine, "households", write_lists(tmp_path)["households"])
    path = tmp_path / "nhan_khau.xlsx"
    workbook = xlsxwriter.Workbook(path)
    sheet = workbook.add_worksheet()
    date_format = workbook.add_format({"num_format": "dd/mm/yyyy"})
    sheet.write_row(0, 0, PERSON_HEADER)
    for index, row in enumerate(PERSONS[:2], start=1):
        sheet.write_row(index, 0, row)
        # Excel keeps these as numbers and so drops the leading zeros of 045… and 0…
        sheet.write_number(index, 0, int(row[0]))
        sheet.write_number(index, 6, int(COMMUNE))
    sheet.write_datetime(1, 2, datetime(1980, 3, 15), date_format)
    workbook.close()

    result = import_file(engine, "persons", path)
    assert result.ok, result.errors
    with engine.connect() as connection:
        people = connection.execute(select(Person.personal_id, Person.birth_date).order_by(Person.personal_id)).all()
    assert people == [("045080000001", date(1980, 3, 15)), ("045182000002", date(1982, 7, 12))]


def test_failure_while_writing_leaves_nothing_behind(engine, tmp_path, monkeypatch):
    import_file(engine, "households", write_lists(tmp_path)["households"])
    rows = [row[:] for row in PERSONS]
    rows[3][7] = "Tổ dân phố 3"  # a new hamlet, created in the same transaction
    original = load_module.insert_new_hamlets

    def hamlets_then_fail(connection, staged):
        original(connection, staged)
        raise RuntimeError("đĩa đầy")

    monkeypatch.setattr(load_module, "insert_new_hamlets", hamlets_then_fail)
    with pytest.raises(RuntimeError):
        import_file(engine, "persons", write_csv(tmp_path / "p.csv", PERSON_HEADER, rows))
    assert count(engine, Person) == 0
    with engine.connect() as connection:
        assert connection.execute(select(func.count()).where(Unit.level == "hamlet")).scalar_one() == 2
        stages = connection.execute(text(
            "SELECT count(*) FROM information_schema.tables WHERE table_name LIKE 'stage_%'"
            if engine.dialect.name == "postgresql" else
            "SELECT count(*) FROM sqlite_master WHERE name LIKE 'stage_%'")).scalar_one()
    assert stages == 0


def test_population_figures(engine, tmp_path):
    header = ["ma_don_vi", "nam", "dan_so", "nguon"]
    good = write_csv(tmp_path / "ds.csv", header, [["44", "2025", "1870000", "Cục Thống kê"],
                                                   [COMMUNE, "2025", "52000", "Cục Thống kê"]])
    assert import_file(engine, "population", good).counts.inserted == 2
    assert import_file(engine, "population", good).counts.unchanged == 2
    bad = write_csv(tmp_path / "ds2.csv", header, [["77777", "2025", "-5", ""]])
    reasons = {e.column for e in import_file(engine, "population", bad).errors}
    assert reasons == {"ma_don_vi", "dan_so", "nguon"}


def test_unreadable_file(engine, tmp_path):
    path = tmp_path / "list.txt"
    path.write_text("x")
    result = import_file(engine, "persons", path)
    assert not result.ok and "CSV hoặc XLSX" in result.errors[0].reason
