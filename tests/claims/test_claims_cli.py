"""`bhyt claims ingest`: the summary with its throughput, and exit 2 with the error report for a rejected file."""

from __future__ import annotations

import csv
from pathlib import Path

from typer.testing import CliRunner

from bhyt.cli import app
from tests.claims.envelopes import drug_line, envelope, episode, hoso

runner = CliRunner()


def test_ingest_prints_what_it_wrote_and_its_throughput(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.xml").write_bytes(envelope([hoso(episode(), [drug_line(), drug_line(stt="2")])]))

    result = runner.invoke(app, ["claims", "ingest", str(folder), "--lake", str(tmp_path / "lake")])

    assert result.exit_code == 0, result.output
    assert "Đã đọc 1 tệp, 1 hồ sơ; ghi vào kho 1 hồ sơ (0 hồ sơ gửi lại thay thế bản cũ), 2 dòng" in result.stdout
    assert " hồ sơ/s, " in result.stdout and " dòng/s." in result.stdout


def test_a_rejected_file_exits_2_with_the_error_report(tmp_path: Path) -> None:
    file = tmp_path / "bad.xml"
    file.write_bytes(envelope([hoso(episode("LK0001")), hoso(episode("LK0002", NGAY_SINH="19851315"))]))
    report = tmp_path / "loi.csv"

    result = runner.invoke(app, ["claims", "ingest", str(file), "--lake", str(tmp_path / "lake"),
                                 "--errors", str(report)])

    assert result.exit_code == 2
    assert "1 tệp bị từ chối, không ghi gì vào kho: bad.xml." in result.stderr
    assert "NGAY_SINH" in result.stderr and "Ngày sinh không hợp lệ." in result.stderr
    with report.open(encoding="utf-8-sig", newline="") as handle:
        assert list(csv.reader(handle)) == [
            ["tep", "ma_lk", "bang", "truong", "gia_tri", "ly_do"],
            [str(file), "LK0002", "XML1", "NGAY_SINH", "19851315", "Ngày sinh không hợp lệ."]]
    assert not (tmp_path / "lake" / "_manifest.json").exists()
