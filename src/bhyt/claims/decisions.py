"""Assessors' decisions on findings, kept in the system of record (claim_decisions) so they survive
re-assessment: one per claim and rule, a new one replacing the old."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine, delete, insert

from bhyt.store import decisions_version
from bhyt.store.models import ClaimDecision

ACCEPT, REJECT = "accept", "reject"
DECISIONS_VI = {ACCEPT: "Xác nhận (từ chối thanh toán)", REJECT: "Bác bỏ cảnh báo"}


class DecisionRefused(ValueError):
    """The decision cannot be recorded; the message says why, in Vietnamese."""


def record_decision(engine: Engine, ma_lk: str, rule_id: str, decision: str, reason: str | None, by: str) -> None:
    if decision not in DECISIONS_VI:
        raise DecisionRefused(f"Quyết định phải là {ACCEPT} hoặc {REJECT}.")
    reason = (reason or "").strip() or None
    if decision == REJECT and reason is None:
        raise DecisionRefused("Bác bỏ cảnh báo cần ghi lý do (--reason).")
    if reason is not None and len(reason) > 1000:
        raise DecisionRefused("Lý do dài quá 1.000 ký tự.")
    with engine.begin() as connection:
        connection.execute(delete(ClaimDecision).where(ClaimDecision.ma_lk == ma_lk,
                                                        ClaimDecision.rule_id == rule_id))
        connection.execute(insert(ClaimDecision).values(ma_lk=ma_lk, rule_id=rule_id, decision=decision, reason=reason,
                                                        decided_by=by, decided_at=datetime.now()))
        decisions_version.bump(connection)
