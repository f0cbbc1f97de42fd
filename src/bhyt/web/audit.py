"""The audit log: every view or export of named people, every revealed ID number, every sign-in and
every change made through the web app or API, with who, when, where from and about what."""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import Engine

from bhyt.store.models import AuditEntry

ACTION_NAMES = {
    "login": "Đăng nhập",
    "login_failed": "Đăng nhập thất bại",
    "logout": "Đăng xuất",
    "view_people": "Xem danh sách người",
    "view_person": "Xem hồ sơ một người",
    "reveal_id": "Hiện số định danh",
    "export_people": "Xuất danh sách người",
    "import": "Nhập danh sách",
    "set_target": "Đặt chỉ tiêu",
    "cascade_targets": "Phân bổ chỉ tiêu",
    "download_report": "Tải báo cáo",
    "refused": "Bị từ chối truy cập",
    "export_import_errors": "Tải báo cáo lỗi nhập danh sách",
}


def record(engine: Engine, username: str, action: str, unit_code: str | None = None, subject: str | None = None,
           detail: dict | None = None, client: str | None = None, now: datetime | None = None) -> None:
    if action not in ACTION_NAMES:
        raise ValueError(f"Unknown audit action {action!r}")
    with engine.begin() as connection:
        connection.execute(AuditEntry.__table__.insert().values(
            at=now or datetime.now(), username=username, action=action, unit_code=unit_code, subject=subject,
            detail=json.dumps(detail, ensure_ascii=False, default=str) if detail else None, client=client))
