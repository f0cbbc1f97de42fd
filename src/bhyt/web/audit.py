"""The audit log: every view or export of named people, every revealed ID number, every sign-in and
every change made through the web app or API, with who, when, where from and about what."""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import Engine

from bhyt.store.models import AuditEntry
from bhyt.web.i18n import N_

ACTION_NAMES = {
    "login": N_("Đăng nhập"),
    "login_failed": N_("Đăng nhập thất bại"),
    "logout": N_("Đăng xuất"),
    "view_people": N_("Xem danh sách người"),
    "view_person": N_("Xem hồ sơ một người"),
    "reveal_id": N_("Hiện số định danh"),
    "export_people": N_("Xuất danh sách người"),
    "import": N_("Nhập danh sách"),
    "set_target": N_("Đặt chỉ tiêu"),
    "cascade_targets": N_("Phân bổ chỉ tiêu"),
    "download_report": N_("Tải báo cáo"),
    "refused": N_("Bị từ chối truy cập"),
    "export_import_errors": N_("Tải báo cáo lỗi nhập danh sách"),
    "record_visit": N_("Ghi lần thăm hộ"),
    "assign_visits": N_("Giao thôn cho cán bộ"),
    "view_claim": N_("Xem hồ sơ đề nghị thanh toán"),
    "decide_claim": N_("Quyết định về cảnh báo giám định"),
    "export_claims": N_("Tải kết quả giám định"),
}


def record(engine: Engine, username: str, action: str, unit_code: str | None = None, subject: str | None = None,
           detail: dict | None = None, client: str | None = None, now: datetime | None = None) -> None:
    if action not in ACTION_NAMES:
        raise ValueError(f"Unknown audit action {action!r}")
    with engine.begin() as connection:
        connection.execute(AuditEntry.__table__.insert().values(
            at=now or datetime.now(), username=username, action=action, unit_code=unit_code, subject=subject,
            detail=json.dumps(detail, ensure_ascii=False, default=str) if detail else None, client=client))
