"""Imports started from the web page run in one background thread, one at a time (an import reads and
writes the whole list; two at once would only slow both on a small server), while the page polls
their progress. A job lives in the server's memory; what it did stays in import_log and the audit log.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
import shutil
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from fastapi import FastAPI
from sqlalchemy import Engine, insert

from bhyt.config import data_dir
from bhyt.ingest.service import import_file, write_error_report
from bhyt.ingest.validate import RowError
from bhyt.store.models import ImportLog
from bhyt.web.accounts import Account
from bhyt.web.audit import record
from bhyt.web.i18n import N_
from bhyt.web.import_scope import out_of_scope_rows

log = logging.getLogger(__name__)

SCOPE_STEP = N_("Kiểm tra phạm vi đơn vị")
# The scope check, then the steps the ingest service reports, in its order.
STEPS = (SCOPE_STEP, N_("Đọc tệp"), N_("Kiểm tra từng dòng"), N_("Ghi vào cơ sở dữ liệu"))
SHOWN_ERRORS = 200  # on the page; the downloadable report has every one
KEPT_JOBS = 200
_creating = threading.Lock()


@dataclass
class ImportJob:
    id: str
    username: str
    unit_code: str | None
    kind: str
    file_name: str
    path: Path
    client: str | None
    state: str = "queued"  # queued → running → ok | rejected | failed
    step: str = ""
    steps_done: int = 0
    rows: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    error_count: int = 0
    import_id: int | None = None
    message: str = ""
    created_at: datetime = field(default_factory=datetime.now)

    @property
    def finished(self) -> bool:
        return self.state in ("ok", "rejected", "failed")

    def status(self) -> dict:
        """What the page's script needs to show the progress."""
        return {"id": self.id, "state": self.state, "step": self.step, "done": self.steps_done,
                "total": len(STEPS), "finished": self.finished}


class ImportJobs:
    """The jobs of one app: started by `start`, looked up by their owner only."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="bhyt-import")
        self._jobs: dict[str, ImportJob] = {}
        self._lock = threading.Lock()

    def new_job(self, account: Account, kind: str, file_name: str, client: str | None) -> ImportJob:
        """A job with a fresh upload folder; the caller writes the file to `job.path`, then calls `start`."""
        job_id = secrets.token_urlsafe(12)
        folder = uploads_dir() / job_id
        folder.mkdir(parents=True)
        return ImportJob(job_id, account.username, account.unit_code, kind, file_name, folder / file_name, client)

    def start(self, job: ImportJob, account: Account) -> None:
        with self._lock:
            self._jobs[job.id] = job
            for stale in sorted(self._jobs.values(), key=lambda j: j.created_at)[:-KEPT_JOBS]:
                if stale.finished:
                    del self._jobs[stale.id]
        self._executor.submit(self._run, job, account)

    def get(self, job_id: str, account: Account) -> ImportJob | None:
        job = self._jobs.get(job_id)
        return job if job is not None and job.username == account.username else None

    def discard(self, job: ImportJob) -> None:
        """An upload refused before it started (too large, no file): remove its folder."""
        shutil.rmtree(job.path.parent, ignore_errors=True)

    def _run(self, job: ImportJob, account: Account) -> None:
        job.state = "running"
        try:
            self._step(job, SCOPE_STEP)
            rows, refused = out_of_scope_rows(self.engine, account, job.kind, job.path)
            if refused:
                job.rows = rows
                self._refuse(job, refused)
            else:
                result = import_file(self.engine, job.kind, job.path, lambda description: self._step(job, description))
                job.rows, job.import_id = result.rows, result.import_id
                if result.ok:
                    counts = result.counts
                    job.inserted, job.updated, job.unchanged = counts.inserted, counts.updated, counts.unchanged
                    job.state = "ok"
                else:
                    self._keep_errors(job, result.errors)
                    job.state = "rejected"
        except Exception as error:  # the service's transaction has rolled back: nothing was written
            log.exception("Import %s of %s failed", job.kind, job.file_name)
            job.message = f"Lỗi hệ thống khi nhập, không ghi dòng nào: {error}"
            job.state = "failed"
        finally:
            shutil.rmtree(job.path.parent, ignore_errors=True)
        job.step = ""
        job.steps_done = len(STEPS)
        record(self.engine, job.username, "import", unit_code=job.unit_code, subject=job.file_name, client=job.client,
               detail={"kind": job.kind, "import_id": job.import_id, "status": job.state, "rows": job.rows,
                       "inserted": job.inserted, "updated": job.updated, "errors": job.error_count})

    @staticmethod
    def _step(job: ImportJob, description: str) -> None:
        job.step = description
        job.steps_done = STEPS.index(description) if description in STEPS else job.steps_done

    def _refuse(self, job: ImportJob, errors: list[RowError]) -> None:
        """Rows outside the account's unit: rejected like any invalid list, with an error report and a
        rejected entry in import_log, before the service has written anything."""
        report = write_error_report(job.kind, job.path, errors)
        with self.engine.begin() as connection:
            job.import_id = connection.execute(insert(ImportLog).values(
                kind=job.kind, file_name=job.file_name, file_sha256=_sha256(job.path), status="rejected",
                rows=job.rows, inserted=0, updated=0, unchanged=0, error_report=str(report),
                imported_by=job.username, started_at=job.created_at, finished_at=datetime.now(),
            ).returning(ImportLog.id)).scalar_one()
        self._keep_errors(job, errors)
        job.state = "rejected"

    @staticmethod
    def _keep_errors(job: ImportJob, errors: list[RowError]) -> None:
        job.errors = errors[:SHOWN_ERRORS]
        job.error_count = len(errors)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def uploads_dir() -> Path:
    return data_dir() / "uploads"


def jobs_of(app: FastAPI) -> ImportJobs:
    """The app's job list, made on first use (the app factory needs to know nothing about imports)."""
    with _creating:
        jobs = getattr(app.state, "import_jobs", None)
        if jobs is None:
            jobs = app.state.import_jobs = ImportJobs(app.state.engine)
    return jobs
