"""Coverage broken down by code, group, age and sex, as a monthly series, and from official figures,
against hand-worked expectations. D = 2026-06-30, five residents of Phường Đồng Hới (18880):

person  born        sex  cards                                           on D            on 31/05
P1      2022-07-01  1    TE 2022-07-01 .. 2028-06-30                     TE (age 3)      TE
P2      1990-06-30  2    GD 2026-01-01 .. 2026-12-31, HN from 2026-06-01  HN (priority)   GD
P3      1950-07-01  1    HT 2026-01-01 .. 2026-12-31                     HT (age 75)     HT
P4      2008-07-01  2    none                                            — (age 17)      —
P5      1966-06-30  2    DN 2025-06-01 .. 2026-05-31                     — (age 60)      DN

On D: 5 residents, 3 insured. Codes HN, HT, TE one each; groups 2: 1 (HT), 3: 2 (TE, HN).
Ages: 0-5 1/1, 6-17 1/0, 18-59 1/1, 60-74 1/0, 75+ 1/1. Sex 1: 2/2, sex 2: 3/1.
On 31/05 and 30/04: 4 insured (P1, P2 as GD, P3, P5).
Official: population 10 for 2025 (Cục Thống kê); BHXH reports June 2026: GD 6, TE 2 → 8 / 10 = 80.00 %
on D; May has no report, so 31/05 uses the registry's 4 → 40.00 %.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from bhyt.analytics.coverage import coverage, coverage_series
from bhyt.analytics.engine import analytics
from bhyt.domain.age_bands import age_band
from bhyt.domain.identifiers import personal_id_century_digit
from bhyt.ingest.service import import_file
from tests.analytics.shared import shared_engine
from tests.conftest import DATABASES, write_csv
from tests.ingest.fixtures import CARD_HEADER, PERSON_HEADER

D = date(2026, 6, 30)
MAY = date(2026, 5, 31)
DONG_HOI = "18880"
PEOPLE = {
    "P1": (date(2022, 7, 1), 1),
    "P2": (date(1990, 6, 30), 2),
    "P3": (date(1950, 7, 1), 1),
    "P4": (date(2008, 7, 1), 2),
    "P5": (date(1966, 6, 30), 2),
}


def pid(name: str) -> str:
    birth, sex = PEOPLE[name]
    return f"045{personal_id_century_digit(birth.year, sex)}{birth.year % 100:02d}{int(name[1]):06d}"


@pytest.fixture(scope="module", params=DATABASES)
def registry(request, tmp_path_factory):
    """Read only: built once for the module (and for the CLI tests that import it)."""
    with shared_engine(request.param, "breakdowns", tmp_path_factory) as engine:
        load_registry(engine, tmp_path_factory.mktemp("breakdown_lists"))
        yield engine


def load_registry(engine, folder) -> None:
    persons = [
        [pid(name), f"Người {name}", birth.isoformat(), str(sex), "", "", DONG_HOI, "Tổ 1", "", "", ""]
        for name, (birth, sex) in PEOPLE.items()
    ]
    cards = [
        [pid("P1"), "4500000001", "", "TE", "", "2022-07-01", "2028-06-30", ""],
        [pid("P2"), "4500000002", "", "GD", "", "2026-01-01", "2026-12-31", ""],
        [pid("P2"), "4500000002", "", "HN", "", "2026-06-01", "2026-12-31", ""],
        [pid("P3"), "4500000003", "", "HT", "", "2026-01-01", "2026-12-31", ""],
        [pid("P5"), "4500000005", "", "DN", "", "2025-06-01", "2026-05-31", ""],
    ]
    files = (
        ("persons", PERSON_HEADER, persons),
        ("cards", CARD_HEADER, cards),
        ("population", ["ma_don_vi", "nam", "dan_so", "nguon"], [[DONG_HOI, "2025", "10", "Cục Thống kê"]]),
        ("aggregates", ["ma_don_vi", "thang", "ma_doi_tuong", "so_nguoi_tham_gia"],
         [[DONG_HOI, "2026-06", "GD", "6"], [DONG_HOI, "2026-06", "TE", "2"]]),
    )
    for kind, header, rows in files:
        result = import_file(engine, kind, write_csv(folder / f"{kind}.csv", header, rows))
        assert result.ok, result.errors


def by(engine, key, as_of=D, source="registry"):
    with analytics(engine) as con:
        return {
            row.key: (row.population, row.insured)
            for row in coverage(con, as_of, "commune", DONG_HOI, by=key, source=source)
        }


def test_by_code_picks_the_priority_code(registry):
    assert by(registry, "code") == {"HN": (5, 1), "HT": (5, 1), "TE": (5, 1)}
    assert by(registry, "code", MAY) == {"DN": (5, 1), "GD": (5, 1), "HT": (5, 1), "TE": (5, 1)}


def test_by_group(registry):
    assert by(registry, "group") == {"1": (5, 0), "2": (5, 1), "3": (5, 2), "4": (5, 0), "5": (5, 0)}


def test_by_age_on_birthdays(registry):
    assert by(registry, "age") == {"0-5": (1, 1), "6-17": (1, 0), "18-59": (1, 1), "60-74": (1, 0), "75+": (1, 1)}


def test_by_sex(registry):
    assert by(registry, "sex") == {"1": (2, 2), "2": (3, 1)}


def test_monthly_series(registry):
    with analytics(registry) as con:
        series = coverage_series(con, date(2026, 4, 15), D, "commune", DONG_HOI)
    assert [(day, row.population, row.insured, row.coverage_pct) for day, row in series] == [
        (date(2026, 4, 30), 5, 4, Decimal("80.00")),
        (MAY, 5, 4, Decimal("80.00")),
        (D, 5, 3, Decimal("60.00")),
    ]


def test_official_uses_the_report_of_the_month_and_says_so(registry):
    with analytics(registry) as con:
        june = coverage(con, D, "commune", DONG_HOI, source="official")[0]
        may = coverage(con, MAY, "commune", DONG_HOI, source="official")[0]
        groups = {row.key: row.insured for row in coverage(con, D, "commune", DONG_HOI, by="group", source="official")}
    assert (june.population, june.insured, june.coverage_pct) == (10, 8, Decimal("80.00"))
    assert (june.population_source, june.population_year, june.insured_source) == ("Cục Thống kê", 2025, "aggregate")
    assert (may.insured, may.coverage_pct, may.insured_source) == (4, Decimal("40.00"), "registry")
    assert groups == {"1": 0, "2": 0, "3": 2, "4": 0, "5": 6}


def test_province_official_adds_up_reporting_communes(registry):
    with analytics(registry) as con:
        province = coverage(con, D, "province", "44", source="official")[0]
    # No province figure was imported: the population is unknown, the insured are the commune's report.
    assert (province.insured, province.insured_source, province.population, province.coverage_pct) == (
        8, "aggregate", None, None
    )


def test_sql_age_bands_match_the_domain(registry):
    days = [date(2026, 6, 29), D, date(2026, 7, 1), date(2028, 2, 29)]
    with analytics(registry) as con:
        for day in days:
            found = {row.key: row.population for row in coverage(con, day, "commune", DONG_HOI, by="age")}
            expected: dict[str, int] = {}
            for birth, _ in PEOPLE.values():
                expected[age_band(birth, day)] = expected.get(age_band(birth, day), 0) + 1
            assert {key: count for key, count in found.items() if count} == expected
