"""`bhyt import aggregates`: the README's example report of two communes for two months."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlalchemy import func, select
from typer.testing import CliRunner

from bhyt.cli import app
from bhyt.store.db import make_engine
from bhyt.store.models import AggregateCount
from tests.conftest import write_csv

EXAMPLE = Path(__file__).parents[2] / "examples" / "tong_hop.csv"
runner = CliRunner()


def totals(database_url: str) -> list[tuple]:
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            return [tuple(row) for row in connection.execute(
                select(AggregateCount.unit_code, AggregateCount.month, func.count(), func.sum(AggregateCount.insured))
                .group_by(AggregateCount.unit_code, AggregateCount.month)
                .order_by(AggregateCount.unit_code, AggregateCount.month)
            )]
    finally:
        engine.dispose()


def test_the_example_report_imports_and_reimports_unchanged(database_url):
    result = runner.invoke(app, ["import", "aggregates", str(EXAMPLE)])
    assert result.exit_code == 0, result.output
    assert "Đã nhập tong_hop.csv: 42 dòng — thêm mới 42, cập nhật 0, không đổi 0." in result.stdout
    # Sums of the file's rows, added by hand: 11 codes in Đồng Hới, 10 in Đồng Lê.
    assert totals(database_url) == [
        ("18880", date(2026, 9, 1), 11, 48690),
        ("18880", date(2026, 10, 1), 11, 48900),
        ("18949", date(2026, 9, 1), 10, 5885),
        ("18949", date(2026, 10, 1), 10, 5890),
    ]
    again = runner.invoke(app, ["import", "aggregates", str(EXAMPLE)])
    assert "Đã nhập tong_hop.csv: 42 dòng — thêm mới 0, cập nhật 0, không đổi 42." in again.stdout


def test_a_bad_report_exits_2_naming_file_row_column_value_and_reason(database_url, tmp_path):
    path = write_csv(tmp_path / "bao_cao_sai.csv", ["ma_don_vi", "thang", "ma_doi_tuong", "so_nguoi_tham_gia"],
                     [["18880", "2026-09", "GD", "100"], ["18880", "thang 9", "TE", "50"]])
    result = runner.invoke(app, ["import", "aggregates", str(path)])
    assert result.exit_code == 2
    assert "Tệp bao_cao_sai.csv bị từ chối: 1 lỗi, không ghi dòng nào." in result.output
    assert "dòng 3, cột thang, giá trị 'thang 9': Tháng không hợp lệ" in result.output
    assert totals(database_url) == []
