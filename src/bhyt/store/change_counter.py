"""One-row change counters (registry_version, decisions_version): bumped in the same transaction as
every write of what they count, with a random token, so that a database dropped and created again,
which restarts the count, never repeats a token."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Connection, select, update


def bump(connection: Connection, counter: type) -> None:
    connection.execute(
        update(counter)
        .where(counter.id == 1)
        .values(version=counter.version + 1, token=uuid.uuid4().hex, changed_at=datetime.now())
    )


def current(connection: Connection, counter: type) -> str:
    """The token of the counted state as it is now."""
    return connection.execute(select(counter.token).where(counter.id == 1)).scalar_one()
