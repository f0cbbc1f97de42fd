"""The registry's change counter: every writer of persons, residences or cards bumps it in its own
transaction, and the analytics snapshot rebuilds when its copy is older."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Connection, select, update

from bhyt.store.models import RegistryVersion


def bump(connection: Connection) -> None:
    connection.execute(
        update(RegistryVersion)
        .where(RegistryVersion.id == 1)
        .values(version=RegistryVersion.version + 1, token=uuid.uuid4().hex, changed_at=datetime.now())
    )


def current(connection: Connection) -> str:
    """The token of the registry's present state."""
    return connection.execute(select(RegistryVersion.token).where(RegistryVersion.id == 1)).scalar_one()
