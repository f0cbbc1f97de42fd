"""Import one list file: all rows valid and written in one transaction, or nothing written and an
error report (row, column, value, reason) saved beside the data."""

from __future__ import annotations

import csv
import getpass
import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Callable

from sqlalchemy import Engine, insert, update

from bhyt.analytics.engine import attached, plain_url
from bhyt.config import data_dir
from bhyt.ingest.load import Counts, Stager, apply, stage
from bhyt.ingest.reader import UnreadableFile, read_list
from bhyt.ingest.specs import SPECS
from bhyt.ingest.validate import HEADER_ROW, RowError, register_reference_tables, validate
from bhyt.store import registry_version
from bhyt.store.models import ImportLog

REPORT_HEADER = ("dong", "cot", "gia_tri", "ly_do")
# The lists the analytics snapshot copies; other imports leave it fresh.
REGISTRY_KINDS = {"households", "persons", "cards"}


@dataclass
class ImportResult:
    kind: str
    file: Path
    rows: int
    errors: list[RowError] = field(default_factory=list)
    counts: Counts | None = None
    error_report: Path | None = None
    import_id: int | None = None

    @property
    def ok(self) -> bool:
        return not self.errors


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def write_error_report(kind: str, file: Path, errors: list[RowError]) -> Path:
    folder = data_dir() / "import_errors"
    folder.mkdir(exist_ok=True)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    report = folder / f"{kind}-{file.stem}-{stamp}.csv"
    # utf-8-sig: Excel, where officers open it, needs the BOM to show Vietnamese.
    with report.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(REPORT_HEADER)
        writer.writerows((error.row, error.column, error.value, error.reason) for error in errors)
    return report


def import_file(
    engine: Engine,
    kind: str,
    path: Path,
    step: Callable[[str], None] = lambda _description: None,
) -> ImportResult:
    spec = SPECS[kind]
    started = datetime.now()
    step("Đọc tệp")
    try:
        raw = read_list(path, {column.name: column.pad for column in spec.columns if column.pad})
    except (UnreadableFile, OSError) as error:
        result = ImportResult(kind, path, 0, [RowError(HEADER_ROW, "", path.name, str(error).replace(str(path), path.name))])
        return _rejected(engine, result, started)

    result = ImportResult(kind, path, raw.table.num_rows)
    present = {name for name in raw.header if name in {column.name for column in spec.columns}}
    # PostgreSQL receives the staging tables itself; a SQLite file is only ever read by DuckDB.
    with attached(plain_url(engine), read_only=engine.dialect.name == "sqlite") as con:
        register_reference_tables(con)
        step("Kiểm tra từng dòng")
        result.errors = validate(con, spec, raw)
        if result.errors:
            return _rejected(engine, result, started)
        step("Ghi vào cơ sở dữ liệu")
        stager = Stager(con, engine.dialect.name, data_dir())
        try:
            tables = stage(spec, stager)
            stager.finish_staging()
            con.execute("DETACH db")
            with engine.connect() as connection, stager.visible_to(connection):
                with connection.begin():
                    result.import_id = connection.execute(
                        insert(ImportLog).values(_log_values(result, started, "ok")).returning(ImportLog.id)
                    ).scalar_one()
                    result.counts = apply(spec, connection, tables, present, result.import_id, path.name)
                    if kind in REGISTRY_KINDS:
                        registry_version.bump(connection)
                    connection.execute(
                        update(ImportLog)
                        .where(ImportLog.id == result.import_id)
                        .values(
                            inserted=result.counts.inserted,
                            updated=result.counts.updated,
                            unchanged=result.counts.unchanged,
                            finished_at=datetime.now(),
                        )
                    )
        finally:
            stager.drop_all(engine)
    return result


def _log_values(result: ImportResult, started: datetime, status: str) -> dict:
    return {
        "kind": result.kind,
        "file_name": result.file.name,
        "file_sha256": _sha256(result.file) if result.file.is_file() else "",
        "status": status,
        "rows": result.rows,
        "inserted": 0,
        "updated": 0,
        "unchanged": 0,
        "error_report": str(result.error_report) if result.error_report else None,
        "imported_by": getpass.getuser(),
        "started_at": started,
        "finished_at": datetime.now(),
    }


def _rejected(engine: Engine, result: ImportResult, started: datetime) -> ImportResult:
    result.error_report = write_error_report(result.kind, result.file, result.errors)
    with engine.begin() as connection:
        result.import_id = connection.execute(
            insert(ImportLog).values(_log_values(result, started, "rejected")).returning(ImportLog.id)
        ).scalar_one()
    return result
