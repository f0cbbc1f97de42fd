"""Targets in the database: set, cascade, progress, on hand-worked registries and on Tháp Mười's appendix.

Registry of Phường Đồng Hới (18880), 2026 targets, "now" = 2026-06-30, last year = 2025-12-31:

hamlet  residents  insured 31/12/2025 (last year)  insured 30/06/2026  uninsured now
Tổ 1    10         7 → 70.00 %                     6                  4
Tổ 2     5         2 → 40.00 %                     2                  3
Tổ 3     5         3 → 60.00 %                     4                  1
commune 20                                         12 → 60.00 %

The commune's target is a count, 16 people = 16/20 = 80.00 %.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from bhyt.analytics.coverage import UnknownUnit
from bhyt.analytics.engine import analytics
from bhyt.analytics.target_groups import group_coverage
from bhyt.analytics.targets import cascade_targets, default_as_of, set_target, target_progress
from bhyt.domain.identifiers import personal_id_century_digit
from bhyt.domain.target_groups import UnknownTargetGroup
from bhyt.domain.targets import TargetError
from bhyt.ingest.service import import_file
from bhyt.store.models import Target, Unit
from tests.conftest import write_csv
from tests.ingest.fixtures import CARD_HEADER, HOUSEHOLD_HEADER, PERSON_HEADER

NOW, LAST_YEAR_END = date(2026, 6, 30), date(2025, 12, 31)
DONG_HOI = "18880"
D = Decimal
BOTH, LAST_ONLY, NOW_ONLY = ("2025-01-01", "2026-12-31"), ("2025-01-01", "2025-12-31"), ("2026-01-01", "2026-12-31")


class People:
    """Persons and cards rows with valid personal IDs and card numbers."""

    def __init__(self) -> None:
        self.persons: list[list[str]] = []
        self.cards: list[list[str]] = []

    def add(self, hamlet: str, birth: str = "1990-05-05", household: str = "", card: tuple[str, str] | None = None,
            code: str = "GD") -> None:
        number = len(self.persons) + 1
        year = int(birth[:4])
        personal_id = f"045{personal_id_century_digit(year, 1)}{year % 100:02d}{number:06d}"
        self.persons.append([personal_id, f"Người {number}", birth, "1", household, "", DONG_HOI, hamlet, "", "", ""])
        if card:
            self.cards.append([personal_id, f"45{number:08d}", "", code, "", *card, ""])

    def load(self, engine, folder, households: list[list[str]] = ()) -> None:
        lists = [("persons", PERSON_HEADER, self.persons), ("cards", CARD_HEADER, self.cards)]
        if households:
            lists.insert(0, ("households", HOUSEHOLD_HEADER, households))
        for kind, header, rows in lists:
            result = import_file(engine, kind, write_csv(folder / f"{kind}.csv", header, rows))
            assert result.ok, result.errors


def hamlet_codes(engine) -> dict[str, str]:
    with engine.connect() as connection:
        return dict(connection.execute(select(Unit.name, Unit.code).where(Unit.parent_code == DONG_HOI)).all())


@pytest.fixture
def registry(engine, tmp_path, filled_once):
    people = People()
    for hamlet, both, last_only, now_only, uninsured in (("Tổ 1", 6, 1, 0, 3), ("Tổ 2", 2, 0, 0, 3),
                                                          ("Tổ 3", 3, 0, 1, 1)):
        for card, times in ((BOTH, both), (LAST_ONLY, last_only), (NOW_ONLY, now_only), (None, uninsured)):
            for _ in range(times):
                people.add(hamlet, card=card)
    filled_once("registry", lambda: people.load(engine, tmp_path))
    return engine


def stored_targets(engine) -> list[tuple]:
    with engine.connect() as connection:
        return [tuple(row) for row in connection.execute(
            select(Target.unit_code, Target.year, Target.group_code, Target.rate, Target.count, Target.origin,
                   Target.set_by, Target.set_at).order_by(Target.unit_code))]


def progress_rows(engine, **arguments) -> dict[str, tuple]:
    with analytics(engine) as con:
        rows = target_progress(con, **arguments)
    return {row.unit_code: (row.population, row.insured, row.coverage_pct, row.target_pct, row.target_count,
                            row.still_to_enrol, row.status, row.rank) for row in rows}


def test_hamlets_inherit_the_commune_count_as_a_rate(registry):
    set_target(registry, DONG_HOI, 2026, count=16, set_by="cán bộ xã")
    t1, t2, t3 = (hamlet_codes(registry)[name] for name in ("Tổ 1", "Tổ 2", "Tổ 3"))
    # 16 of the commune's 20 = 80.00 % for every hamlet: Tổ 1 ceil(8) = 8 − 6 = 2 (20 % of 10: behind);
    # Tổ 2 4 − 2 = 2 (behind); Tổ 3 4 − 4 = 0 (met). Margins +0, −20, −40 → Tổ 3, Tổ 1, Tổ 2.
    assert progress_rows(registry, year=2026, level="hamlet", unit=DONG_HOI, as_of=NOW) == {
        t1: (10, 6, D("60.00"), D("80.00"), 8, 2, "behind", 2),
        t2: (5, 2, D("40.00"), D("80.00"), 4, 2, "behind", 3),
        t3: (5, 4, D("80.00"), D("80.00"), 4, 0, "met", 1),
    }
    # The commune keeps its own count exactly: 16 − 12 = 4.
    assert progress_rows(registry, year=2026, level="commune", unit=DONG_HOI, as_of=NOW) == {
        DONG_HOI: (20, 12, D("60.00"), D("80.00"), 16, 4, "behind", 1),
    }


def test_cascade_to_hamlets_then_progress(registry):
    """Required 16; floors Tổ 1 7, Tổ 2 2, Tổ 3 3 = 12; 4 to share by uninsured 4 : 3 : 1 → quotas 2, 1.5,
    0.5 → 2, 1, 0 and the one left over to Tổ 2 (ties Tổ 3 at .5, more uninsured) → Tổ 1 9 = 90.00 %,
    Tổ 2 4 = 80.00 %, Tổ 3 keeps its floor 60.00 %."""
    set_target(registry, DONG_HOI, 2026, count=16)
    t1, t2, t3 = (hamlet_codes(registry)[name] for name in ("Tổ 1", "Tổ 2", "Tổ 3"))
    with analytics(registry) as con:
        result = cascade_targets(registry, con, DONG_HOI, 2026, as_of=NOW)
    assert [(r.unit_code, r.population, r.insured, r.last_year_pct, r.target_pct, r.origin, r.changed)
            for r in result] == [
        (t1, 10, 6, D("70.00"), D("90.00"), "cascade", True),
        (t2, 5, 2, D("40.00"), D("80.00"), "cascade", True),
        (t3, 5, 4, D("60.00"), D("60.00"), "cascade", True),
    ]
    first = stored_targets(registry)
    assert [row[:6] for row in first] == [
        (DONG_HOI, 2026, "", None, 16, "manual"),
        (t1, 2026, "", D("90.00"), None, "cascade"),
        (t2, 2026, "", D("80.00"), None, "cascade"),
        (t3, 2026, "", D("60.00"), None, "cascade"),
    ]
    # Tổ 1: ceil(9) − 6 = 3; Tổ 2: 4 − 2 = 2; Tổ 3: 3 − 4 → 0, met. Margins −30, −40, +20.
    assert progress_rows(registry, year=2026, level="hamlet", unit=DONG_HOI, as_of=NOW) == {
        t1: (10, 6, D("60.00"), D("90.00"), 9, 3, "behind", 2),
        t2: (5, 2, D("40.00"), D("80.00"), 4, 2, "behind", 3),
        t3: (5, 4, D("80.00"), D("60.00"), 3, 0, "met", 1),
    }
    # Again on the same figures: nothing changes, not even the time stamps.
    with analytics(registry) as con:
        again = cascade_targets(registry, con, DONG_HOI, 2026, as_of=NOW)
    assert [r.changed for r in again] == [False, False, False]
    assert stored_targets(registry) == first


def test_cascade_keeps_a_manual_hamlet_target(registry):
    """Tổ 3 set by hand to 100 % (5 people): promised 7 + 2 + 5 = 14, 2 to share by 4 : 3 → quotas 1.14,
    0.86 → 1, 0 and the one left over to Tổ 2 (.86) → Tổ 1 8 = 80.00 %, Tổ 2 3 = 60.00 %."""
    set_target(registry, DONG_HOI, 2026, rate=D("80"))
    t1, t2, t3 = (hamlet_codes(registry)[name] for name in ("Tổ 1", "Tổ 2", "Tổ 3"))
    set_target(registry, t3, 2026, rate=D("100"), set_by="trưởng thôn")
    with analytics(registry) as con:
        result = cascade_targets(registry, con, DONG_HOI, 2026, as_of=NOW)
    assert [(r.unit_code, r.target_pct, r.origin, r.changed) for r in result] == [
        (t1, D("80.00"), "cascade", True), (t2, D("60.00"), "cascade", True), (t3, D("100"), "manual", False),
    ]
    assert [row[3:7] for row in stored_targets(registry)] == [
        (D("80.00"), None, "manual", None),
        (D("80.00"), None, "cascade", None),
        (D("60.00"), None, "cascade", None),
        (D("100.00"), None, "manual", "trưởng thôn"),
    ]


def test_cascade_needs_the_parent_target_and_children(registry):
    with analytics(registry) as con:
        with pytest.raises(TargetError, match="chưa có chỉ tiêu năm 2026"):
            cascade_targets(registry, con, DONG_HOI, 2026, as_of=NOW)
        hamlet = hamlet_codes(registry)["Tổ 1"]
        with pytest.raises(TargetError, match="là thôn"):
            cascade_targets(registry, con, hamlet, 2026, as_of=NOW)
        with pytest.raises(UnknownUnit):
            cascade_targets(registry, con, "99999", 2026, as_of=NOW)


def test_set_target_replaces_and_refuses_bad_input(registry):
    set_target(registry, DONG_HOI, 2026, rate=D("95.5"))
    set_target(registry, DONG_HOI, 2026, count=20, set_by="cán bộ xã")
    set_target(registry, DONG_HOI, 2026, rate=D("100"), group="hoc_sinh_sinh_vien")
    assert [row[:7] for row in stored_targets(registry)] == [
        (DONG_HOI, 2026, "", None, 20, "manual", "cán bộ xã"),
        (DONG_HOI, 2026, "hoc_sinh_sinh_vien", D("100.00"), None, "manual", None),
    ]
    with pytest.raises(UnknownUnit, match="'99999'"):
        set_target(registry, "99999", 2026, rate=D("95"))
    with pytest.raises(TargetError, match="từ 0 đến 100"):
        set_target(registry, DONG_HOI, 2026, rate=D("100.5"))
    with pytest.raises(TargetError, match="tối đa 2 chữ số"):
        set_target(registry, DONG_HOI, 2026, rate=D("95.555"))
    with pytest.raises(TargetError, match="đúng một trong hai"):
        set_target(registry, DONG_HOI, 2026, rate=D("95"), count=10)
    with pytest.raises(TargetError, match="đúng một trong hai"):
        set_target(registry, DONG_HOI, 2026)
    with pytest.raises(TargetError, match="không được âm"):
        set_target(registry, DONG_HOI, 2026, count=-1)
    with pytest.raises(UnknownTargetGroup):
        set_target(registry, DONG_HOI, 2026, rate=D("100"), group="hoc_sinh")


def test_default_as_of():
    assert default_as_of(2024, today=date(2026, 11, 22)) == date(2024, 12, 31)
    assert default_as_of(2026, today=date(2026, 11, 22)) == date(2026, 11, 22)
    assert default_as_of(2026, today=date(2027, 1, 1)) == date(2026, 12, 31)


# --- Tháp Mười's appendix, official figures --------------------------------------------------------

# Communes of the 2025 Đồng Tháp (82) named after Tháp Mười's, with the appendix's figures: population
# at the end of 2023, insured at the end of 2023, target count for 2024, still to enrol (appendix).
THAP_MUOI = {
    "30037": (19_537, 17_973, 18_162, 189),  # Thị trấn Mỹ An in the appendix
    "30046": (9_331, 9_122, 9_192, 70),  # Trường Xuân
    "30055": (14_909, 13_817, 14_166, 349),  # Mỹ Quí
    "30061": (11_792, 11_285, 11_560, 275),  # Đốc Binh Kiều
    "30073": (12_844, 11_421, 12_207, 786),  # Thanh Mỹ
}


@pytest.fixture
def thap_muoi(engine, tmp_path, filled_once):
    filled_once("thap_muoi", lambda: fill_thap_muoi(engine, tmp_path))
    return engine


def fill_thap_muoi(engine, tmp_path) -> None:
    population = [[code, "2023", people, "Phụ lục KH 418/KH-UBND"] for code, (people, *_) in THAP_MUOI.items()]
    reports = [[code, "2023-12", "GD", insured] for code, (_, insured, *_) in THAP_MUOI.items()]
    reports.append(["30037", "2024-12", "GD", 18_200])
    for kind, header, rows in (("population", ["ma_don_vi", "nam", "dan_so", "nguon"], population),
                               ("aggregates", ["ma_don_vi", "thang", "ma_doi_tuong", "so_nguoi_tham_gia"], reports)):
        result = import_file(engine, kind, write_csv(tmp_path / f"{kind}.csv", header, rows))
        assert result.ok, result.errors
    for code, (_, _, count, _) in THAP_MUOI.items():
        set_target(engine, code, 2024, count=count)


def test_tháp_mười_appendix_still_to_enrol(thap_muoi):
    """At the end of 2023 the figures are the appendix's. Rates: 18162/19537 → 92.97; 9192/9331 → 98.52;
    14166/14909 → 95.02; 11560/11792 → 98.04; 12207/12844 → 95.05. Coverage: 91.99, 97.76, 92.68, 95.70,
    88.92. Margins −0.98, −0.76, −2.34, −2.34, −6.13: Mỹ Quí and Đốc Binh Kiều tie, the higher coverage
    (Đốc Binh Kiều) goes first. Near = at most 1 % of the population still to enrol (189 ≤ 195.37,
    70 ≤ 93.31)."""
    with analytics(thap_muoi) as con:
        rows = target_progress(con, 2024, "commune", "82", as_of=date(2023, 12, 31), source="official")
    listed = {row.unit_code: row for row in rows if row.unit_code in THAP_MUOI}
    assert {code: (row.population, row.insured, row.coverage_pct, row.target_pct, row.target_count,
                   row.still_to_enrol, row.status, row.rank) for code, row in listed.items()} == {
        "30037": (19_537, 17_973, D("91.99"), D("92.97"), 18_162, 189, "near", 2),
        "30046": (9_331, 9_122, D("97.76"), D("98.52"), 9_192, 70, "near", 1),
        "30055": (14_909, 13_817, D("92.68"), D("95.02"), 14_166, 349, "behind", 4),
        "30061": (11_792, 11_285, D("95.70"), D("98.04"), 11_560, 275, "behind", 3),
        "30073": (12_844, 11_421, D("88.92"), D("95.05"), 12_207, 786, "behind", 5),
    }
    assert {code: row.still_to_enrol for code, row in listed.items()} == {
        code: still for code, (*_, still) in THAP_MUOI.items()}
    assert all((row.population_source, row.population_year, row.insured_source)
               == ("Phụ lục KH 418/KH-UBND", 2023, "aggregate") for row in listed.values())
    # The other communes of the province have no official figure: listed without target arithmetic.
    others = [row for row in rows if row.unit_code not in THAP_MUOI]
    assert len(others) == 97
    assert all(row.population is None and row.status is None and row.rank is None for row in others)


def test_tháp_mười_at_the_end_of_the_year(thap_muoi):
    # Default date for 2024 is 31/12/2024: December's report says 18,200 ≥ 18,162 → met.
    with analytics(thap_muoi) as con:
        rows = target_progress(con, 2024, "commune", "30037", source="official")
    assert [(r.population, r.insured, r.coverage_pct, r.still_to_enrol, r.status, r.rank) for r in rows] == [
        (19_537, 18_200, D("93.16"), 0, "met", 1)]


def test_progress_refuses_bad_arguments(registry):
    with analytics(registry) as con:
        with pytest.raises(ValueError, match="Cấp phải là"):
            target_progress(con, 2026, "district")
        with pytest.raises(ValueError, match="Nguồn phải là"):
            target_progress(con, 2026, "commune", source="bhxh")
        with pytest.raises(TargetError, match="không chia theo nhóm"):
            target_progress(con, 2026, "commune", source="official", group="can_ngheo")
        with pytest.raises(UnknownTargetGroup):
            target_progress(con, 2026, "commune", group="hoc_sinh")


# --- target groups ---------------------------------------------------------------------------------

@pytest.fixture
def groups(engine, tmp_path, filled_once):
    """On 30/06/2026, in Tổ 1 of Đồng Hới:

    person  born        age  household (class)      card on the day   groups
    a       2021-07-01  4    H1 (can_ngheo 2026)    TE                child, near-poor
    b       2020-06-30  6    H1                     —                 pupil age, near-poor
    c       2020-07-01  5    H3 (khac 2026)         —                 child
    d       2004-01-01  22   H3                     SV                pupil by card
    e       2008-06-30  18   H2 (ngheo 2025 only)   GD (to 30/06/2026) —
    f       1980-01-01  46   H1                     CN                near-poor
    g       2010-01-01  16   H2                     HS (to 30/06/2026) pupil age
    """
    households = [
        ["H1", "Chủ hộ 1", DONG_HOI, "Tổ 1", "", "can_ngheo", "2026"],
        ["H2", "Chủ hộ 2", DONG_HOI, "Tổ 1", "", "ngheo", "2025"],
        ["H3", "Chủ hộ 3", DONG_HOI, "Tổ 1", "", "khac", "2026"],
    ]
    people = People()
    year = ("2026-01-01", "2026-12-31")
    to_june = ("2025-07-01", "2026-06-30")
    people.add("Tổ 1", "2021-07-01", "H1", year, "TE")
    people.add("Tổ 1", "2020-06-30", "H1")
    people.add("Tổ 1", "2020-07-01", "H3")
    people.add("Tổ 1", "2004-01-01", "H3", year, "SV")
    people.add("Tổ 1", "2008-06-30", "H2", to_june, "GD")
    people.add("Tổ 1", "1980-01-01", "H1", year, "CN")
    people.add("Tổ 1", "2010-01-01", "H2", to_june, "HS")
    filled_once("groups", lambda: people.load(engine, tmp_path, households))
    return engine


def group_rows(engine, group, on=NOW):
    with analytics(engine) as con:
        return [(r.unit_code, r.population, r.insured, r.coverage_pct, r.key)
                for r in group_coverage(con, on, "commune", DONG_HOI, group)]


def test_group_coverage(groups):
    assert group_rows(groups, "tre_em_duoi_6") == [(DONG_HOI, 2, 1, D("50.00"), "tre_em_duoi_6")]  # a c
    assert group_rows(groups, "hoc_sinh_sinh_vien") == [(DONG_HOI, 3, 2, D("66.67"), "hoc_sinh_sinh_vien")]  # b d g
    assert group_rows(groups, "can_ngheo") == [(DONG_HOI, 3, 2, D("66.67"), "can_ngheo")]  # a b f
    # H2 was poor in 2025, not in 2026; at the end of 2025 e and g held cards (SV d's started in 2026).
    assert group_rows(groups, "ngheo") == [(DONG_HOI, 0, 0, None, "ngheo")]
    assert group_rows(groups, "ngheo", LAST_YEAR_END) == [(DONG_HOI, 2, 2, D("100.00"), "ngheo")]
    assert group_rows(groups, "nong_lam_ngu_diem_nghiep_tb") == [(DONG_HOI, 0, 0, None, "nong_lam_ngu_diem_nghiep_tb")]
    # The day after: c turns 6 and is of school age; g's HS card has ended, but at 16 she still is.
    # Eligible b c d g, insured d → 1 of 4; c has left the children under 6 (a alone, insured).
    assert group_rows(groups, "hoc_sinh_sinh_vien", date(2026, 7, 1)) == [
        (DONG_HOI, 4, 1, D("25.00"), "hoc_sinh_sinh_vien")]
    assert group_rows(groups, "tre_em_duoi_6", date(2026, 7, 1)) == [(DONG_HOI, 1, 1, D("100.00"), "tre_em_duoi_6")]


def test_group_progress_defaults_to_the_plans_100_percent(groups):
    hamlet = hamlet_codes(groups)["Tổ 1"]
    # Children under 6: 2 eligible, 1 insured; the plans' 100 % → 2 − 1 = 1 short = 50 % of 2: behind.
    assert progress_rows(groups, year=2026, level="hamlet", unit=DONG_HOI, as_of=NOW, group="tre_em_duoi_6") == {
        hamlet: (2, 1, D("50.00"), D("100"), 2, 1, "behind", 1)}
    # A province target for the group overrides the default for every hamlet under it: 50 % → 1 → met.
    set_target(groups, "44", 2026, rate=D("50"), group="tre_em_duoi_6")
    assert progress_rows(groups, year=2026, level="hamlet", unit=DONG_HOI, as_of=NOW, group="tre_em_duoi_6") == {
        hamlet: (2, 1, D("50.00"), D("50.00"), 1, 0, "met", 1)}
    # The everyone-target (group "") is a different target: the hamlet has none.
    assert progress_rows(groups, year=2026, level="hamlet", unit=DONG_HOI, as_of=NOW) == {
        hamlet: (7, 5, D("71.43"), None, None, None, None, None)}
