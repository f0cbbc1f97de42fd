"""Ingest QĐ 130 claim files into the claims lake: read every file, keep what may be kept, write once.

Strict (the default): a file with any error is rejected whole and nothing of it is written; the
other files are written. Bare XML1–XML5 files of one run make their claims together (an episode in
XML1.xml, its lines in XML2.xml …), so they are one batch: an error in any rejects them all.
Tolerant: every claim without an error is written, every claim with one is reported and left out.
Either way the lake changes once, at the end, all or nothing.
"""

from __future__ import annotations

import contextlib
import shutil
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from bhyt.claims.lake import ClaimsLake, Staging, WriteResult
from bhyt.ingest.claims_xml import BarePart, ClaimError, ClaimFile, ClaimResult, combine_bare_parts

BARE_GROUP = "bare"
# Called as a file is read: the file, bytes of it read so far, claims read so far in the run.
Progress = Callable[[Path, int, int], None]


@dataclass
class IngestReport:
    files: list[Path]
    rejected_files: list[str] = field(default_factory=list)
    claims_read: int = 0
    claims_kept: int = 0
    claims_rejected: int = 0
    lines_read: int = 0  # drug, service and supply lines of the claims read without error
    lines_kept: int = 0
    errors: list[ClaimError] = field(default_factory=list)
    skipped_tables: Counter = field(default_factory=Counter)  # tables the lake does not keep
    written: WriteResult = WriteResult(0, 0, 0)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.errors


def claim_files(paths: Iterable[Path]) -> list[Path]:
    """The files named, and the .xml files anywhere under the folders named, in a stable order."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(sorted(item for item in path.rglob("*") if item.is_file() and item.suffix.lower() == ".xml"))
        else:
            found.append(path)
    return list(dict.fromkeys(found))


def ingest_claims(paths: Iterable[Path], lake: ClaimsLake, tolerant: bool = False,
                  progress: Progress = lambda _file, _read, _claims: None,
                  writing: Callable[[], None] = lambda: None) -> IngestReport:
    """Read the files and write their good claims to the lake; `writing` is called when the reading
    is done and the lake's write begins."""
    started = time.perf_counter()
    report = IngestReport(claim_files(paths))
    staging_folder = lake.root / "_staging" / uuid.uuid4().hex
    staging = Staging(staging_folder)
    try:
        bare_parts: list[BarePart] = []
        bare_files: list[str] = []
        bare_failed = False
        for index, path in enumerate(report.files):
            bare_before = len(bare_files)
            failed = _read_file(path, str(index), staging, report, tolerant, bare_parts, bare_files, progress)
            bare_failed |= failed and len(bare_files) > bare_before
            if failed and not tolerant:
                staging.drop(str(index))
                report.rejected_files.append(str(path))
        _stage_bare(bare_parts, bare_files, staging, report, tolerant, bare_failed)
        writing()
        report.written = lake.write(staging)
    finally:
        shutil.rmtree(staging_folder, ignore_errors=True)
        with contextlib.suppress(OSError):  # another run may be staging beside this one
            staging_folder.parent.rmdir()
    report.claims_kept = staging.claims
    report.lines_kept = staging.lines
    report.seconds = time.perf_counter() - started
    return report


def _read_file(path: Path, group: str, staging: Staging, report: IngestReport, tolerant: bool,
               bare_parts: list[BarePart], bare_files: list[str], progress: Progress) -> bool:
    """Read one file, staging its good claims in `group`; whether it had any error."""
    try:
        stream = path.open("rb")
    except OSError as error:
        report.errors.append(ClaimError(str(path), "", "", "", "", f"Không mở được tệp: {error.strerror}."))
        return True
    with stream:
        reader = ClaimFile(str(path), stream)
        errors_before = len(report.errors)
        claims = lines = 0
        if reader.is_envelope:
            for result in reader.results():
                report.claims_read += 1
                if _record(result, report) and (tolerant or len(report.errors) == errors_before):
                    staging.add(group, result.claim)
                    claims += 1
                    lines += result.claim.line_count
                progress(path, reader.position, report.claims_read)
        elif reader.bare_table is not None:
            bare_parts.extend(reader.bare_parts())
            bare_files.append(str(path))
        report.errors.extend(reader.file_errors)
        report.skipped_tables.update(reader.skipped_tables)
        progress(path, reader.position, report.claims_read)
    failed = len(report.errors) > errors_before
    if tolerant or not failed:
        staging.keep(group, claims, lines)
    return failed


def _record(result: ClaimResult, report: IngestReport) -> bool:
    """Count a claim read and keep its errors; whether it is good."""
    report.errors.extend(result.errors)
    if result.claim is None:
        report.claims_rejected += 1
        return False
    report.lines_read += result.claim.line_count
    return True


def _stage_bare(parts: list[BarePart], files: list[str], staging: Staging, report: IngestReport,
                tolerant: bool, failed: bool) -> None:
    """Claims from the bare table files; `failed` when one of them already had a file error."""
    if not parts:
        return
    errors_before = len(report.errors)
    claims = lines = 0
    for result in combine_bare_parts(parts):
        report.claims_read += 1
        if _record(result, report):
            staging.add(BARE_GROUP, result.claim)
            claims += 1
            lines += result.claim.line_count
    if tolerant or not (failed or len(report.errors) > errors_before):
        staging.keep(BARE_GROUP, claims, lines)
    else:
        staging.drop(BARE_GROUP)
        report.rejected_files.extend(file for file in files if file not in report.rejected_files)
