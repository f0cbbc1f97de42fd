"""BHXH's aggregate report: insured people per unit, month and participant code, imported without names."""

from __future__ import annotations

import csv
from datetime import date, datetime

import pytest
import xlsxwriter
from sqlalchemy import select

from bhyt.ingest import load as load_module
from bhyt.ingest.service import import_file
from bhyt.store import registry_version
from bhyt.store.models import AggregateCount
from tests.conftest import write_csv
from tests.ingest.fixtures import write_lists

HEADER = ["ma_don_vi", "thang", "ma_doi_tuong", "so_nguoi_tham_gia"]
MONTH_REASON = ("Tháng không hợp lệ: cần dạng YYYY-MM, MM/YYYY (hoặc M/YYYY), hoặc một ngày YYYY-MM-DD "
                "(lấy tháng của ngày đó).")
SEPTEMBER, OCTOBER = date(2026, 9, 1), date(2026, 10, 1)


def stored(engine) -> list[tuple]:
    with engine.connect() as connection:
        return [tuple(row) for row in connection.execute(
            select(AggregateCount.unit_code, AggregateCount.month, AggregateCount.participant_code,
                   AggregateCount.insured, AggregateCount.import_id)
            .order_by(AggregateCount.unit_code, AggregateCount.month, AggregateCount.participant_code)
        )]


def counts(result) -> tuple[int, int, int]:
    return result.counts.inserted, result.counts.updated, result.counts.unchanged


def version(engine) -> int:
    with engine.connect() as connection:
        return registry_version.current(connection)


def next_month(today: date) -> date:
    return date(today.year + today.month // 12, today.month % 12 + 1, 1)


def test_every_accepted_form_of_a_month_lands_on_its_first_day(engine, tmp_path):
    import_file(engine, "households", write_lists(tmp_path)["households"])  # creates hamlet 18880-001
    path = write_csv(tmp_path / "tong_hop.csv", HEADER, [
        ["18880", "2026-09", "gd", "100"],
        ["18880", "09/2026", "TE", "50"],
        ["18880", "2026-10-15", " GD ", "101"],
        ["44", "9/2026", "DN", "2000"],
        ["18880-001", "2026-9", "HS", "0"],
    ])
    before = version(engine)
    result = import_file(engine, "aggregates", path)

    assert result.ok, result.errors
    assert (result.rows, counts(result)) == (5, (5, 0, 0))
    one = result.import_id
    assert stored(engine) == [
        ("18880", SEPTEMBER, "GD", 100, one),
        ("18880", SEPTEMBER, "TE", 50, one),
        ("18880", OCTOBER, "GD", 101, one),
        ("18880-001", SEPTEMBER, "HS", 0, one),
        ("44", SEPTEMBER, "DN", 2000, one),
    ]
    # Aggregate counts are not part of the person registry: the analytics snapshot stays fresh.
    assert version(engine) == before


def test_reimporting_the_same_file_changes_nothing(engine, tmp_path):
    path = write_csv(tmp_path / "tong_hop.csv", HEADER, [
        ["18880", "2026-09", "GD", "100"],
        ["18880", "2026-09", "TE", "50"],
        ["18949", "2026-10", "DK", "40"],
    ])
    first = import_file(engine, "aggregates", path)
    table = stored(engine)
    again = import_file(engine, "aggregates", path)

    assert counts(again) == (0, 0, 3)
    assert again.import_id != first.import_id
    assert stored(engine) == table  # the rows keep the import that wrote them


def test_a_corrected_report_replaces_its_unit_month_and_nothing_else(engine, tmp_path):
    first = import_file(engine, "aggregates", write_csv(tmp_path / "thang9.csv", HEADER, [
        ["18880", "2026-09", "GD", "100"],
        ["18880", "2026-09", "TE", "50"],
        ["18880", "2026-09", "HS", "30"],
        ["18880", "2026-10", "GD", "101"],
        ["18949", "2026-09", "DK", "40"],
    ]))
    # BHXH's corrected September report for 18880: TE 50 → 55, HS gone, CN new, GD as before.
    corrected = import_file(engine, "aggregates", write_csv(tmp_path / "thang9_sua.csv", HEADER, [
        ["18880", "09/2026", "GD", "100"],
        ["18880", "09/2026", "TE", "55"],
        ["18880", "09/2026", "CN", "3"],
    ]))

    # inserted: CN; updated: TE changed and HS deleted; unchanged: GD.
    assert counts(corrected) == (1, 2, 1)
    one, two = first.import_id, corrected.import_id
    assert stored(engine) == [
        ("18880", SEPTEMBER, "CN", 3, two),
        ("18880", SEPTEMBER, "GD", 100, one),
        ("18880", SEPTEMBER, "TE", 55, two),
        ("18880", OCTOBER, "GD", 101, one),
        ("18949", SEPTEMBER, "DK", 40, one),
    ]


def test_every_kind_of_bad_value_is_reported_and_nothing_is_written(engine, tmp_path):
    good = write_csv(tmp_path / "tot.csv", HEADER, [["18880", "2026-09", "GD", "100"]])
    import_file(engine, "aggregates", good)
    table = stored(engine)
    future = next_month(date.today()).strftime("%Y-%m")
    path = write_csv(tmp_path / "sai.csv", HEADER, [
        ["99999", "2026-09", "GD", "1"],          # row 2
        ["", "2026-09", "GD", "1"],               # row 3
        ["18880", "2026/09", "GD", "1"],          # row 4
        ["18880", "13/2026", "GD", "1"],          # row 5
        ["18880", "15/09/2026", "GD", "1"],       # row 6
        ["18880", future, "GD", "1"],             # row 7
        ["18880", "2026-09", "ZZ", "1"],          # row 8
        ["18880", "2026-09", "TE", "-5"],         # row 9
        ["18880", "2026-09", "HS", "12.5"],       # row 10
        ["18880", "2026-09", "SV", ""],           # row 11
        ["18880", "2026-08", "gd", "7"],          # row 12
        ["18880", "08/2026", "GD", "8"],          # row 13: the same unit, month and code as row 12
        ["18880", "", "HN", "1"],                 # row 14
    ])
    result = import_file(engine, "aggregates", path)

    integer_reason = "Số người tham gia phải là số nguyên từ 0 đến 200000000."
    duplicate = "Bộ ba mã đơn vị, tháng, mã đối tượng lặp lại ở dòng khác trong tệp."
    expected = [
        (2, "ma_don_vi", "99999", "Mã đơn vị không có trong danh mục (tỉnh, xã hoặc thôn đã có)."),
        (3, "ma_don_vi", "", "Ô bắt buộc đang trống."),
        (4, "thang", "2026/09", MONTH_REASON),
        (5, "thang", "13/2026", MONTH_REASON),
        (6, "thang", "15/09/2026", MONTH_REASON),
        (7, "thang", future, "Tháng ở tương lai: chỉ nhận số liệu đến hết tháng hiện tại."),
        (8, "ma_doi_tuong", "ZZ", "Mã đối tượng không có trong danh mục."),
        (9, "so_nguoi_tham_gia", "-5", integer_reason),
        (10, "so_nguoi_tham_gia", "12.5", integer_reason),
        (11, "so_nguoi_tham_gia", "", "Ô bắt buộc đang trống."),
        (12, "ma_don_vi", "18880", duplicate),
        (13, "ma_don_vi", "18880", duplicate),
        (14, "thang", "", "Ô bắt buộc đang trống."),
    ]
    assert [(e.row, e.column, e.value, e.reason) for e in result.errors] == expected
    assert result.file == path
    with result.error_report.open(encoding="utf-8-sig") as handle:
        report = [tuple(row) for row in csv.reader(handle)]
    assert report[0] == ("dong", "cot", "gia_tri", "ly_do")
    assert report[1:] == [(str(row), column, value, reason) for row, column, value, reason in expected]
    assert result.error_report.name.startswith("aggregates-sai-")
    assert stored(engine) == table


def test_a_missing_column_is_reported_on_the_header_row(engine, tmp_path):
    path = write_csv(tmp_path / "thieu.csv", HEADER[:3], [["18880", "2026-09", "GD"]])
    result = import_file(engine, "aggregates", path)
    assert [(e.row, e.column, e.reason) for e in result.errors] == [
        (1, "so_nguoi_tham_gia", "Thiếu cột bắt buộc 'so_nguoi_tham_gia' của danh sách số liệu tổng hợp."),
    ]


def test_a_failure_while_writing_restores_the_replaced_unit_month(engine, tmp_path, monkeypatch):
    first = import_file(engine, "aggregates", write_csv(tmp_path / "thang9.csv", HEADER, [
        ["18880", "2026-09", "GD", "100"],
        ["18880", "2026-09", "HS", "30"],
    ]))
    original = load_module.apply_aggregates

    def apply_then_fail(connection, tables, import_id):
        original(connection, tables, import_id)
        raise RuntimeError("đĩa đầy")

    monkeypatch.setattr(load_module, "apply_aggregates", apply_then_fail)
    with pytest.raises(RuntimeError):
        import_file(engine, "aggregates", write_csv(tmp_path / "thang9_sua.csv", HEADER, [
            ["18880", "2026-09", "GD", "120"],
        ]))
    assert stored(engine) == [
        ("18880", SEPTEMBER, "GD", 100, first.import_id),
        ("18880", SEPTEMBER, "HS", 30, first.import_id),
    ]


def test_xlsx_with_date_cells_and_numeric_cells(engine, tmp_path):
    path = tmp_path / "tong_hop.xlsx"
    workbook = xlsxwriter.Workbook(path)
    sheet = workbook.add_worksheet()
    month_format = workbook.add_format({"num_format": "mm/yyyy"})
    sheet.write_row(0, 0, HEADER)
    # Excel turns a typed "09/2026" into the date 2026-09-01; a date with a time still means its month.
    sheet.write_number(1, 0, 18880)
    sheet.write_datetime(1, 1, datetime(2026, 9, 1), month_format)
    sheet.write_string(1, 2, "GD")
    sheet.write_number(1, 3, 15320)
    sheet.write_string(2, 0, "18949")
    sheet.write_datetime(2, 1, datetime(2026, 10, 15, 8, 30), month_format)
    sheet.write_string(2, 2, "dk")
    sheet.write_number(2, 3, 2952)
    sheet.write_string(3, 0, "18949")
    sheet.write_string(3, 1, "10/2026")
    sheet.write_string(3, 2, "DT")
    sheet.write_number(3, 3, 1182)
    workbook.close()

    result = import_file(engine, "aggregates", path)
    assert result.ok, result.errors
    assert [row[:4] for row in stored(engine)] == [
        ("18880", SEPTEMBER, "GD", 15320),
        ("18949", OCTOBER, "DK", 2952),
        ("18949", OCTOBER, "DT", 1182),
    ]


def test_the_current_month_is_accepted(engine, tmp_path):
    today = date.today()
    path = write_csv(tmp_path / "thang_nay.csv", HEADER, [["44", today.strftime("%m/%Y"), "GD", "9"]])
    result = import_file(engine, "aggregates", path)
    assert result.ok, result.errors
    assert [row[:4] for row in stored(engine)] == [("44", today.replace(day=1), "GD", 9)]

