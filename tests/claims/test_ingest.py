"""Ingesting QĐ 130 claim files into the Parquet lake: every field kept, precise errors, tolerant mode,
re-sent claims replacing old ones, and a lake left as it was by a rejected file or a failed write."""

from __future__ import annotations

import base64
from pathlib import Path

import duckdb
import pytest

from bhyt.claims.lake import ClaimsLake, column_name
from bhyt.claims.tables import TABLES, Kind, parse_value
from bhyt.ingest.claims_xml import ClaimError, ClaimFile
from bhyt.ingest.claims_service import ingest_claims
from tests.claims.envelopes import drug_line, envelope, episode, hoso, service_line, table_xml

SAMPLES = {
    Kind.DIGITS: "0123456789012345", Kind.INTEGER: "7", Kind.MONEY: "1234567.05", Kind.QUANTITY: "12.345",
    Kind.PERCENT: "80", Kind.DATETIME: "202601051030", Kind.DATE: "20240229",
    Kind.PARTIAL_DATETIME: "198500000000",
}


def every_field(table: str, ma_lk: str) -> dict[str, str]:
    """A text for every field of a table, each as long as its kind allows, with leading zeros."""
    texts = {}
    for field in TABLES[table].fields:
        sample = SAMPLES.get(field.kind, "0 Ngô Văn Đức; " + field.name)
        texts[field.name] = sample[:field.max_length] if field.max_length else sample
    return {**texts, "MA_LK": ma_lk}


def write(folder: Path, name: str, content: bytes) -> Path:
    path = folder / name
    path.write_bytes(content)
    return path


def rows(lake: ClaimsLake, sql: str) -> list[tuple]:
    with duckdb.connect() as con:
        lake.register(con)
        return con.execute(sql).fetchall()


def snapshot(lake: ClaimsLake) -> dict[str, list[tuple]]:
    return {table: rows(lake, f"SELECT * FROM {table.lower()} ORDER BY ALL") for table in TABLES}


@pytest.fixture
def lake(tmp_path: Path) -> ClaimsLake:
    return ClaimsLake(tmp_path / "lake")


def test_every_field_of_every_table_round_trips(tmp_path: Path, lake: ClaimsLake) -> None:
    texts = {table: every_field(table, "00LK-1") for table in TABLES}
    texts["XML1"]["MA_CSKCB"] = "01001"  # a facility code with a leading zero names its partition
    contents = {table: table_xml(table, [texts[table]]) for table in TABLES}
    file = write(tmp_path, "all.xml", envelope([contents], facility="01001"))

    report = ingest_claims([file], lake)

    assert report.errors == [] and report.claims_kept == 1 and report.lines_kept == 2
    for table, table_texts in texts.items():
        fields = TABLES[table].fields
        names = ", ".join(column_name(field) for field in fields)
        [stored] = rows(lake, f"SELECT {names}, month, facility FROM {table.lower()}")
        expected = tuple(parse_value(field, table_texts[field.name]) for field in fields)
        assert stored == (*expected, "2026-01", "01001"), table
    [(cccd, nationality, job, birth)] = rows(lake, "SELECT so_cccd, ma_quoctich, ma_nghe_nghiep, ngay_sinh FROM xml1")
    assert (cccd, nationality, job, birth) == ("012345678901234", "012", "01234", "198500000000")


def test_a_good_envelope_lands_partitioned_by_settlement_month_and_facility(tmp_path: Path,
                                                                          lake: ClaimsLake) -> None:
    paid_later = episode("LK0002", NGAY_TTOAN="202602031200")
    unpaid = episode("LK0003", NGAY_TTOAN="")  # falls back to the discharge month
    file = write(tmp_path, "a.xml", envelope([
        hoso(episode(), [drug_line()], [service_line(), service_line(stt="2")]),
        hoso(paid_later, [drug_line("LK0002")]), hoso(unpaid)]))

    report = ingest_claims([file], lake)

    assert (report.claims_kept, report.lines_kept, report.written.partitions) == (3, 4, 2)
    assert rows(lake, "SELECT ma_lk, month, facility FROM xml1 ORDER BY ma_lk") == [
        ("LK0001", "2026-01", "79001"), ("LK0002", "2026-02", "79001"), ("LK0003", "2026-01", "79001")]
    assert rows(lake, "SELECT ma_lk, stt, month FROM xml3 ORDER BY stt") == [
        ("LK0001", 1, "2026-01"), ("LK0001", 2, "2026-01")]
    folders = sorted(path.parent.relative_to(lake.root).as_posix() for path in lake.files("XML2"))
    assert folders == ["xml2/month=2026-01/facility=79001", "xml2/month=2026-02/facility=79001"]


def _good_and(bad: dict) -> list[dict]:
    return [hoso(episode("LK0001"), [drug_line("LK0001")]), bad]


BAD_CLAIMS = {
    "bad date": (hoso(episode("LK0009", NGAY_VAO="202602301000")),
                 ("LK0009", "XML1", "NGAY_VAO", "202602301000",
                  "Không phải ngày giờ dạng yyyymmddHHMM có thật.")),
    "date too short": (hoso(episode("LK0009", NGAY_RA="20260106")),
                       ("LK0009", "XML1", "NGAY_RA", "20260106", "Phải là ngày giờ dạng yyyymmddHHMM.")),
    "money with a comma": (hoso(episode("LK0009"), [drug_line("LK0009", THANH_TIEN_BV="30.000,00")]),
                           ("LK0009", "XML2", "THANH_TIEN_BV", "30.000,00",
                            "Không phải số tiền (chỉ gồm chữ số và dấu chấm thập phân).")),
    "money in words": (hoso(episode("LK0009", T_BHTT="một trăm")),
                       ("LK0009", "XML1", "T_BHTT", "một trăm",
                        "Không phải số tiền (chỉ gồm chữ số và dấu chấm thập phân).")),
    "missing MA_LK": (hoso(episode("")), ("", "XML1", "MA_LK", "", "Thiếu giá trị bắt buộc.")),
    "bad base64": ({**hoso(episode("LK0009")), "XML2": "không phải base64!"},
                   ("LK0009", "XML2", "NOIDUNGFILE", "không phải base64!",
                    "NOIDUNGFILE rỗng hoặc không phải base64 hợp lệ.")),
    "malformed inner XML": ({**hoso(episode("LK0009")), "XML3": b"<CHITIEU_CHITIET_DVKT_VTYT><DSACH>"},
                            ("LK0009", "XML3", "NOIDUNGFILE", "",
                             "Nội dung XML3 không phải XML hợp lệ (dòng 1): "
                             "Premature end of data in tag DSACH line 1, line 1, column 35")),
    "line of another claim": (hoso(episode("LK0009"), [drug_line("LK0008")]),
                              ("LK0009", "XML2", "MA_LK", "LK0008", "MA_LK khác với MA_LK của bảng XML1 (LK0009).")),
    "facility not the sender's": (hoso(episode("LK0009", MA_CSKCB="79002")),
                                  ("LK0009", "XML1", "MA_CSKCB", "79002",
                                   "Khác mã cơ sở của hồ sơ gửi (MACSKCB 79001).")),
    "no episode": ({"XML2": table_xml("XML2", [drug_line("LK0009")])},
                   ("", "XML1", "", "", "Hồ sơ thiếu bảng XML1 (chỉ tiêu tổng hợp).")),
    "unknown field": (hoso(episode("LK0009", MA_LA="x")),
                      ("LK0009", "XML1", "MA_LA", "x", "Trường không có trong Bảng 1: chỉ tiêu tổng hợp.")),
    "code too long": (hoso(episode("LK0009", MA_BENH_CHINH="J18.9001")),
                      ("LK0009", "XML1", "MA_BENH_CHINH", "J18.9001", "Dài 8 ký tự, vượt độ dài tối đa 7.")),
}


@pytest.mark.parametrize("bad, expected", BAD_CLAIMS.values(), ids=BAD_CLAIMS.keys())
def test_a_bad_claim_gives_its_precise_error_and_rejects_its_file(tmp_path: Path, lake: ClaimsLake, bad: dict,
                                                                  expected: tuple) -> None:
    file = write(tmp_path, "bad.xml", envelope(_good_and(bad)))

    report = ingest_claims([file], lake)

    assert report.errors == [ClaimError(str(file), *expected)]
    assert report.rejected_files == [str(file)]
    assert report.claims_kept == 0 and lake.files("XML1") == []


@pytest.mark.parametrize("bad, expected", BAD_CLAIMS.values(), ids=BAD_CLAIMS.keys())
def test_tolerant_mode_keeps_the_good_claims(tmp_path: Path, lake: ClaimsLake, bad: dict, expected: tuple) -> None:
    file = write(tmp_path, "bad.xml", envelope(_good_and(bad)))

    report = ingest_claims([file], lake, tolerant=True)

    assert report.errors == [ClaimError(str(file), *expected)] and report.rejected_files == []
    assert (report.claims_read, report.claims_kept, report.claims_rejected) == (2, 1, 1)
    assert rows(lake, "SELECT ma_lk FROM xml1") == [("LK0001",)]
    assert rows(lake, "SELECT ma_lk, stt FROM xml2") == [("LK0001", 1)]


def test_malformed_envelope_is_rejected_with_its_line(tmp_path: Path, lake: ClaimsLake) -> None:
    whole = envelope([hoso(episode("LK0001")), hoso(episode("LK0002"))]).decode()
    file = write(tmp_path, "cut.xml", whole[: whole.index("<HOSO>", whole.index("</HOSO>"))].encode()
                 + b"<HOSO><FILEHOSO>\n</HOSO>")

    strict = ingest_claims([file], lake)
    tolerant = ingest_claims([file], lake, tolerant=True)

    [error] = strict.errors
    assert (error.ma_lk, error.table, error.field) == ("", "", "")
    assert error.reason.startswith("XML không hợp lệ (dòng 3): Opening and ending tag mismatch: FILEHOSO")
    assert strict.rejected_files == [str(file)] and strict.claims_kept == 0
    # The claim read whole before the break is good; tolerant mode keeps it.
    assert tolerant.errors == strict.errors and tolerant.claims_kept == 1


def test_a_claim_count_unlike_the_file_s_is_an_error(tmp_path: Path, lake: ClaimsLake) -> None:
    content = envelope([hoso(episode())]).replace(b"<SOLUONGHOSO>1<", b"<SOLUONGHOSO>2<")
    file = write(tmp_path, "a.xml", content)

    report = ingest_claims([file], lake)

    assert report.errors == [ClaimError(str(file), "", "", "SOLUONGHOSO", "2", "Tệp có 1 hồ sơ, khác số hồ sơ đã ghi.")]
    assert report.rejected_files == [str(file)]


def test_claims_read_are_dropped_from_memory(tmp_path: Path) -> None:
    file = write(tmp_path, "a.xml", envelope([hoso(episode(f"LK{number}")) for number in range(50)]))
    with file.open("rb") as stream:
        reader = ClaimFile(str(file), stream)
        results = list(reader.results())
        listing = reader._events.root.find("THONGTINHOSO/DANHSACHHOSO")

    assert len(results) == 50 and all(result.claim for result in results)
    assert len(listing) == 1 and len(listing[0]) == 0  # the last HOSO, emptied


def test_a_file_that_is_no_claim_is_rejected(tmp_path: Path, lake: ClaimsLake) -> None:
    file = write(tmp_path, "other.xml", b"<?xml version='1.0'?><BAOCAO><A>1</A></BAOCAO>")

    report = ingest_claims([file], lake)

    [error] = report.errors
    assert (error.value, report.rejected_files) == ("BAOCAO", [str(file)])
    assert error.reason.startswith("Thẻ gốc không phải hồ sơ XML 130 (cần một trong: GIAMDINHHS, TONG_HOP,")


def test_strict_mode_writes_the_good_files_and_rejects_the_bad(tmp_path: Path, lake: ClaimsLake) -> None:
    good = write(tmp_path, "1.xml", envelope([hoso(episode("LK0001"))]))
    bad = write(tmp_path, "2.xml", envelope([hoso(episode("LK0002")), hoso(episode("LK0003", GIOI_TINH="nữ"))]))

    report = ingest_claims([tmp_path], lake)

    assert report.files == [good, bad] and report.rejected_files == [str(bad)]
    assert rows(lake, "SELECT ma_lk FROM xml1") == [("LK0001",)]


def test_resending_a_claim_replaces_it_even_in_another_month_and_facility(tmp_path: Path, lake: ClaimsLake) -> None:
    first = write(tmp_path, "1.xml", envelope([
        hoso(episode("LK0001", NGAY_TTOAN=""), [drug_line(), drug_line(stt="2")], [service_line()]),
        hoso(episode("LK0002"), [drug_line("LK0002")])]))
    ingest_claims([first], lake)
    # Paid in February and re-sent, by the facility it was transferred to, with one drug line fewer.
    moved = episode("LK0001", NGAY_TTOAN="202602101000", MA_CSKCB="79002", T_THUOC="15000.00")
    resent = write(tmp_path, "2.xml", envelope([hoso(moved, [drug_line(THANH_TIEN_BV="15000.00")])],
                                               facility="79002"))

    report = ingest_claims([resent], lake)

    assert (report.written.claims, report.written.replaced, report.written.partitions) == (1, 1, 2)
    assert rows(lake, "SELECT ma_lk, month, facility, t_thuoc FROM xml1 ORDER BY ma_lk") == [
        ("LK0001", "2026-02", "79002", 15000), ("LK0002", "2026-01", "79001", 30000)]
    assert rows(lake, "SELECT ma_lk, stt, thanh_tien_bv, facility FROM xml2 ORDER BY ma_lk") == [
        ("LK0001", 1, 15000, "79002"), ("LK0002", 1, 30000, "79001")]
    assert rows(lake, "SELECT count(*) FROM xml3") == [(0,)]
    assert lake.files("XML3") == []
    on_disk = sorted(path.relative_to(lake.root).as_posix() for path in lake.root.rglob("*.parquet"))
    listed = sorted(path.relative_to(lake.root).as_posix() for table in TABLES for path in lake.files(table))
    # The replaced files stay for the readers that listed them before the write (see test_lake_retention).
    assert on_disk == sorted([*listed, *lake.retired()])


def test_the_last_copy_of_a_claim_in_one_run_wins(tmp_path: Path, lake: ClaimsLake) -> None:
    write(tmp_path, "1.xml", envelope([hoso(episode(T_BHTT="1.00"))]))
    write(tmp_path, "2.xml", envelope([hoso(episode(T_BHTT="2.00"))]))

    report = ingest_claims([tmp_path], lake)

    assert (report.claims_kept, report.written.claims) == (2, 1)
    assert rows(lake, "SELECT ma_lk, t_bhtt FROM xml1") == [("LK0001", 2)]


def test_a_rejected_resend_leaves_the_lake_as_it_was(tmp_path: Path, lake: ClaimsLake) -> None:
    ingest_claims([write(tmp_path, "1.xml", envelope([hoso(episode(), [drug_line()])]))], lake)
    before, manifest = snapshot(lake), lake.manifest_path.read_bytes()
    bad = write(tmp_path, "2.xml", envelope([hoso(episode(NGAY_TTOAN="202603011000")),
                                             hoso(episode("LK0002", NGAY_RA="hôm qua"))]))

    report = ingest_claims([bad], lake)

    assert report.rejected_files == [str(bad)]
    assert snapshot(lake) == before and lake.manifest_path.read_bytes() == manifest


def test_a_write_that_fails_midway_leaves_the_lake_as_it_was(tmp_path: Path, lake: ClaimsLake,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    ingest_claims([write(tmp_path, "1.xml", envelope([hoso(episode(), [drug_line()])]))], lake)
    before = snapshot(lake)
    resent = write(tmp_path, "2.xml", envelope([hoso(episode(NGAY_TTOAN="202603011000"), [drug_line()]),
                                                hoso(episode("LK0002"))]))

    def crash(_manifest: dict) -> None:
        raise OSError("đĩa đầy")

    with monkeypatch.context() as patch:
        patch.setattr(ClaimsLake, "_swap_manifest", lambda self, manifest: crash(manifest))
        with pytest.raises(OSError):
            ingest_claims([resent], lake)
    assert snapshot(lake) == before
    # The next write clears what the failed one left behind, and is applied whole.
    ingest_claims([resent], lake)
    assert rows(lake, "SELECT ma_lk, month FROM xml1 ORDER BY ma_lk") == [("LK0001", "2026-03"), ("LK0002", "2026-01")]
    on_disk = {path for path in lake.root.rglob("*.parquet")}
    retired = {lake.root / path for path in lake.retired()}
    assert on_disk == {path for table in TABLES for path in lake.files(table)} | retired


def test_bare_table_files_make_claims_together(tmp_path: Path, lake: ClaimsLake) -> None:
    folder = tmp_path / "bare"
    folder.mkdir()
    write(folder, "XML1.xml", table_xml("XML1", [episode("LK0001")]))
    write(folder, "XML2.xml", table_xml("XML2", [drug_line("LK0001"), drug_line("LK0001", stt="2")]))
    write(folder, "XML3.xml", table_xml("XML3", [service_line("LK0001")]))

    report = ingest_claims([folder], lake)

    assert report.errors == [] and report.claims_kept == 1 and report.lines_kept == 3
    assert rows(lake, "SELECT ma_lk, count(*) FROM xml2 GROUP BY ma_lk") == [("LK0001", 2)]


def test_bare_lines_without_their_episode_reject_the_batch(tmp_path: Path, lake: ClaimsLake) -> None:
    write(tmp_path, "XML1.xml", table_xml("XML1", [episode("LK0001")]))
    lines = write(tmp_path, "XML2.xml", table_xml("XML2", [drug_line("LK0001"), drug_line("LK0002")]))

    strict = ingest_claims([tmp_path], lake)
    tolerant = ingest_claims([tmp_path], lake, tolerant=True)

    assert strict.errors == [ClaimError(str(lines), "LK0002", "XML1", "", "",
                                        "Hồ sơ thiếu bảng XML1 (chỉ tiêu tổng hợp).")]
    assert sorted(strict.rejected_files) == sorted(str(path) for path in tmp_path.glob("*.xml"))
    assert tolerant.claims_kept == 1 and rows(lake, "SELECT ma_lk FROM xml1") == [("LK0001",)]


def test_base64_wrapped_over_lines_is_read(tmp_path: Path, lake: ClaimsLake) -> None:
    encoded = base64.encodebytes(table_xml("XML1", [episode()])).decode("ascii")  # 76-character lines
    file = write(tmp_path, "wrapped.xml", envelope([{"XML1": encoded}]))

    assert ingest_claims([file], lake).claims_kept == 1


def test_tables_the_lake_does_not_keep_are_counted_not_refused(tmp_path: Path, lake: ClaimsLake) -> None:
    claim = {**hoso(episode()), "XML7": b"<CHI_TIEU_DU_LIEU_GIAY_RA_VIEN/>", "XML14": b"<CHI_TIEU_GIAYHEN_KHAMLAI/>"}
    file = write(tmp_path, "a.xml", envelope([claim]))

    report = ingest_claims([file], lake)

    assert report.errors == [] and report.skipped_tables == {"XML7": 1, "XML14": 1}
