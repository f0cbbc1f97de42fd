"""The budget of the budget-paid and budget-supported cards, worked by hand.

Rates (data/*.csv): 4.5 % of the base salary, 2,340,000 until 30/06/2026 and 2,530,000 from 01/07/2026,
so a month costs 105,300 VND in January–June 2026 and 113,850 VND from July 2026 (1,366,200 a year).
State support (Decree 188): near-poor (CN) 70 %, pupils (HS) 50 %; group 3 (TE, HN…) 100 %. Province
top-ups: none in Quảng Trị (44); Đồng Tháp (82) adds 20 % for CN.

Phường Đồng Hới (18880), people and cards:
1 Một, household HO01 near-poor in 2026 and 2027: CN 01/01–31/12/2026 and CN 01/01–31/12/2027;
2 Bé, born 10/03/2024 (HO02): TE 10/03/2024–09/03/2030;
3 Ba (HO02): HS 01/01–30/06/2026;
4 Bốn (HO02): HN 2026, died 15/04/2026: paid for 01/01–14/04 only;
5 Năm (HO02): GD 2026 (self-pay: not in the budget);
6 Sáu (HO02): HN 2026, left on 30/06/2026 for Phường Đồng Sơn (18871), arriving 01/07/2026;
7 Bảy (HO01, near-poor): no card (entitled to CN).

2026 in Đồng Hới:
- TE: Bé, 12 months: 6 × 105,300 + 6 × 113,850 = 631,800 + 683,100 = 1,314,900, all state;
- HN: Bốn 3 months and 14/30 of April = 315,900 + 49,140 = 365,040; Sáu January–June = 631,800;
  2 people, 9.4667 → 9.47 person-months, 996,840, all state;
- CN: Một, 12 months, 1,314,900 (the base salary changes in July): state 70 % = 920,430, Một 394,470;
- HS: Ba, 6 months at the old base: 631,800: state 50 % = 315,900, Ba 315,900.
Totals: 5 people, 39.47 person-months, full 4,258,440, state 3,548,070, province 0, participants 710,370.

2027 in Đồng Hới (the brief's worked example): Một, CN, 12 × 113,850 = 1,366,200; state 70 % = 956,340;
Một pays 409,860. Bé TE 1,366,200.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from bhyt.analytics.budget import Scenario, budget, periods
from bhyt.analytics.coverage import UnknownUnit
from bhyt.analytics.engine import analytics
from bhyt.domain.identifiers import personal_id_century_digit
from bhyt.ingest.service import import_file
from tests.analytics.shared import shared_engine
from tests.conftest import DATABASES, write_csv
from tests.ingest.fixtures import CARD_HEADER, HOUSEHOLD_HEADER, PERSON_HEADER

DONG_HOI, DONG_SON, TO_1 = "18880", "18871", "18880-001"
MY_THO = "28261"  # Đồng Tháp (82)

# number: (name, birth, sex, household, commune, hamlet)
PEOPLE = {
    1: ("Trần Văn Một", "1970-01-10", 1, "HO01", DONG_HOI, "Tổ 1"),
    2: ("Trần Thị Bé", "2024-03-10", 2, "HO02", DONG_HOI, "Tổ 2"),
    3: ("Lê Văn Ba", "2010-03-12", 1, "HO02", DONG_HOI, "Tổ 2"),
    4: ("Lê Văn Bốn", "1940-04-13", 1, "HO02", DONG_HOI, "Tổ 2"),
    5: ("Lê Thị Năm", "1975-05-14", 2, "HO02", DONG_HOI, "Tổ 2"),
    6: ("Lê Văn Sáu", "1980-06-15", 1, "HO02", DONG_HOI, "Tổ 2"),
    7: ("Trần Thị Bảy", "1972-07-16", 2, "HO01", DONG_HOI, "Tổ 1"),
    8: ("Nguyễn Văn Tám", "1980-08-08", 1, "HO82", MY_THO, "Khu phố 1"),
}


def pid(number: int) -> str:
    _, birth, sex, _, commune, _ = PEOPLE[number]
    year = int(birth[:4])
    prefix = "087" if commune == MY_THO else "045"
    return f"{prefix}{personal_id_century_digit(year, sex)}{year % 100:02d}{number:06d}"


def person_row(number, commune=None, hamlet=None, arrived="", left="", died=""):
    full_name, birth, sex, household, home, home_hamlet = PEOPLE[number]
    return [pid(number), full_name, birth, str(sex), household, "", commune or home, hamlet or home_hamlet,
            arrived, left, died]


def card(number, code, start, end):
    return [pid(number), f"45000000{number:02d}", "", code, "", start, end, ""]


def populate(engine, folder) -> None:
    households = [
        ["HO01", "Trần Văn Một", DONG_HOI, "Tổ 1", "", "can_ngheo", "2026"],
        ["HO02", "Lê Văn Bốn", DONG_HOI, "Tổ 2", "", "khac", "2026"],
        ["HO82", "Nguyễn Văn Tám", MY_THO, "Khu phố 1", "", "can_ngheo", "2027"],
    ]
    later = [["HO01", "Trần Văn Một", DONG_HOI, "Tổ 1", "", "can_ngheo", "2027"]]
    persons = [person_row(number) for number in PEOPLE if number not in (4, 6)]
    persons += [person_row(4, died="2026-04-15"), person_row(6, left="2026-06-30")]
    moved = [person_row(6, commune=DONG_SON, hamlet="Khu phố 3", arrived="2026-07-01")]
    cards = [
        card(1, "CN", "2026-01-01", "2026-12-31"),
        card(1, "CN", "2027-01-01", "2027-12-31"),
        card(2, "TE", "2024-03-10", "2030-03-09"),
        card(3, "HS", "2026-01-01", "2026-06-30"),
        card(4, "HN", "2026-01-01", "2026-12-31"),
        card(5, "GD", "2026-01-01", "2026-12-31"),
        card(6, "HN", "2026-01-01", "2026-12-31"),
        card(8, "CN", "2027-01-01", "2027-12-31"),
    ]
    for kind, header, rows, file_name in (
        ("households", HOUSEHOLD_HEADER, households, "ho.csv"),
        ("households", HOUSEHOLD_HEADER, later, "ho_2027.csv"),
        ("persons", PERSON_HEADER, persons, "nk.csv"),
        ("persons", PERSON_HEADER, moved, "nk_moi.csv"),
        ("cards", CARD_HEADER, cards, "the.csv"),
    ):
        result = import_file(engine, kind, write_csv(folder / file_name, header, rows))
        assert result.ok, result.errors


@pytest.fixture(scope="module", params=DATABASES)
def registry(request, tmp_path_factory):
    with shared_engine(request.param, "budget", tmp_path_factory) as engine:
        populate(engine, tmp_path_factory.mktemp("budget_files"))
        yield engine


def run(engine, unit, year, scenario=None):
    with analytics(engine) as con:
        return budget(con, unit, year, Scenario.parse(scenario) if scenario else None)


def table(result):
    return [(row.participant_code, row.people, row.person_months, row.full, row.state, row.province, row.payable)
            for row in result.rows]


def test_a_year_with_a_base_salary_change(registry):
    result = run(registry, DONG_HOI, 2026)
    assert (result.unit_name, result.province_code) == ("Phường Đồng Hới", "44")
    assert table(result) == [
        ("TE", 1, Decimal("12.00"), Decimal(1314900), Decimal(1314900), Decimal(0), Decimal(0)),
        ("HN", 2, Decimal("9.47"), Decimal(996840), Decimal(996840), Decimal(0), Decimal(0)),
        ("CN", 1, Decimal("12.00"), Decimal(1314900), Decimal(920430), Decimal(0), Decimal(394470)),
        ("HS", 1, Decimal("6.00"), Decimal(631800), Decimal(315900), Decimal(0), Decimal(315900)),
    ]
    total = result.total
    assert (total.people, total.person_months, total.full, total.state, total.province, total.payable) == (
        5, Decimal("39.47"), Decimal(4258440), Decimal(3548070), Decimal(0), Decimal(710370))
    assert result.scenario is None


def test_the_brief_worked_example(registry):
    """A CN person for the 12 months of 2027: 4.5 % × 2,530,000 × 12 = 1,366,200; the state 70 % =
    956,340; the person 30 % = 409,860."""
    assert table(run(registry, DONG_HOI, 2027)) == [
        ("TE", 1, Decimal("12.00"), Decimal(1366200), Decimal(1366200), Decimal(0), Decimal(0)),
        ("CN", 1, Decimal("12.00"), Decimal(1366200), Decimal(956340), Decimal(0), Decimal(409860)),
    ]


def test_a_mover_is_paid_once_in_the_province(registry):
    """Sáu's HN card: January–June in Đồng Hới (631,800), July–December in Đồng Sơn (683,100), the
    whole 1,314,900 once in the province."""
    assert table(run(registry, DONG_SON, 2026)) == [
        ("HN", 1, Decimal("6.00"), Decimal(683100), Decimal(683100), Decimal(0), Decimal(0)),
    ]
    province = {row.participant_code: row for row in run(registry, "44", 2026).rows}
    assert (province["HN"].people, province["HN"].full) == (2, Decimal(365040 + 1314900))


def test_a_hamlet(registry):
    assert table(run(registry, TO_1, 2026)) == [
        ("CN", 1, Decimal("12.00"), Decimal(1314900), Decimal(920430), Decimal(0), Decimal(394470)),
    ]


def test_a_province_top_up(registry):
    """Mỹ Tho, Đồng Tháp: Tám's CN card for 2027: 1,366,200; the state 70 % = 956,340, the province
    20 % = 273,240, Tám 10 % = 136,620."""
    assert table(run(registry, MY_THO, 2027)) == [
        ("CN", 1, Decimal("12.00"), Decimal(1366200), Decimal(956340), Decimal(273240), Decimal(136620)),
    ]


def test_scenario(registry):
    """CN:10%:2026-07-01 in Đồng Hới: Một's CN card from July, 6 × 113,850 = 683,100, 10 % = 68,310 more
    for the province. Bảy (near-poor, no card on 01/07) would cost the province 10 % of 683,100 = 68,310
    if she held a card from then to 31/12. The year's table itself stays as it is."""
    result = run(registry, DONG_HOI, 2026, "CN:10%:2026-07-01")
    cost = result.scenario
    assert (cost.insured_people, cost.insured_person_months, cost.added_cost) == (1, Decimal("6.00"), Decimal(68310))
    assert (cost.uninsured_people, cost.uninsured_person_months, cost.uninsured_cost) == (
        1, Decimal("6.00"), Decimal(68310))
    assert table(result) == table(run(registry, DONG_HOI, 2026))


def test_scenario_mid_month_and_capped(registry):
    """CN:20%:2027-07-16 in Mỹ Tho: the province already adds 20 % to the state's 70 %, so only 10 % more
    is left to give. From 16/07: 16/31 of July + 5 months = 5.516129… person-months; × 113,850 =
    628,011.29; the province's share with the scenario 30 % = 188,403.39 → 188,403, without 20 % =
    125,602.26 → 125,602: 62,801 more."""
    cost = run(registry, MY_THO, 2027, "CN:20%:2027-07-16").scenario
    assert (cost.insured_people, cost.insured_person_months, cost.added_cost) == (1, Decimal("5.52"), Decimal(62801))
    assert (cost.uninsured_people, cost.uninsured_cost) == (0, Decimal(0))


def test_scenario_parsing():
    assert Scenario.parse("cn:12,5%:2026-07-01") == Scenario("CN", Decimal("0.125"), date(2026, 7, 1))
    assert Scenario.parse("HS:5:2026-09-05") == Scenario("HS", Decimal("0.05"), date(2026, 9, 5))
    for text, message in (("CN-10-2026", "không đúng dạng"), ("TE:10%:2026-07-01", "TE thuộc nhóm 3"),
                          ("CN:0%:2026-07-01", "lớn hơn 0 %"), ("CN:10%:2026-02-30", "không phải ngày")):
        with pytest.raises(ValueError, match=message):
            Scenario.parse(text)


def test_scenario_outside_the_year_and_unknown_unit(registry):
    with pytest.raises(ValueError, match="không thuộc năm 2026"):
        run(registry, DONG_HOI, 2026, "CN:10%:2027-01-01")
    with pytest.raises(UnknownUnit):
        run(registry, "99999", 2026)


def test_periods_cut_at_months_and_changes():
    spans = periods(2026, (date(2026, 7, 16),))
    assert [(span.start, span.end) for span in spans[5:8]] == [
        (date(2026, 6, 1), date(2026, 6, 30)), (date(2026, 7, 1), date(2026, 7, 15)),
        (date(2026, 7, 16), date(2026, 7, 31))]
    assert len(spans) == 13 and spans[6].month_days == 31
