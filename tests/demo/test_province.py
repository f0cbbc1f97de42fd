"""The synthetic province: deterministic, valid identifiers, realistic coverage, refuses to build twice."""

from __future__ import annotations

import hashlib
import sqlite3
from collections import Counter
from datetime import date
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import func, select

from bhyt.analytics.coverage import coverage
from bhyt.analytics.engine import analytics
from bhyt.demo import DemoRefused, DemoSummary, build_demo
from bhyt.demo.dates import add_months, day, to_date
from bhyt.domain.admin_units import HAMLET_KINDS, communes
from bhyt.domain.card_validity import add_months as domain_add_months
from bhyt.domain.identifiers import check_bhxh_number, check_personal_id, parse_card_code
from bhyt.domain.participants import PARTICIPANT_CODES
from bhyt.store.db import make_engine
from bhyt.store.migrate import upgrade
from bhyt.store.models import Person
from bhyt.store.units import seed_admin_units

AS_OF = date(2026, 11, 22)
PERSONS = 12_000
TABLES = (
    "units",
    "households",
    "household_classifications",
    "persons",
    "residences",
    "card_periods",
    "population_figures",
)


def fresh_engine(path: Path):
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    seed_admin_units(engine)
    return engine


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory):
    path = tmp_path_factory.mktemp("demo") / "province.db"
    engine = fresh_engine(path)
    steps: list[tuple[str, float]] = []
    summary = build_demo(engine, persons=PERSONS, progress=lambda step, fraction: steps.append((step, fraction)))
    yield engine, path, summary, steps
    engine.dispose()


def rows(path: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(path) as connection:
        return connection.execute(sql).fetchall()


def scalar(path: Path, sql: str):
    return rows(path, sql)[0][0]


def table_digest(path: Path, table: str) -> str:
    digest = hashlib.sha256()
    for row in rows(path, f"SELECT * FROM {table} ORDER BY 1, 2"):
        digest.update(repr(row).encode())
    return digest.hexdigest()


def test_summary_matches_what_was_written(built):
    _, path, summary, _ = built
    assert isinstance(summary, DemoSummary)
    assert summary.province_code == "44"
    assert summary.communes == len(communes("44")) == 78
    assert summary.persons == PERSONS == rows(path, "SELECT count(*) FROM persons")[0][0]
    assert summary.households == rows(path, "SELECT count(*) FROM households")[0][0]
    assert summary.card_periods == rows(path, "SELECT count(*) FROM card_periods")[0][0]
    assert summary.hamlets == rows(path, "SELECT count(*) FROM units WHERE level = 'hamlet'")[0][0]
    assert summary.seconds > 0
    # Roughly 3.6 people a household, a few card periods a person.
    assert 3.2 < summary.persons / summary.households < 4.0
    assert 2.0 < summary.card_periods / summary.persons < 5.0


def test_progress_reports_steps_in_order(built):
    *_, steps = built
    fractions = [fraction for _, fraction in steps]
    assert fractions == sorted(fractions)
    assert fractions[0] == 0.0 and fractions[-1] == 1.0
    assert all(isinstance(step, str) and step for step, _ in steps)


def test_same_seed_gives_identical_tables_and_another_seed_does_not(tmp_path):
    first, second, other = (fresh_engine(tmp_path / name) for name in ("a.db", "b.db", "c.db"))
    build_demo(first, persons=3_000)
    build_demo(second, persons=3_000)
    build_demo(other, persons=3_000, seed=7)
    for table in TABLES:
        assert table_digest(tmp_path / "a.db", table) == table_digest(tmp_path / "b.db", table), table
    assert table_digest(tmp_path / "a.db", "persons") != table_digest(tmp_path / "c.db", "persons")
    assert table_digest(tmp_path / "a.db", "card_periods") != table_digest(tmp_path / "c.db", "card_periods")
    for engine in (first, second, other):
        engine.dispose()


def test_every_personal_id_passes_the_domain_rules(built):
    _, path, *_ = built
    people = rows(path, "SELECT personal_id, birth_date, sex FROM persons")
    assert len({pid for pid, *_ in people}) == len(people)
    for pid, birth, sex in people:
        assert check_personal_id(pid, date.fromisoformat(birth), sex) == [], pid
    # Mostly born in Quảng Bình (044) or Quảng Trị (045), the provinces merged into Quảng Trị (44).
    local = sum(pid[:3] in ("044", "045") for pid, *_ in people)
    assert 0.85 < local / len(people) < 0.99


def test_every_card_code_parses_and_matches_its_row(built):
    _, path, *_ = built
    cards = rows(
        path,
        "SELECT card_code, participant_code, benefit_level, bhxh_number, first_contact_facility, source, "
        "valid_from, valid_to FROM card_periods",
    )
    for card_code, participant_code, level, bhxh, facility, source, valid_from, valid_to in cards:
        parsed = parse_card_code(card_code)
        assert (parsed.participant_code, parsed.benefit_level, parsed.bhxh_number) == (participant_code, level, bhxh)
        assert participant_code in PARTICIPANT_CODES
        assert check_bhxh_number(bhxh) == []
        assert len(facility) == 5 and facility.isdigit() and facility[:2] == parsed.province_code
        assert source == "demo"
        assert valid_from <= valid_to


def test_one_bhxh_number_per_person_for_life(built):
    _, path, *_ = built
    numbers_per_person = "SELECT person_id FROM card_periods GROUP BY 1 HAVING count(DISTINCT bhxh_number) > 1"
    people_per_number = "SELECT bhxh_number FROM card_periods GROUP BY 1 HAVING count(DISTINCT person_id) > 1"
    assert scalar(path, f"SELECT count(*) FROM ({numbers_per_person})") == 0
    assert scalar(path, f"SELECT count(*) FROM ({people_per_number})") == 0


def test_coverage_is_realistic_with_a_spread_between_communes(built):
    engine, *_ = built
    with analytics(engine) as con:
        province = coverage(con, AS_OF, "province", "44")[0]
        by_commune = [row for row in coverage(con, AS_OF, "commune", "44") if row.population >= 50]
        by_hamlet = [row for row in coverage(con, AS_OF, "hamlet", "44") if row.population >= 20]
    assert 90 <= province.coverage_pct <= 97
    percents = [float(row.coverage_pct) for row in by_commune]
    assert max(percents) - min(percents) >= 5
    hamlet_percents = [float(row.coverage_pct) for row in by_hamlet]
    assert max(hamlet_percents) - min(hamlet_percents) >= max(percents) - min(percents)


def test_coverage_rises_a_little_over_the_years(built):
    engine, *_ = built
    with analytics(engine) as con:
        years = [coverage(con, date(year, 12, 31), "province", "44")[0].coverage_pct for year in (2022, 2025)]
    assert 85 < years[0] <= years[1] + 1


def test_places_households_and_people_look_vietnamese(built):
    _, path, *_ = built
    hamlets = rows(path, """
        SELECT u.code, u.name, u.kind, u.parent_code, c.kind
        FROM units u JOIN units c ON c.code = u.parent_code WHERE u.level = 'hamlet'""")
    per_commune = Counter(parent for _, _, _, parent, _ in hamlets)
    assert set(per_commune) == {c.code for c in communes("44")}
    assert all(8 <= n <= 30 for n in per_commune.values())
    for code, name, kind, parent, commune_kind in hamlets:
        assert code.startswith(parent + "-") and len(code) == len(parent) + 4
        assert kind in HAMLET_KINDS and name.lower().startswith(kind)
        assert (kind in ("tổ dân phố", "khu phố")) == (commune_kind == "phường")

    households = rows(path, """
        SELECT h.code, h.commune_code, h.address, u.name, c.name
        FROM households h JOIN units u ON u.code = h.hamlet_code JOIN units c ON c.code = h.commune_code""")
    for code, commune_code, address, hamlet_name, commune_name in households:
        assert code.startswith(f"44-{commune_code}-") and len(code.split("-")[2]) == 6
        assert address == f"{hamlet_name}, {commune_name}"

    sizes = Counter(n for (n,) in rows(path, "SELECT count(*) FROM persons GROUP BY household_id"))
    assert min(sizes) >= 1 and max(sizes) <= 8
    heads = rows(path, "SELECT household_id, count(*) FROM persons WHERE relation_to_head = 'Chủ hộ' GROUP BY 1")
    assert len(heads) == len(households) and all(n == 1 for _, n in heads)
    relations = {r for (r,) in rows(path, "SELECT DISTINCT relation_to_head FROM persons")}
    assert {"Chủ hộ", "Vợ", "Con", "Cháu"} <= relations
    families = Counter(name.split()[0] for (name,) in rows(path, "SELECT full_name FROM persons"))
    assert families.most_common(1)[0][0] == "Nguyễn"
    assert 0.25 < families["Nguyễn"] / sum(families.values()) < 0.45


def test_age_pyramid_and_household_classifications(built):
    _, path, *_ = built
    ages = np.array([(AS_OF - date.fromisoformat(b)).days / 365.25 for (b,) in rows(
        path, "SELECT birth_date FROM persons WHERE death_date IS NULL")])
    assert 0.20 < (ages < 15).mean() < 0.27
    assert 0.06 < (ages >= 65).mean() < 0.11
    shares = dict(rows(path, """
        SELECT classification, 1.0 * count(*) / (SELECT count(*) FROM households)
        FROM household_classifications WHERE year = 2024 GROUP BY 1"""))
    assert 0.02 < shares["ngheo"] < 0.07
    assert 0.03 < shares["can_ngheo"] < 0.08
    assert 0.06 < shares["nong_lam_ngu_diem_nghiep_tb"] < 0.15
    assert {year for (year,) in rows(path, "SELECT DISTINCT year FROM household_classifications")} == {2024, 2025, 2026}


def test_residences_births_moves_and_deaths(built):
    _, path, *_ = built
    # Everyone lives somewhere; the living who stayed have exactly one open residence, in their
    # household's commune and hamlet.
    assert scalar(path, """
        SELECT count(*) FROM persons p
        WHERE NOT EXISTS (SELECT 1 FROM residences r WHERE r.person_id = p.id)""") == 0
    assert scalar(path, """
        SELECT count(*) FROM persons p JOIN households h ON h.id = p.household_id
        WHERE p.death_date IS NULL
          AND NOT EXISTS (SELECT 1 FROM residences r WHERE r.person_id = p.id AND r.left_on IS NOT NULL)
          AND 1 <> (SELECT count(*) FROM residences r WHERE r.person_id = p.id AND r.left_on IS NULL
                    AND r.commune_code = h.commune_code AND r.hamlet_code = h.hamlet_code)""") == 0
    total = PERSONS
    births = scalar(path, """
        SELECT count(*) FROM persons p JOIN residences r ON r.person_id = p.id
        WHERE p.birth_date >= '2022-01-01' AND r.arrived_on = p.birth_date""")
    arrivals = scalar(path, """
        SELECT count(DISTINCT r.person_id) FROM residences r JOIN persons p ON p.id = r.person_id
        WHERE r.arrived_on >= '2023-01-01' AND p.birth_date < r.arrived_on""")
    left = scalar(path, """
        SELECT count(*) FROM residences r WHERE left_on IS NOT NULL
          AND NOT EXISTS (SELECT 1 FROM residences o WHERE o.person_id = r.person_id AND o.id <> r.id)""")
    moved = scalar(path, "SELECT count(*) FROM (SELECT person_id FROM residences GROUP BY 1 HAVING count(*) = 2)")
    dead = scalar(path, "SELECT count(*) FROM persons WHERE death_date IS NOT NULL")
    assert 0.04 < births / total < 0.12
    assert 0.02 < arrivals / total < 0.07
    assert 0.02 < left / total < 0.08
    assert 0 < moved / total < 0.04
    assert 0.015 < dead / total < 0.045
    assert rows(path, "SELECT count(*) FROM residences WHERE arrived_on > left_on") == [(0,)]
    assert rows(path, f"SELECT count(*) FROM persons WHERE death_date > '{AS_OF}' OR birth_date > '{AS_OF}'") == [(0,)]


def test_deliberate_data_quality_cases_are_there_but_rare(built):
    _, path, *_ = built
    overlapping = scalar(path, """
        SELECT count(DISTINCT a.person_id) FROM card_periods a JOIN card_periods b
          ON a.person_id = b.person_id AND a.id < b.id AND a.valid_from <= b.valid_to AND b.valid_from <= a.valid_to""")
    after_death = scalar(path, """
        SELECT count(DISTINCT c.person_id) FROM card_periods c JOIN persons p ON p.id = c.person_id
        WHERE c.valid_to > p.death_date""")
    after_leaving = scalar(path, """
        SELECT count(DISTINCT c.person_id) FROM card_periods c JOIN residences r ON r.person_id = c.person_id
        WHERE r.left_on IS NOT NULL AND c.valid_to > r.left_on
          AND NOT EXISTS (SELECT 1 FROM residences o WHERE o.person_id = r.person_id AND o.left_on IS NULL)""")
    assert 0 < overlapping <= 0.006 * PERSONS
    assert 0 < after_death <= 0.01 * PERSONS
    assert 0 < after_leaving <= 0.02 * PERSONS
    # Card periods cover 2022 to past as_of; budget lists run by calendar year.
    first, last = rows(path, "SELECT min(valid_to), max(valid_to) FROM card_periods")[0]
    assert first >= "2022-01-01" and last > str(AS_OF)
    poor_cards = rows(path, "SELECT substr(valid_to, 6) = '12-31' FROM card_periods WHERE participant_code = 'HN'")
    assert sum(flag for (flag,) in poor_cards) >= 0.95 * len(poor_cards)  # the others end at a death or a move


def test_population_figures_for_communes_and_province(built):
    _, path, *_ = built
    figures = rows(path, "SELECT unit_code, year, population, source FROM population_figures")
    units = {c.code for c in communes("44")} | {"44"}
    assert {(unit, year) for unit, year, *_ in figures} == {(u, y) for u in units for y in (2024, 2025, 2026)}
    assert {source for *_, source in figures} == {"Cục Thống kê (mô phỏng)"}
    residents = dict(rows(path, """
        SELECT r.commune_code, count(*) FROM residences r JOIN persons p ON p.id = r.person_id
        WHERE r.arrived_on <= '2026-07-01' AND (r.left_on IS NULL OR r.left_on >= '2026-07-01')
          AND (p.death_date IS NULL OR p.death_date > '2026-07-01') GROUP BY 1"""))
    for unit, year, population, _ in figures:
        if year == 2026 and unit != "44" and residents.get(unit, 0) >= 50:
            assert abs(population - residents[unit]) <= 0.05 * residents[unit] + 1


def test_refuses_a_database_that_already_holds_people(built):
    engine, path, *_ = built
    before = [rows(path, f"SELECT count(*) FROM {table}")[0][0] for table in TABLES]
    with pytest.raises(DemoRefused, match="đã có"):
        build_demo(engine, persons=100)
    assert [rows(path, f"SELECT count(*) FROM {table}")[0][0] for table in TABLES] == before


def test_a_failed_load_leaves_nothing_behind(tmp_path, monkeypatch):
    from bhyt.demo import writer

    path = tmp_path / "failing.db"
    engine = fresh_engine(path)
    indexes = rows(path, "SELECT name FROM sqlite_master WHERE type = 'index' ORDER BY 1")
    statements = writer._statements
    monkeypatch.setattr(
        writer, "_statements", lambda code: [*statements(code)[:-1], ("Lỗi", "INSERT INTO db.no_such_table VALUES (1)")]
    )
    with pytest.raises(Exception, match="no_such_table"):
        build_demo(engine, persons=500)
    assert [rows(path, f"SELECT count(*) FROM {table}")[0][0] for table in TABLES[1:]] == [0] * (len(TABLES) - 1)
    assert rows(path, "SELECT count(*) FROM units WHERE level = 'hamlet'") == [(0,)]
    assert rows(path, "SELECT name FROM sqlite_master WHERE type = 'index' ORDER BY 1") == indexes
    monkeypatch.undo()
    assert build_demo(engine, persons=500).persons == 500
    engine.dispose()


def test_refuses_without_admin_units(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'empty.db'}")
    upgrade(engine)
    with pytest.raises(DemoRefused, match="danh mục"):
        build_demo(engine, persons=100)
    engine.dispose()


def test_builds_on_each_supported_database(engine):
    """Runs on SQLite, and on PostgreSQL when BHYT_TEST_DATABASE_URL names one."""
    summary = build_demo(engine, province_code="46", persons=2_000)
    with engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(Person)).scalar_one() == 2_000
    with analytics(engine) as con:
        province = coverage(con, AS_OF, "province", "46")[0]
    assert summary.communes == len(communes("46"))
    assert 85 <= province.coverage_pct <= 99


def test_column_add_months_matches_the_domain():
    rng = np.random.default_rng(1)
    days = rng.integers(day(date(2019, 1, 1)), day(date(2027, 12, 31)), 2_000)
    months = rng.integers(1, 73, 2_000)
    ours = add_months(days, months)
    for d, m, result in zip(days.tolist(), months.tolist(), ours.tolist()):
        assert to_date(result) == domain_add_months(to_date(d), m)


def test_most_adults_have_a_mobile_number_and_children_none(built):
    _, path, *_ = built
    people = rows(path, "SELECT birth_date, phone FROM persons")
    adults = [phone for birth, phone in people if domain_add_months(date.fromisoformat(birth), 12 * 18) <= AS_OF]
    children = [phone for birth, phone in people if domain_add_months(date.fromisoformat(birth), 12 * 18) > AS_OF]
    assert all(phone is None for phone in children)
    numbers = [phone for phone in adults if phone is not None]
    assert 0.80 < len(numbers) / len(adults) < 0.90
    # Ten digits on a mobile network's prefix: 03x, 05x, 07x, 08x, 09x.
    assert all(len(phone) == 10 and phone.isdigit() and phone[:2] in ("03", "05", "07", "08", "09")
               for phone in numbers)
    assert len(set(numbers)) > 0.99 * len(numbers)
