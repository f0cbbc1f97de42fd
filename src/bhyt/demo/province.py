"""Build a synthetic province into an empty system of record: ``build_demo``.

The province is one of the 34 of 2025, with its real communes; hamlets, households, people,
residences, household classifications, card periods since 2022 and official population figures are
made up, deterministically for a seed: the same seed, province, size and date give identical tables.
Registry coverage on ``as_of`` comes out around 92–95 % for the province, with communes roughly
between 85 and 99 % and hamlets wider.

Example::

    from bhyt.store.db import make_engine
    from bhyt.store.migrate import upgrade
    from bhyt.store.units import seed_admin_units
    from bhyt.demo import build_demo

    engine = make_engine("sqlite:///demo.db")
    upgrade(engine)
    seed_admin_units(engine)
    summary = build_demo(engine, persons=20_000)
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date
from typing import Callable

import numpy as np
from sqlalchemy import Engine, func, select

from bhyt.demo import writer
from bhyt.demo.cards import make_cards
from bhyt.demo.places import plan_province
from bhyt.demo.population import (
    IN_MIGRATION_START,
    add_events,
    assign_identifiers,
    assign_phones,
    classify_households,
    make_households,
    make_people,
)
from bhyt.store import registry_version
from bhyt.store.models import Person, Unit

DEFAULT_PROVINCE = "44"  # Quảng Trị
DEFAULT_PERSONS = 1_600_000
DEFAULT_SEED = 20260701
DEFAULT_AS_OF = date(2026, 11, 22)

Progress = Callable[[str, float], None]


class DemoRefused(RuntimeError):
    """The target database cannot take a demo province (it already holds people, or lacks the units)."""


@dataclass(frozen=True)
class DemoSummary:
    province_code: str
    communes: int
    hamlets: int
    households: int
    persons: int
    card_periods: int
    seconds: float


def build_demo(
    engine: Engine,
    province_code: str = DEFAULT_PROVINCE,
    persons: int | None = None,
    seed: int = DEFAULT_SEED,
    as_of: date = DEFAULT_AS_OF,
    progress: Progress | None = None,
) -> DemoSummary:
    """Generate the province and write it set-based into ``engine`` (schema and admin units must exist).

    ``persons`` is the number of people in the registry (default 1.6 million); ``as_of`` the day the
    registry is taken on: no card is paid, nobody born, dies or moves after it. Refuses, with
    ``DemoRefused``, a database that already holds people.
    """
    started = time.perf_counter()
    report = progress or (lambda _step, _fraction: None)
    total = DEFAULT_PERSONS if persons is None else int(persons)
    if total < 1:
        raise ValueError(f"Số người của tỉnh mô phỏng phải từ 1 trở lên (nhận được {persons}).")
    if as_of < IN_MIGRATION_START:
        raise ValueError(f"Ngày lấy số liệu phải từ {IN_MIGRATION_START:%d/%m/%Y} trở đi (nhận được {as_of:%d/%m/%Y}).")

    report("Kiểm tra cơ sở dữ liệu", 0.0)
    _check_target(engine, province_code)
    streams = [np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(9)]

    report("Lập danh sách xã, thôn", 0.02)
    province = plan_province(province_code, streams[0])
    report("Tạo hộ gia đình và nhân khẩu", 0.05)
    households, position = make_households(province, total, streams[1])
    people = make_people(province, households, position, as_of, streams[2])
    report("Sinh, tử, chuyển đi, chuyển đến", 0.15)
    add_events(province, households, people, as_of, streams[3])
    assign_identifiers(province, people, streams[4])
    assign_phones(people, as_of, streams[8])
    years = [as_of.year - 2, as_of.year - 1, as_of.year]
    classify_households(province, households, years, streams[5])
    report("Tạo thẻ BHYT", 0.25)
    cards = make_cards(province, households, people, as_of, streams[6])
    report("Kiểm tra mã số", 0.52)
    writer.check_identifiers(people, cards)
    homes = writer.residences(households, people)
    figures = writer.population_figures(province, people, homes, years, streams[7])
    report("Ghi vào cơ sở dữ liệu", 0.58)
    hamlets, card_periods = writer.write(engine, province, households, people, cards, homes, figures, report)
    with engine.begin() as connection:
        registry_version.bump(connection)
    report("Xong", 1.0)
    return DemoSummary(
        province_code=province_code,
        communes=province.commune_count,
        hamlets=hamlets,
        households=households.count,
        persons=people.count,
        card_periods=card_periods,
        seconds=round(time.perf_counter() - started, 2),
    )


def _check_target(engine: Engine, province_code: str) -> None:
    with engine.connect() as connection:
        people = connection.execute(select(func.count()).select_from(Person)).scalar_one()
        if people:
            raise DemoRefused(
                f"Cơ sở dữ liệu đã có {people:,} nhân khẩu; chỉ dựng tỉnh mô phỏng vào cơ sở dữ liệu chưa có "
                "dữ liệu người (hãy dùng một tệp mới hoặc xóa dữ liệu cũ)."
            )
        communes = connection.execute(
            select(func.count()).select_from(Unit).where(Unit.parent_code == province_code, Unit.level == "commune")
        ).scalar_one()
        if not communes:
            raise DemoRefused(
                f"Chưa có danh mục xã của tỉnh '{province_code}'; hãy nạp đơn vị hành chính trước (seed_admin_units)."
            )
        communes_of_province = select(Unit.code).where(Unit.parent_code == province_code, Unit.level == "commune")
        hamlets = connection.execute(
            select(func.count())
            .select_from(Unit)
            .where(Unit.level == "hamlet", Unit.parent_code.in_(communes_of_province))
        ).scalar_one()
        if hamlets:
            raise DemoRefused(
                f"Tỉnh '{province_code}' đã có {hamlets:,} thôn, tổ dân phố; chỉ dựng tỉnh mô phỏng khi chưa có."
            )
    engine.dispose()
