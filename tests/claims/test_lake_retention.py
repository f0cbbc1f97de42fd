"""The files a write replaces outlive it for the lake's retention period: a reader that listed them just
before the write still reads them, the write after the period deletes them, a crashed write's files
go at once, and a manifest of the first format (no retired files) still reads."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import duckdb
import pytest

from bhyt.claims.lake import MANIFEST_FORMAT, RETENTION, ClaimsLake, LakeError
from bhyt.claims.tables import TABLES
from bhyt.ingest.claims_service import ingest_claims
from tests.claims.envelopes import drug_line, envelope, episode, hoso

START = datetime(2026, 3, 2, 8, 0, tzinfo=timezone.utc)


class Clock:
    """The lake's time, moved by the test."""

    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def lake(tmp_path: Path, clock: Clock) -> ClaimsLake:
    return ClaimsLake(tmp_path / "lake", clock=clock)


def send(tmp_path: Path, lake: ClaimsLake, name: str, claim: dict, facility: str = "79001") -> None:
    path = tmp_path / name
    path.write_bytes(envelope([claim], facility=facility))
    assert not ingest_claims([path], lake).errors


def paid(lake: ClaimsLake) -> list[tuple]:
    with duckdb.connect() as con:
        lake.register(con)
        return con.execute("SELECT ma_lk, t_bhtt FROM xml1 ORDER BY ma_lk").fetchall()


def on_disk(lake: ClaimsLake) -> set[str]:
    return {path.relative_to(lake.root).as_posix() for path in lake.root.rglob("*.parquet")}


def listed(lake: ClaimsLake) -> set[str]:
    return {path for paths in lake.manifest().values() for path in paths}


def test_a_reader_still_reads_the_files_it_listed_before_a_resend(tmp_path: Path, lake: ClaimsLake) -> None:
    send(tmp_path, lake, "1.xml", hoso(episode(T_BHTT="100.00"), [drug_line()]))
    before = lake.files("XML1")  # what an assessment starting now reads

    send(tmp_path, lake, "2.xml", hoso(episode(T_BHTT="200.00"), [drug_line()]))

    assert paid(lake) == [("LK0001", 200)]
    assert set(lake.files("XML1")).isdisjoint(before), "the partition was rewritten under new names"
    with duckdb.connect() as con:
        read = con.execute("SELECT ma_lk, t_bhtt FROM read_parquet(?)", [[str(path) for path in before]]).fetchall()
    assert read == [("LK0001", 100)]
    retired = lake.retired()
    assert {lake.root / path for path in retired} >= set(before) and set(retired.values()) == {START}


def test_a_write_past_the_retention_deletes_the_replaced_files(tmp_path: Path, lake: ClaimsLake,
                                                              clock: Clock) -> None:
    send(tmp_path, lake, "1.xml", hoso(episode(T_BHTT="100.00"), [drug_line()]))
    first = listed(lake)
    send(tmp_path, lake, "2.xml", hoso(episode(T_BHTT="200.00"), [drug_line()]))
    assert set(lake.retired()) == first and on_disk(lake) == listed(lake) | first

    clock.now = START + RETENTION - timedelta(seconds=1)
    send(tmp_path, lake, "3.xml", hoso(episode("LK0002", MA_CSKCB="79002")), "79002")  # another partition
    assert set(lake.retired()) == first and first <= on_disk(lake)

    clock.now = START + RETENTION
    send(tmp_path, lake, "4.xml", hoso(episode("LK0003", MA_CSKCB="79003")), "79003")
    assert lake.retired() == {} and on_disk(lake) == listed(lake)
    assert paid(lake) == [("LK0001", 200), ("LK0002", 144000), ("LK0003", 144000)]


def test_with_no_retention_a_write_deletes_what_it_replaced(tmp_path: Path) -> None:
    lake = ClaimsLake(tmp_path / "lake", retention=timedelta(0))
    send(tmp_path, lake, "1.xml", hoso(episode(T_BHTT="100.00")))
    send(tmp_path, lake, "2.xml", hoso(episode(T_BHTT="200.00")))

    assert lake.retired() == {} and on_disk(lake) == listed(lake)
    assert paid(lake) == [("LK0001", 200)]


def test_a_crashed_writes_files_go_at_the_next_write_and_the_retired_stay(
        tmp_path: Path, lake: ClaimsLake, monkeypatch: pytest.MonkeyPatch) -> None:
    send(tmp_path, lake, "1.xml", hoso(episode(T_BHTT="100.00"), [drug_line()]))
    send(tmp_path, lake, "2.xml", hoso(episode(T_BHTT="200.00"), [drug_line()]))
    retired, kept = set(lake.retired()), on_disk(lake)

    def crash(_self: ClaimsLake, _content: dict) -> None:
        raise OSError("đĩa đầy")

    with monkeypatch.context() as patch:
        patch.setattr(ClaimsLake, "_swap_manifest", crash)
        with pytest.raises(OSError):
            send(tmp_path, lake, "3.xml", hoso(episode(T_BHTT="300.00"), [drug_line()]))
    leftovers = on_disk(lake) - kept
    assert leftovers and paid(lake) == [("LK0001", 200)]

    send(tmp_path, lake, "4.xml", hoso(episode("LK0002", MA_CSKCB="79002")), "79002")

    assert on_disk(lake).isdisjoint(leftovers)
    assert retired <= set(lake.retired()) and on_disk(lake) == listed(lake) | retired


def test_a_manifest_of_the_first_format_still_reads_and_is_written_anew(tmp_path: Path, lake: ClaimsLake) -> None:
    send(tmp_path, lake, "1.xml", hoso(episode(T_BHTT="100.00"), [drug_line()]))
    first = listed(lake)
    lake.manifest_path.write_text(json.dumps({"format": 1, "datasets": lake.manifest()}), encoding="utf-8")

    assert paid(lake) == [("LK0001", 100)] and lake.retired() == {}
    send(tmp_path, lake, "2.xml", hoso(episode(T_BHTT="200.00"), [drug_line()]))

    assert json.loads(lake.manifest_path.read_text(encoding="utf-8"))["format"] == MANIFEST_FORMAT
    assert paid(lake) == [("LK0001", 200)] and set(lake.retired()) == first


@pytest.mark.parametrize("content", [
    {"format": 3, "datasets": {}},
    {"format": 2, "datasets": {}, "retired": {"xml1/month=2026-01/facility=79001/part-x.parquet": "hôm qua"}},
    {"format": 2, "datasets": []},
])
def test_a_manifest_that_cannot_be_read_is_a_clear_error(lake: ClaimsLake, content: dict) -> None:
    lake.root.mkdir(parents=True)
    lake.manifest_path.write_text(json.dumps(content), encoding="utf-8")
    with pytest.raises(LakeError, match="Tệp danh mục của kho hồ sơ bị hỏng"):
        lake.files(next(iter(TABLES)))
