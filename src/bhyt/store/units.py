"""Load the 2025 administrative units (34 provinces, 3,321 communes) into the units table."""

from __future__ import annotations

from sqlalchemy import Engine, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from bhyt.domain.admin_units import communes, provinces
from bhyt.store.models import Unit


def seed_admin_units(engine: Engine) -> int:
    """Insert the units not yet present; returns how many were added. Existing rows are left alone."""
    rows = [
        {"code": unit.code, "name": unit.name, "level": unit.level, "kind": unit.kind, "parent_code": unit.parent_code}
        for unit in [*provinces(), *communes()]
    ]
    insert = pg_insert if engine.dialect.name == "postgresql" else sqlite_insert
    with engine.begin() as connection:
        before = len(connection.execute(select(Unit.code).where(Unit.level != "hamlet")).all())
        connection.execute(insert(Unit).on_conflict_do_nothing(index_elements=["code"]), rows)
        after = len(connection.execute(select(Unit.code).where(Unit.level != "hamlet")).all())
    return after - before
