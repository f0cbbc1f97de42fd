"""The visit log on the hand-worked commune of tests/analytics/test_worklists.py (Phường Đồng Hới;
Tổ 1 = 18880-001 holds HO01 and HO04, Tổ 2 = 18880-002 holds HO02 and HO03), with these visits:

  HO01 2026-08-01 Lan,  the household, refused, khong_du_tien, follow up 2026-09-15
  HO01 2026-09-20 Lan,  person 3,      not_home, di_lam_an_xa, follow up 2026-10-05
  HO02 2025-12-10 Minh, the household, promised,               follow up 2026-01-15
  HO03 2026-03-01 Minh, person 10,     refused, chua_thay_can_thiet, follow up 2026-09-01
  HO04 2026-06-15 Minh, person 11,     joined

and Tổ 1 assigned to Lan, Tổ 2 to Minh. Cards (from the work-list fixture) that matter:
7 (HO02) CN 2026-01-01…12-31, began after HO02's first visit: HO02 joined (a household visit counts
every member); 9 (HO03) GD from 2026-01-01, before HO03's visit, and the visit named 10: HO03 not
joined; 11 (HO04) GD 2026-07-01…2027-06-30, after the visit to 11: HO04 joined from 2026-07-01.

As of D = 2026-09-30:
  Tổ 1: 2 households, 2 assigned, 2 visited, 1 joined (HO04), 0 due (HO01's latest follow-up 10-05 > D)
  Tổ 2: 2 households, 2 assigned, 2 visited, 1 joined (HO02), 1 due (HO03, 09-01; HO02's is moot: joined)
  Lan:  2 assigned, visited 1 (HO01), joined 0, due 0
  Minh: 2 assigned, visited 3 (HO02, HO03, HO04), joined 2 (HO02, HO04), due 1 (HO03)
  Reasons: Tổ 1 di_lam_an_xa 1 (HO01's latest; HO04's latest visit says joined); Tổ 2 chua_thay_can_thiet 1.
As of 2026-09-16: HO01's latest visit is 08-01, follow-up 09-15 is due; its reason is khong_du_tien.
As of 2026-06-30: HO04 was visited but 11's new card begins 07-01: not yet joined.
"""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy import select, text

from bhyt.analytics.coverage import UnknownUnit
from bhyt.analytics.engine import analytics
from bhyt.store.models import Assignment, Household, Visit
from bhyt.visits import (
    Progress, ReasonCount, VisitError, assign_hamlet, list_visits, progress_by_hamlet, progress_by_officer,
    reasons, reasons_by_hamlet, record_visit,
)
from tests.analytics.test_worklists import DONG_HOI, TO_1, TO_2, pid, populate

D = date(2026, 9, 30)
ASSIGNED_ON = date(2026, 7, 1)

VISITS = [
    ("HO01", date(2026, 8, 1), "Lan", "refused", None, "khong_du_tien", date(2026, 9, 15)),
    ("HO01", date(2026, 9, 20), "Lan", "not_home", 3, "di_lam_an_xa", date(2026, 10, 5)),
    ("HO02", date(2025, 12, 10), "Minh", "promised", None, None, date(2026, 1, 15)),
    ("HO03", date(2026, 3, 1), "Minh", "refused", 10, "chua_thay_can_thiet", date(2026, 9, 1)),
    ("HO04", date(2026, 6, 15), "Minh", "joined", 11, None, None),
]


def log_visits(engine) -> None:
    for household, day, officer, outcome, person, reason, follow_up in VISITS:
        record_visit(engine, household, day, officer, outcome, "tester",
                     person_id=None if person is None else pid(person), reason_code=reason, follow_up_on=follow_up,
                     now=datetime(2026, 10, 1, 8))
    assign_hamlet(engine, TO_1, "Lan", "tester", ASSIGNED_ON)
    assign_hamlet(engine, TO_2, "Minh", "tester", ASSIGNED_ON)


def populate_and_log(engine, tmp_path) -> None:
    populate(engine, tmp_path)
    log_visits(engine)


@pytest.fixture
def logged(engine, tmp_path, filled_once):
    filled_once("logged", lambda: populate_and_log(engine, tmp_path))
    return engine


@pytest.fixture
def con(logged):
    with analytics(logged) as connection:
        yield connection


def test_the_catalogue_is_seeded(engine):
    assert [(reason.code, reason.active) for reason in reasons(engine)] == [
        ("chua_thay_can_thiet", True), ("co_bao_hiem_tu_nhan", True), ("dang_cho_the", True),
        ("di_lam_an_xa", True), ("khac", True), ("khong_du_tien", True),
    ]


def test_progress_by_hamlet(con):
    assert progress_by_hamlet(con, DONG_HOI, D) == [
        Progress(TO_1, "Tổ 1", 2, 2, 2, 1, 0),
        Progress(TO_2, "Tổ 2", 2, 2, 2, 1, 1),
    ]
    assert progress_by_hamlet(con, TO_2, D) == [Progress(TO_2, "Tổ 2", 2, 2, 2, 1, 1)]


def test_progress_by_officer(con):
    assert progress_by_officer(con, DONG_HOI, D) == [
        Progress("Lan", "Lan", None, 2, 1, 0, 0),
        Progress("Minh", "Minh", None, 2, 3, 2, 1),
    ]


def test_progress_reads_only_visits_and_cards_up_to_the_day(con):
    # 2026-06-30: HO01 not yet visited, HO04 visited but its new card begins 07-01; HO03's follow-up
    # (09-01) is not yet due, HO02's (01-15) is moot, HO02 having joined.
    assert progress_by_hamlet(con, DONG_HOI, date(2026, 6, 30)) == [
        Progress(TO_1, "Tổ 1", 2, 2, 1, 0, 0),
        Progress(TO_2, "Tổ 2", 2, 2, 2, 1, 0),
    ]
    # 2026-09-16: HO01's latest visit is the one of 08-01, whose follow-up (09-15) is due.
    assert progress_by_hamlet(con, TO_1, date(2026, 9, 16)) == [Progress(TO_1, "Tổ 1", 2, 2, 2, 1, 1)]


def test_reasons_roll_up_the_latest_per_household(con):
    assert reasons_by_hamlet(con, DONG_HOI, D) == [
        ReasonCount(TO_1, "Tổ 1", "di_lam_an_xa", "Đi làm ăn xa", 1),
        ReasonCount(TO_2, "Tổ 2", "chua_thay_can_thiet", "Chưa thấy cần thiết", 1),
    ]
    assert reasons_by_hamlet(con, DONG_HOI, date(2026, 9, 16)) == [
        ReasonCount(TO_1, "Tổ 1", "khong_du_tien", "Không đủ tiền đóng", 1),
        ReasonCount(TO_2, "Tổ 2", "chua_thay_can_thiet", "Chưa thấy cần thiết", 1),
    ]


def test_an_unknown_unit_is_named(con):
    with pytest.raises(UnknownUnit, match="'99999'"):
        progress_by_hamlet(con, "99999", D)


def test_list_visits_of_a_hamlet_and_a_period(logged):
    rows = list_visits(logged, TO_1)
    assert [(row.household_code, row.visited_on, row.full_name, row.outcome_name, row.reason_name)
            for row in rows] == [
        ("HO01", date(2026, 8, 1), None, "Từ chối", "Không đủ tiền đóng"),
        ("HO01", date(2026, 9, 20), "Trần Văn Ba", "Không gặp", "Đi làm ăn xa"),
        ("HO04", date(2026, 6, 15), "Phạm Văn Bốn", "Đã tham gia", None),
    ]
    assert [row.household_code for row in list_visits(logged, "44", date(2026, 1, 1), date(2026, 6, 30))] == [
        "HO04", "HO03",
    ]
    with pytest.raises(VisitError, match="Không có đơn vị mã '99999'"):
        list_visits(logged, "99999")


@pytest.mark.parametrize(("change", "message"), [
    ({"household_code": "HO99"}, "Không có hộ mã 'HO99'."),
    ({"person_id": "045000000000"}, "Không có người có số định danh '045000000000'."),
    ({"person_id": "PERSON_7"}, "không thuộc hộ HO01"),
    ({"outcome": "refused"}, "cần ghi lý do"),
    ({"reason_code": "ly_do_la"}, "Không có lý do mã 'ly_do_la'"),
    ({"follow_up_on": date(2026, 7, 31)}, "Ngày hẹn thăm lại 31/07/2026 trước ngày thăm 01/08/2026."),
    ({"outcome": "maybe"}, "Kết quả 'maybe' không hợp lệ"),
    ({"officer": "  "}, "Cần ghi tên cán bộ"),
])
def test_record_visit_refuses_bad_visits(engine, tmp_path, change, message):
    populate(engine, tmp_path)
    visit = {"household_code": "HO01", "visited_on": date(2026, 8, 1), "officer": "Lan", "outcome": "promised",
             "recorded_by": "tester"}
    if change.get("person_id") == "PERSON_7":
        change = {"person_id": pid(7)}  # a member of HO02
    with pytest.raises(VisitError, match=message):
        record_visit(engine, **(visit | change))
    with engine.connect() as connection:
        assert connection.execute(select(Visit.id)).all() == []


def test_a_retired_reason_is_refused(engine, tmp_path):
    populate(engine, tmp_path)
    with engine.begin() as connection:
        connection.execute(text("UPDATE visit_reasons SET active = :no WHERE code = 'khac'"), {"no": False})
    with pytest.raises(VisitError, match="đã ngừng sử dụng"):
        record_visit(engine, "HO01", date(2026, 8, 1), "Lan", "refused", "tester", reason_code="khac")
    assert [reason.code for reason in reasons(engine)][-1] == "khac"


def test_assigning_a_hamlet_again_changes_nothing_and_another_officer_takes_over(engine, tmp_path):
    populate(engine, tmp_path)
    first = assign_hamlet(engine, TO_1, "Lan", "tester", ASSIGNED_ON)
    again = assign_hamlet(engine, TO_1, " Lan ", "other", date(2026, 8, 1))
    assert (first.households, first.changed, again.households, again.changed) == (2, 2, 2, 0)
    taken = assign_hamlet(engine, TO_1, "Hùng", "tester", date(2026, 9, 1))
    assert (taken.households, taken.changed) == (2, 2)
    with engine.connect() as connection:
        assert connection.execute(
            select(Household.code, Assignment.officer, Assignment.assigned_on)
            .join(Household, Household.id == Assignment.household_id).order_by(Household.code)
        ).all() == [("HO01", "Hùng", date(2026, 9, 1)), ("HO04", "Hùng", date(2026, 9, 1))]


def test_assign_needs_a_hamlet(engine):
    with pytest.raises(VisitError, match="không phải thôn"):
        assign_hamlet(engine, DONG_HOI, "Lan", "tester", ASSIGNED_ON)
    with pytest.raises(VisitError, match="Không có thôn, tổ mã"):
        assign_hamlet(engine, f"{DONG_HOI}-999", "Lan", "tester", ASSIGNED_ON)
