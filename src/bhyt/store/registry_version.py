"""The registry's change counter: every writer of persons, residences or cards bumps it in its own
transaction, and the analytics snapshot rebuilds when its copy is older."""

from __future__ import annotations

from sqlalchemy import Connection, func, select

from bhyt.store import change_counter
from bhyt.store.models import ImportLog, RegistryVersion, Target


def bump(connection: Connection) -> None:
    change_counter.bump(connection, RegistryVersion)


def current(connection: Connection) -> str:
    """The token of the registry's present state."""
    return change_counter.current(connection, RegistryVersion)


def facts_version(connection: Connection) -> tuple:
    """A mark that moves whenever the facts read live beside the snapshot change: targets (every write
    stamps set_at), and population figures and aggregate counts (they arrive only by import, and every
    import, accepted or not, adds an import_log row). Answers that read them may be kept under it."""
    return tuple(connection.execute(select(
        select(func.max(ImportLog.id)).scalar_subquery(),
        select(func.count()).select_from(Target).scalar_subquery(),
        select(func.max(Target.set_at)).scalar_subquery(),
    )).one())
