"""Expiry schedule, renewal and enrolment counts against a hand-built registry.

As of D = 2026-06-30, grace 30 days: renewals are observed on expiries from 31/05/2025 to
30/05/2026 (the last one whose 30 days without a card have all passed by D, counting the day after
the expiry as day 1: 30/05 + 31 = 30/06). All people live in Phường Đồng Hới (18880) unless noted.

person  hamlet  cards (code, from → to)                                  expiry in window       renewed?
R1      Tổ 1    GD 2025-01-01 → 2025-12-31, GD 2026-01-01 → 2026-12-31     31/12/2025             yes, next day
R2      Tổ 1    GD 2025-01-01 → 2025-12-31, GD 2026-02-15 → 2027-02-14     31/12/2025             no: 45 days uncovered
R3      Tổ 1    GD 2025-01-01 → 2025-12-31, GD 2026-01-31 → 2027-01-30     31/12/2025             yes: 30 days (limit)
R4      Tổ 1    GD 2025-03-01 → 2026-02-28 overlapped by GD 2025-09-01 → 2026-03-31
                                                                          31/03/2026 (one only)  no
R5      Tổ 1    GD 2025-07-01 → 2026-04-30, died 10/05/2026              —  (died within grace)
R6      Tổ 1    GD 2025-07-01 → 2026-04-30, moved to Đồng Sơn 15/05/2026  —  (left within grace)
R7      Tổ 1    HN 2025-01-01 → 2025-12-31, HN 2026-01-01 → 2026-12-31     31/12/2025             yes
R8      Tổ 1    GD 2025-06-11 → 2026-06-10                                 — (after the window)
R9      Tổ 1    GD 2024-05-31 → 2025-05-30                                 — (before the window)
S1      Tổ 2    GD 2025-07-15 → 2026-07-14, GD 2026-07-15 → 2027-07-14 (already paid)
S2      Tổ 2    GD 2025-07-20 → 2026-07-20
S3      Tổ 2    GD 2025-08-25 → 2026-08-24
S4      Tổ 2    HN 2026-01-01 → 2026-07-30 overlapping GD 2026-03-01 → 2026-07-10 (HN comes first)
S5      Tổ 2    GD 2025-09-28 → 2026-09-27

Đồng Hới renewals: GD R1 R2 R3 R4 → 2 of 4; HN R7 → 1 of 1; all codes 3 of 5.

In Phường Đồng Thuận (18859, Tổ 1), for enrolment (the months open on 30/06/2025, 30/07, 30/08,
30/09, 30/10, 30/11, 30/12, 30/01/2026, 28/02, 30/03, 30/04, 30/05 and close a month later):
E1  never insured                                   12 uninsured month starts, joins 0
E2  GD from 2026-03-15                              9 (30/06/2025 … 28/02/2026), joins 1 (by 30/03)
E3  GD 2025-01-01 → 2025-12-20, GD from 2026-01-10  0: uninsured on 30/12 but within the grace period
E4  GD 2024-01-01 → 2025-08-31                      8 (30/10/2025 … 30/05/2026; on 30/09 still in grace)
E5  arrived 2026-01-15, never insured               5 (30/01 … 30/05/2026)
→ 1 join in 34 uninsured month starts. E3 renewed within grace (20 days), E4 did not: GD 1 of 2.
Province 44: GD 3 of 6, HN 1 of 1, all 4 of 7.
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import insert, select

from bhyt.analytics.engine import analytics
from bhyt.analytics.renewals import (
    ALL_CODES,
    RateCounts,
    enrolment_counts,
    expiry_schedule,
    renewal_counts,
    renewal_window,
)
from bhyt.domain.participants import participant
from bhyt.store import registry_version
from bhyt.store.models import CardPeriod, Person, Residence, Unit
from tests.analytics.shared import shared_engine
from tests.conftest import DATABASES

D = date(2026, 6, 30)
DONG_HOI, DONG_SON, DONG_THUAN = "18880", "18871", "18859"
HAMLETS = {
    (DONG_HOI, "Tổ 1"): f"{DONG_HOI}-001",
    (DONG_HOI, "Tổ 2"): f"{DONG_HOI}-002",
    (DONG_SON, "Khu phố 3"): f"{DONG_SON}-001",
    (DONG_THUAN, "Tổ 1"): f"{DONG_THUAN}-001",
    (DONG_THUAN, "Tổ 2"): f"{DONG_THUAN}-002",
}


def day(text: str) -> date:
    return date.fromisoformat(text)


def build_registry(engine, residences, cards, deaths=None) -> dict[str, int]:
    """Insert people (one per name in `residences`), their residences and cards straight into the
    system of record. `residences`: (name, commune, hamlet name, arrived, left); `cards`: (name, code,
    valid_from, valid_to) with ISO dates; `deaths`: name → ISO date."""
    deaths = deaths or {}
    names = list(dict.fromkeys(row[0] for row in residences))
    with engine.begin() as connection:
        known = set(connection.scalars(select(Unit.code).where(Unit.level == "hamlet")))
        new_hamlets = {HAMLETS[commune, hamlet]: (commune, hamlet) for _, commune, hamlet, _, _ in residences}
        connection.execute(insert(Unit), [
            {"code": code, "name": hamlet, "level": "hamlet", "kind": "Tổ dân phố", "parent_code": commune}
            for code, (commune, hamlet) in new_hamlets.items() if code not in known
        ])
        start = connection.scalar(select(Person.id).order_by(Person.id.desc()).limit(1)) or 0
        ids = {name: start + index for index, name in enumerate(names, start=1)}
        connection.execute(insert(Person), [
            {"id": ids[name], "personal_id": f"{ids[name]:012d}", "full_name": f"Người {name}",
             "birth_date": date(1990, 1, 1), "sex": 1, "death_date": day(deaths[name]) if name in deaths else None}
            for name in names
        ])
        connection.execute(insert(Residence), [
            {"person_id": ids[name], "commune_code": commune, "hamlet_code": HAMLETS[commune, hamlet],
             "arrived_on": day(arrived) if arrived else None, "left_on": day(left) if left else None}
            for name, commune, hamlet, arrived, left in residences
        ])
        if cards:
            connection.execute(insert(CardPeriod), [
                {"person_id": ids[name], "bhxh_number": f"{ids[name]:010d}", "participant_code": code,
                 "benefit_level": participant(code).benefit_level, "valid_from": day(start_day),
                 "valid_to": day(end_day), "source": "kiểm thử"}
                for name, code, start_day, end_day in cards
            ])
        registry_version.bump(connection)
    return ids


def lives(name, commune=DONG_HOI, hamlet="Tổ 1", arrived=None, left=None):
    return (name, commune, hamlet, arrived, left)


RESIDENCES = [
    *(lives(name) for name in ("R1", "R2", "R3", "R4", "R5", "R7", "R8", "R9")),
    lives("R6", left="2026-05-15"), lives("R6", DONG_SON, "Khu phố 3", arrived="2026-05-15"),
    *(lives(name, hamlet="Tổ 2") for name in ("S1", "S2", "S3", "S4", "S5")),
    *(lives(name, DONG_THUAN) for name in ("E1", "E2", "E3", "E4")),
    lives("E5", DONG_THUAN, arrived="2026-01-15"),
]
CARDS = [
    ("R1", "GD", "2025-01-01", "2025-12-31"), ("R1", "GD", "2026-01-01", "2026-12-31"),
    ("R2", "GD", "2025-01-01", "2025-12-31"), ("R2", "GD", "2026-02-15", "2027-02-14"),
    ("R3", "GD", "2025-01-01", "2025-12-31"), ("R3", "GD", "2026-01-31", "2027-01-30"),
    ("R4", "GD", "2025-03-01", "2026-02-28"), ("R4", "GD", "2025-09-01", "2026-03-31"),
    ("R5", "GD", "2025-07-01", "2026-04-30"),
    ("R6", "GD", "2025-07-01", "2026-04-30"),
    ("R7", "HN", "2025-01-01", "2025-12-31"), ("R7", "HN", "2026-01-01", "2026-12-31"),
    ("R8", "GD", "2025-06-11", "2026-06-10"),
    ("R9", "GD", "2024-05-31", "2025-05-30"),
    ("S1", "GD", "2025-07-15", "2026-07-14"), ("S1", "GD", "2026-07-15", "2027-07-14"),
    ("S2", "GD", "2025-07-20", "2026-07-20"),
    ("S3", "GD", "2025-08-25", "2026-08-24"),
    ("S4", "HN", "2026-01-01", "2026-07-30"), ("S4", "GD", "2026-03-01", "2026-07-10"),
    ("S5", "GD", "2025-09-28", "2026-09-27"),
    ("E2", "GD", "2026-03-15", "2027-03-14"),
    ("E3", "GD", "2025-01-01", "2025-12-20"), ("E3", "GD", "2026-01-10", "2027-01-09"),
    ("E4", "GD", "2024-01-01", "2025-08-31"),
]


@pytest.fixture(scope="module", params=DATABASES)
def registry(request, tmp_path_factory):
    with shared_engine(request.param, "renewals", tmp_path_factory) as engine:
        build_registry(engine, RESIDENCES, CARDS, deaths={"R5": "2026-05-10"})
        yield engine


def schedule(engine, level, unit, until=None):
    with analytics(engine) as con:
        return {(row.unit_code, row.participant_code): (row.insured, dict(row.within), dict(row.lapses))
                for row in expiry_schedule(con, D, level, unit, until=until)}


def test_renewal_window_leaves_every_grace_period_complete():
    assert renewal_window(D, 30) == (date(2025, 5, 31), date(2026, 5, 30))


def test_expiry_schedule_of_the_commune(registry):
    # Insured on D: Tổ 1 R1 R2 R3 (GD) R7 (HN); Tổ 2 S1 S2 S3 S5 (GD) S4 (HN). R4 R8 R9 have no card
    # on D, R5 is dead, R6 has left.
    # GD coverage ends: R1 31/12/2026, R2 14/02/2027, R3 30/01/2027, S1 14/07/2027 (the paid renewal
    # merges), S2 20/07/2026 (≤ D+30), S3 24/08/2026 (≤ D+60), S5 27/09/2026 (≤ D+90 = 28/09).
    # HN: R7 31/12/2026; S4 30/07/2026 = D+30 (the overlapping GD card inside it does not shorten it).
    assert schedule(registry, "commune", DONG_HOI) == {
        (DONG_HOI, "GD"): (7, {30: 1, 60: 2, 90: 3}, {
            date(2026, 7, 31): 1, date(2026, 8, 31): 1, date(2026, 9, 30): 1,
            date(2027, 1, 31): 2, date(2027, 2, 28): 1, date(2027, 7, 31): 1}),
        (DONG_HOI, "HN"): (2, {30: 1, 60: 1, 90: 1}, {date(2026, 7, 31): 1, date(2027, 1, 31): 1}),
    }


def test_expiry_schedule_by_hamlet_up_to_a_horizon(registry):
    result = schedule(registry, "hamlet", DONG_HOI, until=date(2026, 12, 31))
    assert result == {
        # R1 R2 R3 all lapse in 2027, after the horizon
        (f"{DONG_HOI}-001", "GD"): (3, {30: 0, 60: 0, 90: 0}, {}),
        (f"{DONG_HOI}-001", "HN"): (1, {30: 0, 60: 0, 90: 0}, {}),
        (f"{DONG_HOI}-002", "GD"): (4, {30: 1, 60: 2, 90: 3},
                                    {date(2026, 7, 31): 1, date(2026, 8, 31): 1, date(2026, 9, 30): 1}),
        (f"{DONG_HOI}-002", "HN"): (1, {30: 1, 60: 1, 90: 1}, {date(2026, 7, 31): 1}),
    }


def counts(engine, level, unit, kind=renewal_counts):
    with analytics(engine) as con:
        return {(row.unit_code, row.key): (row.successes, row.trials) for row in kind(con, D, level, unit)}


def test_renewals_in_the_commune(registry):
    assert counts(registry, "commune", DONG_HOI) == {
        (DONG_HOI, "GD"): (2, 4), (DONG_HOI, "HN"): (1, 1), (DONG_HOI, ALL_CODES): (3, 5)}


def test_renewals_in_the_province(registry):
    # Đồng Hới's 2 of 4 GD plus Đồng Thuận's E3 (renewed after 20 days) and E4 (never).
    assert counts(registry, "province", "44") == {("44", "GD"): (3, 6), ("44", "HN"): (1, 1), ("44", ALL_CODES): (4, 7)}


def test_renewals_by_hamlet(registry):
    # Tổ 2's cards all end after the window.
    assert counts(registry, "hamlet", DONG_HOI) == {
        (f"{DONG_HOI}-001", "GD"): (2, 4), (f"{DONG_HOI}-001", "HN"): (1, 1), (f"{DONG_HOI}-001", ALL_CODES): (3, 5)}


def test_a_grace_of_45_days_renews_r2(registry):
    with analytics(registry) as con:
        found = renewal_counts(con, D, "commune", DONG_HOI, grace_days=45)
    # The window is now 16/05/2025 – 15/05/2026: R9's expiry (30/05/2025) joins the four, unrenewed;
    # R2's 45 days are within 45: R1 R2 R3 of R1 R2 R3 R4 R9.
    assert RateCounts(DONG_HOI, "GD", 3, 5) in found


def test_enrolment_of_the_uninsured(registry):
    assert counts(registry, "commune", DONG_THUAN, enrolment_counts) == {(DONG_THUAN, ALL_CODES): (1, 34)}


def test_bad_grace_is_refused(registry):
    with analytics(registry) as con:
        with pytest.raises(ValueError, match="Thời gian chờ gia hạn"):
            renewal_counts(con, D, "commune", DONG_HOI, grace_days=-1)
