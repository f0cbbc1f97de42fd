"""The import page: upload one list (households, persons, cards, population, BHXH aggregates) for the
account's unit, follow its progress, see what was written or every error, download the error report.

The same service as `bhyt import` does the work, so a list is written entirely or not at all; rows
about another unit are refused first (see import_scope)."""

from __future__ import annotations

import json
from pathlib import PureWindowsPath

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import FileResponse, JSONResponse, RedirectResponse
from sqlalchemy import Engine, or_, select
from sqlalchemy.orm import Session
from starlette.datastructures import UploadFile

from bhyt.config import data_dir
from bhyt.ingest.specs import SPECS
from bhyt.store.models import AuditEntry, ImportLog, Unit
from bhyt.web.accounts import Account
from bhyt.web.i18n import N_, gettext
from bhyt.web.audit import record
from bhyt.web.auth import csrf_checked, require
from bhyt.web.import_jobs import STEPS, ImportJob, jobs_of
from bhyt.web.routes import NavItem
from bhyt.web.scope import check_unit
from bhyt.web.templating import render

router = APIRouter(include_in_schema=False)
NAV = [NavItem(40, N_("Nhập danh sách"), "/imports", "import")]

MAX_UPLOAD_MB = 50
MAX_UPLOAD_BYTES = MAX_UPLOAD_MB * 1024 * 1024
RECENT_IMPORTS = 20
KIND_LABELS = {
    "households": N_("Danh sách hộ gia đình"),
    "persons": N_("Danh sách nhân khẩu"),
    "cards": N_("Danh sách thẻ BHYT"),
    "population": N_("Số liệu dân số"),
    "aggregates": N_("Số liệu tổng hợp của BHXH"),
}
STATUS_LABELS = {"ok": N_("Đã nhập"), "rejected": N_("Bị từ chối")}
TOO_LARGE = "Tệp quá lớn: chỉ nhận tệp tới {mb} MB. Hãy chia danh sách thành nhiều tệp nhỏ hơn."


def upload_size_checked(request: Request) -> None:
    """Refuse an oversized upload from its declared length, before the form (and the file) is read."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_UPLOAD_BYTES + 64 * 1024:  # room for the form's other fields
        raise HTTPException(413, TOO_LARGE.format(mb=MAX_UPLOAD_MB))


@router.get("/imports")
def imports_page(request: Request, account: Account = Depends(require("import"))):
    return _page(request, account)


@router.post("/imports", dependencies=[Depends(upload_size_checked), Depends(csrf_checked)])
async def upload(request: Request, account: Account = Depends(require("import"))):
    form = await request.form()
    kind, upload_file = str(form.get("kind", "")), form.get("file")
    if kind not in SPECS:
        return _page(request, account, 400, error=N_("Hãy chọn loại danh sách cần nhập."))
    if not isinstance(upload_file, UploadFile) or not _file_name(upload_file.filename):
        return _page(request, account, 400, error=N_("Hãy chọn tệp CSV hoặc XLSX cần nhập."), kind=kind)
    jobs = jobs_of(request.app)
    job = jobs.new_job(account, kind, _file_name(upload_file.filename), request.client.host if request.client else None)
    if not await _saved(upload_file, job):
        jobs.discard(job)
        return _page(request, account, 413, error=TOO_LARGE.format(mb=MAX_UPLOAD_MB), kind=kind)
    jobs.start(job, account)
    return RedirectResponse(f"/imports/jobs/{job.id}", status_code=303)


@router.get("/imports/jobs/{job_id}")
def job_page(request: Request, job_id: str, account: Account = Depends(require("import"))):
    job = _job(request, job_id, account)
    return render(request, "imports/job.html", job=job, steps=STEPS, kind_label=KIND_LABELS[job.kind],
                  shown=len(job.errors))


@router.get("/imports/jobs/{job_id}/status")
def job_status(request: Request, job_id: str, account: Account = Depends(require("import"))):
    job = jobs_of(request.app).get(job_id, account)
    if job is None:
        return JSONResponse({"detail": gettext("Không có lượt nhập này.")}, status_code=404)
    return dict(job.status(), step=gettext(job.step) if job.step else "")


@router.get("/imports/{import_id}/errors.csv")
def error_report(request: Request, import_id: int, account: Account = Depends(require("import"))):
    engine = request.app.state.engine
    entry = _visible_imports(engine, account, import_id=import_id)
    if not entry or not entry[0][0].error_report:
        raise HTTPException(404, "Không có báo cáo lỗi của lượt nhập này.")
    log = entry[0][0]
    path = data_dir().joinpath(log.error_report).resolve()
    if not path.is_file() or (data_dir() / "import_errors").resolve() not in path.parents:
        raise HTTPException(404, "Báo cáo lỗi không còn trên máy chủ.")
    # The report repeats cells of the file, names and ID numbers among them: an export of named people.
    record(engine, account.username, "export_import_errors", unit_code=account.unit_code, subject=log.file_name,
           detail={"import_id": import_id}, client=request.client.host if request.client else None)
    return FileResponse(path, media_type="text/csv; charset=utf-8", filename=f"loi-nhap-{import_id}.csv")


def _page(request: Request, account: Account, status_code: int = 200, error: str | None = None,
          kind: str = "households"):
    engine = request.app.state.engine
    chain = check_unit(engine, account, account.unit_code) if account.unit_code else []
    specs = {name: [column.name for column in spec.columns] for name, spec in SPECS.items()}
    return render(request, "imports/index.html", status_code=status_code, chain=chain, error=error, kind=kind,
                  kinds=KIND_LABELS, columns=specs, recent=_visible_imports(engine, account),
                  status_labels=STATUS_LABELS, max_mb=MAX_UPLOAD_MB)


def _job(request: Request, job_id: str, account: Account) -> ImportJob:
    job = jobs_of(request.app).get(job_id, account)
    if job is None:
        raise HTTPException(404, "Không có lượt nhập này (máy chủ có thể đã khởi động lại): xem danh sách "
                                 "các lượt nhập gần đây.")
    return job


def _file_name(name: str | None) -> str:
    """The file's own name, whatever folder the browser sends with it (old browsers on Windows do)."""
    return PureWindowsPath(name or "").name.strip()[:200]


async def _saved(upload_file: UploadFile, job: ImportJob) -> bool:
    """Copy the upload to the job's folder; False if it grows past the limit (a sender may not declare it)."""
    written = 0
    with job.path.open("wb") as out:
        while block := await upload_file.read(1 << 20):
            written += len(block)
            if written > MAX_UPLOAD_BYTES:
                return False
            out.write(block)
    return True


def _visible_imports(engine: Engine, account: Account, import_id: int | None = None) -> list[tuple[ImportLog, str]]:
    """Recent imports the account may see, with who made them: all for an account over the whole
    database; else those made through the web by accounts of its unit or the units under it."""
    with Session(engine) as session:
        if account.unit_code is None:
            query = select(ImportLog).order_by(ImportLog.id.desc())
            query = query.where(ImportLog.id == import_id) if import_id is not None else query.limit(RECENT_IMPORTS)
            logs = list(session.scalars(query))
            by_whom = {}
        else:
            children = select(Unit.code).where(Unit.parent_code == account.unit_code)
            scope = select(Unit.code).where(or_(Unit.code == account.unit_code, Unit.parent_code == account.unit_code,
                                                Unit.parent_code.in_(children)))
            entries = session.execute(
                select(AuditEntry.username, AuditEntry.detail)
                .where(AuditEntry.action == "import", AuditEntry.unit_code.in_(scope))
                .order_by(AuditEntry.id.desc())
            )
            by_whom = {}
            for username, detail in entries:
                found = json.loads(detail or "{}").get("import_id")
                if found is not None and (import_id is None or found == import_id):
                    by_whom.setdefault(found, username)
                if len(by_whom) == RECENT_IMPORTS:
                    break
            logs = list(session.scalars(
                select(ImportLog).where(ImportLog.id.in_(list(by_whom))).order_by(ImportLog.id.desc())))
    return [(log, by_whom.get(log.id, log.imported_by or "")) for log in logs]
