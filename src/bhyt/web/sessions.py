"""Signed-in browsers: a random secret in an HttpOnly cookie, its hash and a CSRF token in the database.

Server-side sessions (rather than a signed cookie) let a sign-out or a locked account end a session at
once, and keep no secret key to manage.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Engine, delete, select

from bhyt.store.models import WebSession
from bhyt.web.accounts import Account, account_by_id, hash_secret

COOKIE = "bhyt_session"
LIFETIME = timedelta(hours=12)


@dataclass(frozen=True)
class Session:
    account: Account
    csrf_token: str


def start_session(engine: Engine, account: Account, now: datetime | None = None) -> str:
    """A new session for the account; returns the cookie's secret."""
    now = now or datetime.now()
    secret = secrets.token_urlsafe(32)
    with engine.begin() as connection:
        connection.execute(delete(WebSession).where(WebSession.expires_at < now))
        connection.execute(WebSession.__table__.insert().values(
            token_hash=hash_secret(secret), user_id=account.id, csrf_token=secrets.token_urlsafe(32),
            created_at=now, expires_at=now + LIFETIME))
    return secret


def session_for(engine: Engine, secret: str, now: datetime | None = None) -> Session | None:
    now = now or datetime.now()
    with engine.connect() as connection:
        row = connection.execute(
            select(WebSession.user_id, WebSession.csrf_token)
            .where(WebSession.token_hash == hash_secret(secret), WebSession.expires_at > now)
        ).first()
        if row is None:
            return None
        account = account_by_id(connection, row.user_id)
    return None if account is None else Session(account, row.csrf_token)


def end_session(engine: Engine, secret: str) -> None:
    with engine.begin() as connection:
        connection.execute(delete(WebSession).where(WebSession.token_hash == hash_secret(secret)))
