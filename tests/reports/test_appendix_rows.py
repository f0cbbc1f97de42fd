"""The appendix rows from the targets in the system of record (tests/reports/registry.py)."""

from datetime import date
from decimal import Decimal

from bhyt.analytics.engine import analytics
from bhyt.analytics.targets import set_target
from bhyt.reports.appendix import appendix_rows, appendix_total
from bhyt.reports.sources import Provenance
from tests.reports.registry import DONG_HOI, build_registry

END_2025 = date(2025, 12, 31)


def test_registry_rows_with_a_commune_count_target(engine, tmp_path):
    build_registry(engine, tmp_path)
    set_target(engine, "44", 2026, rate=Decimal("96"))
    # Like Tháp Mười's appendix, a commune given a number of people.
    set_target(engine, DONG_HOI, 2026, count=3)
    with analytics(engine) as con:
        rows = appendix_rows(con, 2026, "commune", "44", END_2025, source="registry")
    by_name = {row.unit_name: row for row in rows}
    # 31/12/2025: Đồng Hới 6 residents, P3 and P5 insured; its own 3 people: 1 to enrol, 3/6 = 50,00 %.
    dong_hoi = by_name["Phường Đồng Hới"]
    assert (dong_hoi.population, dong_hoi.insured, dong_hoi.target_count, dong_hoi.still_to_enrol,
            dong_hoi.target_rate) == (6, 2, 3, 1, Decimal("50.00"))
    assert dong_hoi.provenance == Provenance("registry", None, "registry")
    # Đồng Sơn inherits the province's 96 %: ⌈0,96⌉ = 1 person, already insured.
    dong_son = by_name["Phường Đồng Sơn"]
    assert (dong_son.population, dong_son.insured, dong_son.target_count, dong_son.still_to_enrol,
            dong_son.target_rate) == (1, 1, 1, 0, Decimal("96.00"))
    total = appendix_total(rows)
    # 4 of 7 people to reach: 57,14 %.
    assert (total.population, total.insured, total.target_count, total.still_to_enrol, total.target_rate) == (
        7, 3, 4, 1, Decimal("57.14"))
