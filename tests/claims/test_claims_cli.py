"""`bhyt claims ingest`: the summary with its throughput, exit 2 with the error report for a rejected file,
and in tolerant mode exit 1 when claims or files were dropped, 0 when none was."""

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


def test_tolerant_mode_exits_1_when_it_dropped_claims_or_files_and_0_when_it_dropped_none(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.xml").write_bytes(envelope([hoso(episode("LK0001")), hoso(episode("LK0002", NGAY_SINH="19851315"))]))
    (folder / "b.xml").write_bytes(b"<GIAMDINHHS><THONGTINDONVI>")
    lake = tmp_path / "lake"

    dropped = runner.invoke(app, ["claims", "ingest", str(folder), "--tolerant", "--lake", str(lake)])

    assert dropped.exit_code == 1, dropped.output
    assert "Đã đọc 2 tệp, 2 hồ sơ; ghi vào kho 1 hồ sơ" in dropped.stdout
    assert "1 hồ sơ có lỗi không được ghi." in dropped.stdout
    assert "Ngày sinh không hợp lệ." in dropped.stderr and "b.xml" in dropped.stderr
    assert "bị từ chối" not in dropped.stderr
    assert (lake / "_manifest.json").exists()

    (folder / "a.xml").write_bytes(envelope([hoso(episode("LK0002"))]))
    (folder / "b.xml").unlink()
    clean = runner.invoke(app, ["claims", "ingest", str(folder), "--tolerant", "--lake", str(lake)])

    assert clean.exit_code == 0, clean.output
    assert "ghi vào kho 1 hồ sơ" in clean.stdout and "có lỗi" not in clean.stdout
