"""Reading the audit log back for the audit page: newest first, filtered by account, action and
dates, a page at a time. An account attached to a unit sees only what the accounts of that unit
(and of the units under it) did; an account over everything sees every entry."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import Engine, func, or_, select

from bhyt.store.models import AuditEntry, Unit, User

PAGE_SIZE = 100


@dataclass(frozen=True)
class AuditFilter:
    username: str | None = None
    action: str | None = None
    since: date | None = None  # both days included
    until: date | None = None


@dataclass(frozen=True)
class AuditRow:
    id: int
    at: datetime
    username: str
    action: str
    unit_code: str | None
    subject: str | None
    detail: str | None
    client: str | None


@dataclass(frozen=True)
class AuditPage:
    rows: list[AuditRow]
    total: int
    page: int
    page_size: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))


def _units_under(code: str):
    """The unit and everything under it (a province's communes and their hamlets)."""
    children = select(Unit.code).where(Unit.parent_code == code)
    return select(Unit.code).where(or_(Unit.code == code, Unit.parent_code == code, Unit.parent_code.in_(children)))


def _conditions(scope_code: str | None, wanted: AuditFilter) -> list:
    conditions = []
    if scope_code is not None:
        accounts = select(User.username).where(User.unit_code.in_(_units_under(scope_code)))
        conditions.append(AuditEntry.username.in_(accounts))
    if wanted.username:
        conditions.append(AuditEntry.username == wanted.username)
    if wanted.action:
        conditions.append(AuditEntry.action == wanted.action)
    if wanted.since:
        conditions.append(AuditEntry.at >= datetime.combine(wanted.since, datetime.min.time()))
    if wanted.until:
        conditions.append(AuditEntry.at < datetime.combine(wanted.until + timedelta(days=1), datetime.min.time()))
    return conditions


def audit_page(engine: Engine, scope_code: str | None, wanted: AuditFilter, page: int = 1,
               page_size: int = PAGE_SIZE) -> AuditPage:
    page = max(page, 1)
    conditions = _conditions(scope_code, wanted)
    with engine.connect() as connection:
        total = connection.execute(select(func.count()).select_from(AuditEntry).where(*conditions)).scalar_one()
        rows = connection.execute(
            select(AuditEntry.id, AuditEntry.at, AuditEntry.username, AuditEntry.action, AuditEntry.unit_code,
                   AuditEntry.subject, AuditEntry.detail, AuditEntry.client)
            .where(*conditions)
            .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
            .limit(page_size).offset((page - 1) * page_size)
        ).all()
    return AuditPage([AuditRow(*row) for row in rows], total, page, page_size)


def known_usernames(engine: Engine, scope_code: str | None) -> list[str]:
    """The accounts the filter offers (names typed at a failed sign-in can still be typed in)."""
    query = select(User.username).order_by(User.username)
    if scope_code is not None:
        query = query.where(User.unit_code.in_(_units_under(scope_code)))
    with engine.connect() as connection:
        return list(connection.execute(query).scalars())
