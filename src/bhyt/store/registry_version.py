"""The registry's change counter: every writer of persons, residences or cards bumps it in its own
transaction, and the analytics snapshot rebuilds when its copy is older."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Connection, func, select, update

from bhyt.store.models import ImportLog, RegistryVersion, Target


def bump(connection: Connection) -> None:
    connection.execute(
        update(RegistryVersion)
        .where(RegistryVersion.id == 1)
        .values(version=RegistryVersion.version + 1, token=uuid.uuid4().hex, changed_at=datetime.now())
    )


def current(connection: Connection) -> str:
    """The token of the registry's present state."""
    return connection.execute(select(RegistryVersion.token).where(RegistryVersion.id == 1)).scalar_one()


def facts_version(connection: Connection) -> tuple:
    """A mark that moves whenever the facts read live beside the snapshot change: targets (every write
    stamps set_at), and population figures and aggregate counts (they arrive only by import, and every
    import, accepted or not, adds an import_log row). Answers that read them may be kept under it."""
    return tuple(connection.execute(select(
        select(func.max(ImportLog.id)).scalar_subquery(),
        select(func.count()).select_from(Target).scalar_subquery(),
        select(func.max(Target.set_at)).scalar_subquery(),
    )).one())
