"""One account per role over the demo province, so a new user can sign in at once (listed in the README).
The password is public: these accounts exist only on demo data."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine, select

from bhyt.store.models import Residence, Unit, User
from bhyt.web.accounts import add_user

DEMO_PASSWORD = "bhyt-demo-2026"


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: str
    unit_code: str | None
    display_name: str


def demo_accounts(engine: Engine, province_code: str) -> list[DemoAccount]:
    """The accounts for the province: its first commune with residents and that commune's first hamlet."""
    with engine.connect() as connection:
        commune = connection.execute(
            select(Unit.code).where(Unit.parent_code == province_code, Unit.level == "commune",
                                    select(Residence.person_id).where(Residence.commune_code == Unit.code).exists())
            .order_by(Unit.code).limit(1)
        ).scalar()
        hamlet = connection.execute(
            select(Unit.code).where(Unit.parent_code == commune).order_by(Unit.code).limit(1)
        ).scalar() if commune else None
    accounts = [
        DemoAccount("admin", "admin", None, "Quản trị (demo)"),
        DemoAccount("tinh", "province_officer", province_code, "Cán bộ tỉnh (demo)"),
        DemoAccount("kiemtra", "auditor", None, "Kiểm tra viên (demo)"),
        DemoAccount("giamdinh", "assessor", province_code, "Giám định viên (demo)"),
    ]
    if commune:
        accounts.append(DemoAccount("xa", "commune_officer", commune, "Cán bộ xã (demo)"))
    if hamlet:
        accounts.append(DemoAccount("thon", "hamlet_head", hamlet, "Trưởng thôn (demo)"))
    return accounts


def create_demo_accounts(engine: Engine, province_code: str) -> list[DemoAccount]:
    """Adds the demo accounts that are not there yet; returns all of them."""
    accounts = demo_accounts(engine, province_code)
    with engine.connect() as connection:
        existing = set(connection.execute(select(User.username)).scalars())
    for account in accounts:
        if account.username not in existing:
            add_user(engine, account.username, DEMO_PASSWORD, account.role, account.unit_code, account.display_name)
    return accounts
