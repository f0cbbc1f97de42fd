"""The claims lake: one Parquet dataset per claim table (xml1 episodes, xml2 drug lines, xml3 service
and supply lines, xml4 results, xml5 clinical course), Hive-partitioned by settlement month and
facility (`xml2/month=2026-01/facility=79001/part-….parquet`), every row keyed by MA_LK.

Which files make the lake is written in one manifest (`_manifest.json`), swapped atomically: a write
puts its new files beside the old ones under new names, then replaces the manifest. A crash before the
swap leaves the lake exactly as it was (the new files are unlisted, and the next write removes them);
readers only read listed files.

The files a write replaced are not deleted at its swap: a reader that listed them a moment before (an
assessment runs for minutes) still reads them. The new manifest records each as retired, with the time
(`"retired": {path: ISO time}`), and a write deletes a retired file once RETENTION has passed since, as
Delta's and Iceberg's vacuum keep replaced files for a retention period. A file neither listed nor
retired is a crashed write's and is deleted at the next write. Manifests of format 1 (no retired
files) read as they are.

Re-sending a claim (same MA_LK) replaces it, as the portal does: every partition that holds the old
claim or receives the new one is rewritten without the old rows and with the new ones, so a claim
that moves to another month (paid later) or facility is never counted twice.
"""

from __future__ import annotations

import fcntl
import functools
import itertools
import json
import os
import shutil
import uuid
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from bhyt.claims.tables import PRECISIONS, SCALES, TABLES, Field, Kind
from bhyt.ingest.claims_xml import Claim

MANIFEST = "_manifest.json"
# 2 added the retired files; 1 is read as having none.
MANIFEST_FORMAT = 2
# How long a replaced file outlives the write that replaced it: longer than any reader's run.
RETENTION = timedelta(hours=1)
PARTITIONS = ("month", "facility")
# The order a claim's rows are written in: what the staged rows carry besides their fields.
SEQUENCE = "_seq"
# A rewrite of big partitions sorts them; past this DuckDB spills to disk instead of growing.
WRITE_MEMORY = "1GB"
# Rows per Parquet row group, and per batch read back from DuckDB.
ROW_GROUP_ROWS = 122_880
HIVE_OPTIONS = "hive_partitioning = true, hive_types = {'month': VARCHAR, 'facility': VARCHAR}"
# Which partitions to read: true for the (month, facility) of one.
Partitions = Callable[[str, str], bool]


def partitions_of(month: str | None = None, facility: str | None = None, prefixes: tuple[str, ...] = ()) -> Partitions:
    """The partitions of `month` and of `facility`, and of the facilities whose code begins with one of
    `prefixes` (a province's): each test left out is no test."""
    return lambda at, of: ((not month or at == month) and (not facility or of == facility)
                           and (not prefixes or of.startswith(prefixes)))


def dataset_name(table: str) -> str:
    return table.lower()


def column_name(field: Field) -> str:
    return field.name.lower()


def _arrow_type(field: Field) -> pa.DataType:
    if field.kind in SCALES:
        return pa.decimal128(PRECISIONS[field.kind], SCALES[field.kind])
    return {
        Kind.INTEGER: pa.int64(),
        Kind.DATETIME: pa.timestamp("us"),
        Kind.DATE: pa.date32(),
    }.get(field.kind, pa.string())


@functools.cache
def schema(table: str) -> pa.Schema:
    """The columns of a table in the lake's files (the partition columns come from the folders)."""
    return pa.schema([pa.field(column_name(field), _arrow_type(field)) for field in TABLES[table].fields])


class LakeError(RuntimeError):
    """The lake cannot be written (locked by a write in progress, or its manifest is damaged)."""


class Staging:
    """Good claims waiting to be written, spooled to Parquet in `folder` a batch at a time so memory
    stays bounded. Claims are staged in groups (one per input file); a group can be dropped whole
    until the lake is written, which is how a rejected file leaves nothing behind."""

    KEPT = ""  # the group that the kept groups' rows join

    def __init__(self, folder: Path, batch_rows: int = 10_000):
        self.folder = folder
        self.batch_rows = batch_rows
        self._sequence = 0
        self._buffers: dict[str, dict[str, dict[str, list]]] = {}  # group → table → column → values
        self._files: dict[str, list[Path]] = {}
        self.claims = 0
        self.lines = 0

    def add(self, group: str, claim: Claim) -> None:
        """Stage a claim; its rows hold every field of their table, in the table's order."""
        self._sequence += 1
        for table, rows in claim.rows.items():
            columns = self._buffer(group, table)
            # Rows to columns in one transposition: zip(*) runs in C.
            for column, values in zip(columns.values(), zip(*(row.values() for row in rows))):
                column.extend(values)
            columns[SEQUENCE].extend([self._sequence] * len(rows))
            if table == "XML1":
                columns["month"].extend([claim.month] * len(rows))
                columns["facility"].extend([claim.facility] * len(rows))
            if len(columns[SEQUENCE]) >= self.batch_rows:
                self._flush(group, table)

    def keep(self, group: str, claims: int, lines: int) -> None:
        """The group is complete and good: it will be written."""
        for table, columns in self._buffers.pop(group, {}).items():
            kept = self._buffer(self.KEPT, table)
            for name, values in columns.items():
                kept[name].extend(values)
            if len(kept[SEQUENCE]) >= self.batch_rows:
                self._flush(self.KEPT, table)
        self._files.setdefault(self.KEPT, []).extend(self._files.pop(group, []))
        self.claims += claims
        self.lines += lines

    def drop(self, group: str) -> None:
        """The group is rejected: none of it will be written."""
        self._buffers.pop(group, None)
        for path in self._files.pop(group, []):
            path.unlink()

    def staged(self, table: str) -> list[Path]:
        """The files of a table's kept rows, once every buffer is on disk."""
        for buffered in list(self._buffers.get(self.KEPT, {})):
            self._flush(self.KEPT, buffered)
        prefix = self.folder / dataset_name(table)
        return [path for path in self._files.get(self.KEPT, []) if path.parent == prefix]

    def _buffer(self, group: str, table: str) -> dict[str, list]:
        tables = self._buffers.setdefault(group, {})
        if table not in tables:
            names = [*schema(table).names, SEQUENCE, *(PARTITIONS if table == "XML1" else ())]
            tables[table] = {name: [] for name in names}
        return tables[table]

    def _flush(self, group: str, table: str) -> None:
        columns = self._buffers.get(group, {}).pop(table, None)
        if not columns or not columns[SEQUENCE]:
            return
        fields = list(schema(table)) + [pa.field(SEQUENCE, pa.int64())]
        if table == "XML1":
            fields += [pa.field(name, pa.string()) for name in PARTITIONS]
        folder = self.folder / dataset_name(table)
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{uuid.uuid4().hex}.parquet"
        pq.write_table(pa.table(columns, schema=pa.schema(fields)), path)
        self._files.setdefault(group, []).append(path)


@dataclass(frozen=True)
class WriteResult:
    claims: int  # distinct MA_LK written
    replaced: int  # of which already in the lake (re-sent)
    partitions: int  # month × facility partitions rewritten


def _sql_list(paths: list[Path]) -> str:
    return "[" + ", ".join("'" + str(path).replace("'", "''") + "'" for path in paths) + "]"


def _scan_sql(files: list[Path]) -> str | None:
    return f"read_parquet({_sql_list(files)}, {HIVE_OPTIONS})" if files else None


def _utc_now() -> datetime:
    return datetime.now(timezone.utc)


class ClaimsLake:
    def __init__(self, root: Path, retention: timedelta = RETENTION, clock: Callable[[], datetime] = _utc_now):
        self.root = root
        self.retention = retention
        self.clock = clock

    @property
    def manifest_path(self) -> Path:
        return self.root / MANIFEST

    def manifest(self) -> dict[str, list[str]]:
        """Per dataset, the files that make it (paths relative to the lake's folder)."""
        return self._read_manifest()[0]

    def retired(self) -> dict[str, datetime]:
        """The files writes replaced (paths relative to the lake's folder), each with the time its write
        replaced it: on disk until RETENTION has passed since, for the readers that listed them before."""
        return self._read_manifest()[1]

    def _read_manifest(self) -> tuple[dict[str, list[str]], dict[str, datetime]]:
        empty = {dataset_name(table): [] for table in TABLES}
        if not self.manifest_path.exists():
            return empty, {}
        try:
            content = json.loads(self.manifest_path.read_text(encoding="utf-8"))
            if content.get("format", 1) not in (1, MANIFEST_FORMAT):
                raise ValueError(f"định dạng {content['format']} không được hỗ trợ")
            listed = {**empty, **content["datasets"]}
            retired = {path: datetime.fromisoformat(when).astimezone(timezone.utc)
                       for path, when in content.get("retired", {}).items()}
        except (ValueError, KeyError, TypeError, AttributeError) as error:
            raise LakeError(f"Tệp danh mục của kho hồ sơ bị hỏng: {self.manifest_path} ({error}).") from None
        return listed, retired

    def files(self, table: str, partitions: Partitions | None = None) -> list[Path]:
        """The dataset's files; with `partitions`, only those of the partitions it accepts, told by their
        folders without opening a file."""
        return self._chosen(self.manifest()[dataset_name(table)], partitions)

    def _chosen(self, listed: list[str], partitions: Partitions | None) -> list[Path]:
        return [self.root / name for name in listed if partitions is None or partitions(*_partition(name))]

    def scan_sql(self, table: str, partitions: Partitions | None = None) -> str | None:
        """A DuckDB table expression reading the dataset (only `partitions`, if given), or None while
        that has no file."""
        return _scan_sql(self.files(table, partitions))

    def register(self, con: duckdb.DuckDBPyConnection, partitions: Partitions | None = None) -> None:
        """Views xml1 … xml5 on the connection over the lake as one manifest lists it now (empty ones
        when it is empty), or over the partitions `partitions` accepts: the table's fields in the
        decision's order, then month and facility."""
        manifest = self.manifest()
        for table in TABLES:
            name = dataset_name(table)
            scan = _scan_sql(self._chosen(manifest[name], partitions))
            if scan is None:
                empty = schema(table)
                for partition in PARTITIONS:
                    empty = empty.append(pa.field(partition, pa.string()))
                con.register(f"_{name}_empty", empty.empty_table())
                scan = f"_{name}_empty"
            columns = ", ".join([*schema(table).names, *PARTITIONS])
            con.execute(f"CREATE OR REPLACE TEMP VIEW {name} AS SELECT {columns} FROM {scan}")

    @contextmanager
    def _locked(self) -> Iterator[None]:
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.root / ".lock", "w") as lock:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise LakeError(f"Kho hồ sơ {self.root} đang được ghi bởi một lệnh khác.") from None
            yield

    def write(self, staging: Staging) -> WriteResult:
        """Put the staged claims in the lake, replacing any claim with the same MA_LK: all or nothing."""
        with self._locked():
            manifest, retired = self._read_manifest()
            self._remove_unlisted(manifest, retired)
            staged_episodes = staging.staged("XML1")
            if not staged_episodes:
                return WriteResult(0, 0, 0)
            spill = self.root / "_tmp"
            spill.mkdir(exist_ok=True)
            with duckdb.connect(config={"memory_limit": WRITE_MEMORY, "temp_directory": str(spill)}) as con:
                # The last copy of each MA_LK staged wins, as the last one sent does on the portal.
                con.execute(f"""
                    CREATE TEMP TABLE incoming AS
                    SELECT ma_lk, {SEQUENCE}, month, facility FROM read_parquet({_sql_list(staged_episodes)})
                    QUALIFY row_number() OVER (PARTITION BY ma_lk ORDER BY {SEQUENCE} DESC) = 1""")
                affected = set(con.execute("SELECT DISTINCT month, facility FROM incoming").fetchall())
                replaced = 0
                old_episodes = self.scan_sql("XML1")
                if old_episodes:
                    old = con.execute(f"""SELECT DISTINCT month, facility, ma_lk FROM {old_episodes}
                                          WHERE ma_lk IN (SELECT ma_lk FROM incoming)""").fetchall()
                    affected |= {(month, facility) for month, facility, _ma_lk in old}
                    replaced = len({ma_lk for _month, _facility, ma_lk in old})
                incoming_keys = con.execute("SELECT ma_lk FROM incoming").to_arrow_table().column("ma_lk")
                new_manifest = {name: self._rewrite(con, table, name, manifest[name], affected, incoming_keys, staging)
                                for table in TABLES for name in [dataset_name(table)]}
                claims = con.execute("SELECT count(*) FROM incoming").fetchone()[0]
            now = self.clock()
            still_listed = {path for paths in new_manifest.values() for path in paths}
            replaced_now = {path: now for paths in manifest.values() for path in paths if path not in still_listed}
            new_retired = {path: when for path, when in {**retired, **replaced_now}.items()
                           if self._kept(when, now) and (self.root / path).exists()}
            self._swap_manifest({"format": MANIFEST_FORMAT, "datasets": new_manifest,
                                 "retired": {path: when.isoformat() for path, when in sorted(new_retired.items())}})
            self._remove_unlisted(new_manifest, new_retired)
            return WriteResult(claims, replaced, len(affected))

    def _kept(self, retired_at: datetime, now: datetime) -> bool:
        """Whether a file retired at `retired_at` may still be read by a reader that listed it before."""
        return now - retired_at < self.retention

    def _rewrite(self, con: duckdb.DuckDBPyConnection, table: str, name: str, listed: list[str],
                 affected: set[tuple[str, str]], replaced: pa.Array, staging: Staging) -> list[str]:
        """The dataset's new file list: untouched partitions as they are, affected ones rewritten with
        their old rows less the `replaced` MA_LKs, then the new rows."""
        kept = [path for path in listed if _partition(path) not in affected]
        old: dict[tuple[str, str], list[Path]] = {}
        for path in listed:
            if _partition(path) in affected:
                old.setdefault(_partition(path), []).append(self.root / path)
        staged = staging.staged(table)
        new: Iterable[pa.RecordBatch] = ()
        if staged:
            picked = ", ".join(f"s.{column}" for column in schema(table).names)
            new = con.execute(f"""
                SELECT {picked}, i.month, i.facility FROM read_parquet({_sql_list(staged)}) s
                JOIN incoming i ON s.ma_lk = i.ma_lk AND s.{SEQUENCE} = i.{SEQUENCE}
                ORDER BY i.month, i.facility, s.ma_lk, s.stt""").to_arrow_reader(ROW_GROUP_ROWS)
        return kept + _PartitionWriter(self.root, name, schema(table), old, replaced).write(new)

    def _swap_manifest(self, content: dict) -> None:
        temporary = self.root / f"{MANIFEST}.{uuid.uuid4().hex}.tmp"
        with temporary.open("w", encoding="utf-8") as handle:
            json.dump(content, handle, ensure_ascii=False, indent=0)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, self.manifest_path)
        _fsync_folder(self.root)

    def _remove_unlisted(self, manifest: dict[str, list[str]], retired: dict[str, datetime]) -> None:
        """Files a failed write left behind, and those replaced longer than the retention ago: no reader
        reads them any more, so they are safe to delete under the lock."""
        now = self.clock()
        kept = [path for paths in manifest.values() for path in paths]
        kept += [path for path, when in retired.items() if self._kept(when, now)]
        listed = {self.root / path for path in kept}
        for table in TABLES:
            folder = self.root / dataset_name(table)
            if folder.exists():
                for path in folder.rglob("*.parquet"):
                    if path not in listed:
                        path.unlink()
                _remove_empty_folders(folder)
        shutil.rmtree(self.root / "_tmp", ignore_errors=True)
        for temporary in self.root.glob(f"{MANIFEST}.*.tmp"):
            temporary.unlink()


class _PartitionWriter:
    """Writes a dataset's affected partitions one at a time, one new file each: the old rows that stay,
    read a row group at a time, then the new rows, which come sorted by partition. Memory holds one
    row group, however many partitions (DuckDB's COPY … PARTITION_BY holds a buffer for each, and ran
    out of 1 GB at a few hundred)."""

    def __init__(self, root: Path, name: str, file_schema: pa.Schema, old: dict[tuple[str, str], list[Path]],
                 replaced: pa.Array):
        self.root, self.name, self.file_schema = root, name, file_schema
        self.old, self.replaced = old, replaced
        self.written: list[str] = []
        self._writer: pq.ParquetWriter | None = None
        self._key: tuple[str, str] | None = None
        self._pending: list[pa.Table] = []

    def write(self, new: Iterable[pa.RecordBatch]) -> list[str]:
        try:
            for batch in new:
                keys = zip(batch.column("month").to_pylist(), batch.column("facility").to_pylist())
                rows = batch.drop_columns(list(PARTITIONS))
                start = 0
                for key, run in itertools.groupby(keys):
                    length = sum(1 for _ in run)
                    if key != self._key:
                        self._start(key)
                    self._add(rows.slice(start, length))
                    start += length
            # Partitions that only lost claims (re-sent elsewhere) keep their other rows.
            for key in sorted(self.old):
                self._start(key)
            self._close()
        finally:
            if self._writer is not None:
                self._writer.close()
        # Durable before the manifest names them; fsync waits on the disk, not the GIL.
        with ThreadPoolExecutor(max_workers=16) as pool:
            list(pool.map(_fsync, [self.root / path for path in self.written]))
        return self.written

    def _start(self, key: tuple[str, str]) -> None:
        self._close()
        self._key = key
        for path in self.old.pop(key, []):
            with pq.ParquetFile(path) as parquet:
                for batch in parquet.iter_batches(ROW_GROUP_ROWS):
                    staying = batch.filter(pc.invert(pc.is_in(batch.column("ma_lk"), value_set=self.replaced)))
                    self._add(staying)

    def _add(self, rows: pa.RecordBatch) -> None:
        if not rows.num_rows:
            return
        if self._writer is None:
            month, facility = self._key
            relative = f"{self.name}/month={month}/facility={facility}/part-{uuid.uuid4()}.parquet"
            (self.root / relative).parent.mkdir(parents=True, exist_ok=True)
            self._writer = pq.ParquetWriter(self.root / relative, self.file_schema)
            self.written.append(relative)
        self._pending.append(pa.Table.from_batches([rows.cast(self.file_schema)]))
        if sum(table.num_rows for table in self._pending) >= ROW_GROUP_ROWS:
            self._flush()

    def _flush(self) -> None:
        if self._pending:
            self._writer.write_table(pa.concat_tables(self._pending))  # one row group
            self._pending.clear()

    def _close(self) -> None:
        if self._writer is not None:
            self._flush()
            self._writer.close()
            self._writer = None


def _partition(relative: str) -> tuple[str, str]:
    """("2026-01", "79001") from "xml1/month=2026-01/facility=79001/part-….parquet"."""
    parts = dict(part.split("=", 1) for part in relative.split("/")[1:-1])
    return parts["month"], parts["facility"]


def _remove_empty_folders(folder: Path) -> None:
    for path in sorted(folder.rglob("*"), key=lambda item: len(item.parts), reverse=True):
        if path.is_dir() and not any(path.iterdir()):
            path.rmdir()


def _fsync(path: Path) -> None:
    with path.open("rb") as handle:
        os.fsync(handle.fileno())


def _fsync_folder(folder: Path) -> None:
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
