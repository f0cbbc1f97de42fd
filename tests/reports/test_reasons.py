"""Households not yet insured by reason, in the periodic report, on the hand-worked commune of
tests/analytics/test_worklists.py. Visits by 30/09/2026:

HO01 (Tổ 1) refused 01/09, cannot afford;   HO04 (Tổ 1) promised 10/09, sees no need;
HO02 (Tổ 2) refused 05/09, cannot afford;   HO03 (Tổ 2) refused 02/09, cannot afford, joined 20/09.

By hamlet: Tổ 1 — cannot afford 1, no need 1; Tổ 2 — cannot afford 1 (HO03 joined). The commune:
cannot afford 2, no need 1, as bhyt.visits.reasons_by_hamlet counts them.
"""

from __future__ import annotations

from datetime import date

from bhyt.analytics.engine import analytics
from bhyt.domain.report_periods import report_period
from bhyt.reports.periodic import periodic_report, write_periodic
from bhyt.reports.reasons import reason_table
from bhyt.visits import reasons_by_hamlet, record_visit
from tests.analytics.test_worklists import D, DONG_HOI, populate
from tests.reports.test_periodic import HEADER
from tests.reports.xlsx import cells, find_row

SEPTEMBER = report_period("month", 2026, 9)
AFFORD, NO_NEED = "Không đủ tiền đóng", "Chưa thấy cần thiết"


def test_reasons_per_hamlet_and_commune_in_the_periodic_report(engine, tmp_path):
    populate(engine, tmp_path)
    for household, day, outcome, reason in (
        ("HO01", date(2026, 9, 1), "refused", "khong_du_tien"),
        ("HO04", date(2026, 9, 10), "promised", "chua_thay_can_thiet"),
        ("HO02", date(2026, 9, 5), "refused", "khong_du_tien"),
        ("HO03", date(2026, 9, 2), "refused", "khong_du_tien"),
        ("HO03", date(2026, 9, 20), "joined", None),
    ):
        record_visit(engine, household, day, "Cán bộ A", outcome, "test", reason_code=reason)
    with analytics(engine) as con:
        by_hamlet = reason_table(con, DONG_HOI, "hamlet", D)
        by_commune = reason_table(con, "44", "commune", D)
        counted = sum(count.households for count in reasons_by_hamlet(con, DONG_HOI, D))
        report = periodic_report(con, SEPTEMBER, DONG_HOI, "hamlet", D, date(2026, 8, 31))
    assert [name for _, name in by_hamlet.reasons] == [AFFORD, NO_NEED]
    assert [(row.name, row.counts) for row in by_hamlet.rows] == [("Tổ 1", (1, 1)), ("Tổ 2", (1, 0))]
    assert [(row.name, row.counts) for row in by_commune.rows] == [("Phường Đồng Hới", (2, 1))]
    assert sum(by_hamlet.total()) == sum(by_commune.total()) == counted == 3

    path = tmp_path / "thang_9.xlsx"
    write_periodic(path, HEADER, report)
    rows = cells(path, "Lý do chưa tham gia")
    head = find_row(rows, "Thôn, tổ dân phố")
    assert rows[head][2] == "Lý do chưa tham gia"
    assert rows[head + 1][2:] == [AFFORD, NO_NEED, ""]
    assert rows[head + 2] == ["", "Tổng cộng", 2, 1, 3]
    assert rows[head + 3] == [1, "Tổ 1", 1, 1, 2]
    assert rows[head + 4] == [2, "Tổ 2", 1, 0, 1]
