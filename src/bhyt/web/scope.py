"""What a signed-in account may see: its own unit and everything under it (admins and auditors without
a unit: everything). Every page and API call goes through `check_unit` before it reads a figure."""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
from sqlalchemy import Engine, select

from bhyt.store.models import Unit
from bhyt.web.accounts import Account
from bhyt.web.i18n import N_

LEVEL_NAMES = {"province": N_("Tỉnh"), "commune": N_("Xã"), "hamlet": N_("Thôn")}
CHILD_LEVEL = {"province": "commune", "commune": "hamlet"}


class OutOfScope(Exception):
    """The account asked for a unit outside its own."""


class NoSuchUnit(LookupError):
    pass


@dataclass(frozen=True)
class UnitInfo:
    code: str
    name: str
    level: str
    parent_code: str | None

    @property
    def level_name(self) -> str:
        return LEVEL_NAMES[self.level]

    @property
    def child_level(self) -> str | None:
        return CHILD_LEVEL.get(self.level)


def unit_info(engine: Engine, code: str) -> UnitInfo:
    with engine.connect() as connection:
        row = connection.execute(
            select(Unit.code, Unit.name, Unit.level, Unit.parent_code).where(Unit.code == code)).first()
    if row is None:
        raise NoSuchUnit(code)
    return UnitInfo(*row)


def lineage(engine: Engine, code: str) -> list[UnitInfo]:
    """The unit and its ancestors, the province first (for breadcrumbs and scope checks)."""
    chain = [unit_info(engine, code)]
    while chain[0].parent_code is not None:
        chain.insert(0, unit_info(engine, chain[0].parent_code))
    return chain


def check_unit(engine: Engine, account: Account, code: str) -> list[UnitInfo]:
    """The unit's lineage if the account may see it; OutOfScope otherwise (NoSuchUnit if it does not exist)."""
    chain = lineage(engine, code)
    if account.unit_code is not None and account.unit_code not in {unit.code for unit in chain}:
        raise OutOfScope(code)
    return chain


def home_unit(con: duckdb.DuckDBPyConnection, account: Account) -> str:
    """Where the account lands after signing in: its own unit, or for an account over the whole database
    the province with the most residents (the one the data is about). `con`: an analytics connection."""
    if account.unit_code is not None:
        return account.unit_code
    return busiest_province(con)


def busiest_province(con: duckdb.DuckDBPyConnection) -> str:
    busiest = con.execute("""
        SELECT code FROM units u WHERE level = 'province'
        ORDER BY (SELECT count(*) FROM residences r WHERE r.province_code = u.code) DESC, code LIMIT 1
    """).fetchone()
    if busiest is None:
        raise NoSuchUnit("(chưa có đơn vị hành chính nào)")
    return busiest[0]
