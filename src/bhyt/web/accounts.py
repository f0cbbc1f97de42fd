"""Accounts, roles and what each role may do; passwords hashed with argon2, never stored.

The roles are the people of the plans: the province and commune officers who steer the targets, the
hamlet heads who go door to door, the province's claims assessors (giám định viên of the social
insurance), an auditor who may read everything and change nothing, and an admin who manages accounts.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Connection, Engine, select, update

from bhyt.config import argon2_parameters
from bhyt.domain.messages import Message
from bhyt.store.models import ApiToken, Unit, User
from bhyt.web.i18n import N_

ROLE_NAMES = {
    "admin": N_("Quản trị hệ thống"),
    "province_officer": N_("Cán bộ tỉnh"),
    "commune_officer": N_("Cán bộ xã"),
    "hamlet_head": N_("Trưởng thôn"),
    "auditor": N_("Kiểm tra viên (chỉ xem)"),
    "assessor": N_("Giám định viên"),
}
# The level of unit an account of each role is attached to; None: the whole database.
ROLE_LEVELS = {
    "admin": None,
    "province_officer": "province",
    "commune_officer": "commune",
    "hamlet_head": "hamlet",
    "auditor": None,
    "assessor": "province",
}
_PERMISSIONS = {
    "view": {"admin", "province_officer", "commune_officer", "hamlet_head", "auditor", "assessor"},
    "reveal_id": {"admin", "province_officer", "commune_officer", "hamlet_head", "auditor"},
    "import": {"admin", "province_officer", "commune_officer"},
    "set_targets": {"admin", "province_officer", "commune_officer"},
    "download_reports": {"admin", "province_officer", "commune_officer", "auditor"},
    # The work lists as files to print: a hamlet head takes their own hamlet's copy door to door.
    "export_lists": {"admin", "province_officer", "commune_officer", "hamlet_head", "auditor"},
    "view_audit": {"admin", "auditor"},
    # The visit log: whoever goes door to door records; whoever runs the commune hands out the hamlets.
    "record_visits": {"admin", "province_officer", "commune_officer", "hamlet_head"},
    "assign_visits": {"admin", "province_officer", "commune_officer"},
    # Claims assessment (giám định): the province's assessors decide on findings; province officers and
    # the auditor, who reads everything and changes nothing, may only look. Communes and hamlets pay no
    # claims and see none.
    "view_claims": {"admin", "province_officer", "auditor", "assessor"},
    "decide_claims": {"admin", "assessor"},
}
MAX_FAILED_LOGINS = 5
LOCKOUT = timedelta(minutes=15)


@cache
def password_hasher() -> PasswordHasher:
    """The hasher at the configured cost (BHYT_ARGON2_PROFILE), built at first use rather than on
    import, so a setting made after importing this module, as the tests make it, still counts."""
    return PasswordHasher.from_parameters(argon2_parameters())


class AccountError(ValueError):
    """A request about accounts that cannot be done, with the reason in Vietnamese; a refused sign-in's
    is a `Message`, so that the sign-in page can show it in English."""


@dataclass(frozen=True)
class Account:
    """The signed-in user as the web app needs it, detached from any database session."""

    id: int
    username: str
    display_name: str
    role: str
    unit_code: str | None

    @property
    def role_name(self) -> str:
        return ROLE_NAMES[self.role]

    def may(self, permission: str) -> bool:
        return self.role in _PERMISSIONS[permission]


def _account(user) -> Account:
    return Account(user.id, user.username, user.display_name, user.role, user.unit_code)


def hash_secret(secret: str) -> str:
    """Session and API secrets are long and random: SHA-256 is enough to keep them out of the database."""
    return hashlib.sha256(secret.encode()).hexdigest()


def add_user(engine: Engine, username: str, password: str, role: str, unit_code: str | None = None,
             display_name: str | None = None, now: datetime | None = None) -> Account:
    if role not in ROLE_NAMES:
        raise AccountError(f"Vai trò '{role}' không có; chọn một trong: {', '.join(ROLE_NAMES)}.")
    if len(password) < 8:
        raise AccountError("Mật khẩu phải có ít nhất 8 ký tự.")
    level = ROLE_LEVELS[role]
    with engine.begin() as connection:
        if connection.execute(select(User.id).where(User.username == username)).first():
            raise AccountError(f"Tài khoản '{username}' đã có.")
        if unit_code is not None:
            unit = connection.execute(select(Unit.level).where(Unit.code == unit_code)).first()
            if unit is None:
                raise AccountError(f"Không có đơn vị mã '{unit_code}'.")
            if level is not None and unit.level != level:
                raise AccountError(f"Vai trò {ROLE_NAMES[role]} phải gắn với một đơn vị cấp {_LEVEL_NAMES[level]}.")
        elif level is not None:
            raise AccountError(f"Vai trò {ROLE_NAMES[role]} cần --unit: mã đơn vị cấp {_LEVEL_NAMES[level]}.")
        connection.execute(User.__table__.insert().values(
            username=username, display_name=display_name or username,
            password_hash=password_hasher().hash(password), role=role, unit_code=unit_code, failed_logins=0,
            created_at=now or datetime.now()))
        return _account(connection.execute(select(User).where(User.username == username)).one())


_LEVEL_NAMES = {"province": "tỉnh", "commune": "xã", "hamlet": "thôn"}


def authenticate(engine: Engine, username: str, password: str, now: datetime | None = None) -> Account:
    """The account, or AccountError saying why not. Repeated failures lock the account for a while,
    so a password cannot be guessed by trying; the message does not tell which of the two was wrong."""
    now = now or datetime.now()
    refused = AccountError(Message(N_("Sai tên đăng nhập hoặc mật khẩu.")))
    with engine.begin() as connection:
        user = connection.execute(select(User).where(User.username == username)).first()
        if user is None:
            # Spend the same time as a real check, so timing does not reveal which names exist.
            _verify(_dummy_hash(password_hasher()), password)
            raise refused
        if user.locked_until and user.locked_until > now:
            raise AccountError(Message(N_("Tài khoản tạm khoá vì đăng nhập sai nhiều lần; thử lại sau %(time)s."),
                                       time=f"{user.locked_until:%H:%M}"))
        accepted = _verify(user.password_hash, password)
        if accepted:
            changes = {"failed_logins": 0, "locked_until": None}
            if password_hasher().check_needs_rehash(user.password_hash):
                changes["password_hash"] = password_hasher().hash(password)
        else:
            failures = user.failed_logins + 1
            locked = failures >= MAX_FAILED_LOGINS
            changes = {"failed_logins": 0 if locked else failures, "locked_until": now + LOCKOUT if locked else None}
        # Written before refusing: the failure count must survive the refusal.
        connection.execute(update(User).where(User.id == user.id).values(**changes))
    if not accepted:
        raise refused
    return _account(user)


def _verify(password_hash: str, password: str) -> bool:
    try:
        return password_hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


@cache
def _dummy_hash(hasher: PasswordHasher) -> str:
    """Made by the hasher that checks it, so that checking it costs as much as a real check."""
    return hasher.hash("không phải mật khẩu của ai")


def account_by_id(connection: Connection, user_id: int) -> Account | None:
    user = connection.execute(select(User).where(User.id == user_id)).first()
    return None if user is None else _account(user)


def issue_api_token(engine: Engine, username: str, now: datetime | None = None) -> str:
    """A new bearer token for the account; only its hash is kept, so it is shown once."""
    token = secrets.token_urlsafe(32)
    with engine.begin() as connection:
        user = connection.execute(select(User.id).where(User.username == username)).first()
        if user is None:
            raise AccountError(f"Không có tài khoản '{username}'.")
        connection.execute(ApiToken.__table__.insert().values(
            token_hash=hash_secret(token), user_id=user.id, created_at=now or datetime.now()))
    return token


def account_for_token(engine: Engine, token: str) -> Account | None:
    with engine.connect() as connection:
        row = connection.execute(
            select(User).join(ApiToken, ApiToken.user_id == User.id)
            .where(ApiToken.token_hash == hash_secret(token), ApiToken.revoked_at.is_(None))
        ).first()
    return None if row is None else _account(row)
