"""Every work list on one hand-worked commune (Phường Đồng Hới, 18880, province 44), as of
D = 2026-09-30 (base salary 2,530,000 since 01/07/2026: the household's first member pays
4.5 % × 2,530,000 × 12 = 1,366,200 VND; brief §3.1). Households and people:

HO01 Tổ 1, "khác":   1 Một 1970, 2 Hoa 1972, 3 Ba 1995, 4 Tư 1998, 5 Năm 2000: no card;
                     6 Bé born 2026-03-10: no card (a child under 6 without a card).
HO02 Tổ 2, near-poor in 2026, "khác" in 2025:
                     7 Hai: CN card for 2026;  8 Cận 2003: no card (a near-poor member without a card).
HO03 Tổ 2:           9 "Nguyễn Văn Đức" 1985-02-03: GD card for 2026;
                     10 "nguyen  van duc" 1985-02-03: no card (the same person written without diacritics).
HO04 Tổ 1:           11 Bốn: GD 4500000011 2026-01-01…12-31 and GD 4500000012 2026-07-01…2027-06-30
                        (two overlapping cards under two BHXH numbers);
                     12 Mất: died 2026-08-15, GD card to 2026-12-31 (a death with a card still valid);
                     13 Lỡ: GD card 2025-09-01…2026-08-31, nothing after (a lapsed voluntary card);
                     14 Hết: GD card 2025-10-16…2026-10-15, nothing after (expiring in 15 days);
                     15 Nối: GD 2025-10-11…2026-10-10 renewed from 2026-10-11 (not expiring);
                     16 Đi: left on 2026-06-30 for Phường Đồng Sơn, GD card to 2026-12-31 (a mover);
                     17 Cụ 1940-01-01: no card, never a pension card (80+: BT);
                     18 Sáu 2020-05-20: TE card to 2026-05-19, no card since (turned 6: HS).

Uninsured on D: 1–6, 8, 10, 13, 17, 18. Quotes (12 months from D):
- HO01: GD ladder 1,366,200 / 956,340 / 819,720 / 683,100 / 546,480 (brief §3.1 table), the baby TE
  paid by the state: the household pays 4,371,840;
- HO02: 8 is near-poor: 70 % support (Decree 188) → pays 30 % = 409,860;
- HO03: 9 already holds a GD card, so 10 is the ladder's 2nd member: 956,340;
- HO04: 11, 14 and 15 hold GD cards on D, so 13 is the 4th: 683,100; 17 BT paid by the state;
  18 a pupil by age, 50 % support → 683,100; the household pays 1,366,200.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from bhyt.analytics.coverage import UnknownUnit
from bhyt.analytics.engine import analytics
from bhyt.analytics.worklists import (
    deceased, duplicates, eligible_missing, expiring, lapsed, moved_out, newly_eligible, uninsured,
)
from bhyt.domain.identifiers import personal_id_century_digit
from bhyt.ingest.service import import_file
from tests.conftest import write_csv
from tests.ingest.fixtures import CARD_HEADER, HOUSEHOLD_HEADER, PERSON_HEADER

D = date(2026, 9, 30)
DONG_HOI, DONG_SON = "18880", "18871"
TO_1, TO_2 = f"{DONG_HOI}-001", f"{DONG_HOI}-002"

# number: (name, birth, sex, household, hamlet)
PEOPLE = {
    1: ("Trần Văn Một", "1970-01-10", 1, "HO01", "Tổ 1"),
    2: ("Nguyễn Thị Hoa", "1972-02-11", 2, "HO01", "Tổ 1"),
    3: ("Trần Văn Ba", "1995-03-12", 1, "HO01", "Tổ 1"),
    4: ("Trần Thị Tư", "1998-04-13", 2, "HO01", "Tổ 1"),
    5: ("Trần Văn Năm", "2000-05-14", 1, "HO01", "Tổ 1"),
    6: ("Trần Thị Bé", "2026-03-10", 2, "HO01", "Tổ 1"),
    7: ("Lê Thị Hai", "1980-06-15", 2, "HO02", "Tổ 2"),
    8: ("Võ Văn Cận", "2003-07-16", 1, "HO02", "Tổ 2"),
    9: ("Nguyễn Văn Đức", "1985-02-03", 1, "HO03", "Tổ 2"),
    10: ("nguyen  van duc", "1985-02-03", 1, "HO03", "Tổ 2"),
    11: ("Phạm Văn Bốn", "1975-08-17", 1, "HO04", "Tổ 1"),
    12: ("Phạm Thị Mất", "1950-09-18", 2, "HO04", "Tổ 1"),
    13: ("Phạm Văn Lỡ", "1978-10-19", 1, "HO04", "Tổ 1"),
    14: ("Phạm Thị Hết", "1980-11-20", 2, "HO04", "Tổ 1"),
    15: ("Phạm Văn Nối", "1982-12-21", 1, "HO04", "Tổ 1"),
    16: ("Phạm Văn Đi", "1990-01-22", 1, "HO04", "Tổ 1"),
    17: ("Phạm Văn Cụ", "1940-01-01", 1, "HO04", "Tổ 1"),
    18: ("Phạm Văn Sáu", "2020-05-20", 1, "HO04", "Tổ 1"),
}


def pid(number: int) -> str:
    _, birth, sex, _, _ = PEOPLE[number]
    year = int(birth[:4])
    return f"045{personal_id_century_digit(year, sex)}{year % 100:02d}{number:06d}"


def name(number: int) -> str:
    return PEOPLE[number][0]


def person_row(number, commune=DONG_HOI, hamlet=None, arrived="", left="", died=""):
    full_name, birth, sex, household, home = PEOPLE[number]
    return [pid(number), full_name, birth, str(sex), household, "", commune, hamlet or home, arrived, left, died]


def card(number, bhxh, code, start, end):
    return [pid(number), bhxh, "", code, "", start, end, ""]


def populate(engine, tmp_path) -> None:
    households = [
        ["HO01", "Trần Văn Một", DONG_HOI, "Tổ 1", "", "khac", "2026"],
        ["HO02", "Lê Thị Hai", DONG_HOI, "Tổ 2", "", "can_ngheo", "2026"],
        ["HO03", "Nguyễn Văn Đức", DONG_HOI, "Tổ 2", "", "", ""],
        ["HO04", "Phạm Văn Bốn", DONG_HOI, "Tổ 1", "", "", ""],
    ]
    earlier = [["HO02", "Lê Thị Hai", DONG_HOI, "Tổ 2", "", "khac", "2025"]]
    persons = [person_row(number) for number in PEOPLE if number not in (12, 16)]
    persons += [person_row(12, died="2026-08-15"), person_row(16, left="2026-06-30")]
    moved = [person_row(16, commune=DONG_SON, hamlet="Khu phố 3", arrived="2026-07-01")]
    cards = [
        card(7, "4500000007", "CN", "2026-01-01", "2026-12-31"),
        card(9, "4500000009", "GD", "2026-01-01", "2026-12-31"),
        card(11, "4500000011", "GD", "2026-01-01", "2026-12-31"),
        card(11, "4500000012", "GD", "2026-07-01", "2027-06-30"),
        card(12, "4500000013", "GD", "2026-01-01", "2026-12-31"),
        card(13, "4500000014", "GD", "2025-09-01", "2026-08-31"),
        card(14, "4500000015", "GD", "2025-10-16", "2026-10-15"),
        card(15, "4500000016", "GD", "2025-10-11", "2026-10-10"),
        card(15, "4500000016", "GD", "2026-10-11", "2027-10-10"),
        card(16, "4500000017", "GD", "2026-01-01", "2026-12-31"),
        card(18, "4500000018", "TE", "2020-05-20", "2026-05-19"),
    ]
    for kind, header, rows, file_name in (
        ("households", HOUSEHOLD_HEADER, households, "ho.csv"),
        ("households", HOUSEHOLD_HEADER, earlier, "ho_2025.csv"),
        ("persons", PERSON_HEADER, persons, "nk.csv"),
        ("persons", PERSON_HEADER, moved, "nk_moi.csv"),
        ("cards", CARD_HEADER, cards, "the.csv"),
    ):
        result = import_file(engine, kind, write_csv(tmp_path / file_name, header, rows))
        assert result.ok, result.errors


@pytest.fixture
def registry(engine, tmp_path, filled_once):
    filled_once("registry", lambda: populate(engine, tmp_path))
    with analytics(engine) as con:
        yield con


def names(rows) -> list[str]:
    return [row.person.full_name for row in rows]


def test_uninsured_with_household_quotes(registry):
    rows = uninsured(registry, DONG_HOI, D)
    # Tổ 1 first (HO01, then HO04), then Tổ 2 (HO02, HO03); eldest first in each household.
    assert [(row.person.household_code, row.person.full_name, row.join_code, row.ladder_position,
             row.quote.payable, row.household_payable) for row in rows] == [
        ("HO01", name(1), "GD", 1, Decimal(1366200), Decimal(4371840)),
        ("HO01", name(2), "GD", 2, Decimal(956340), Decimal(4371840)),
        ("HO01", name(3), "GD", 3, Decimal(819720), Decimal(4371840)),
        ("HO01", name(4), "GD", 4, Decimal(683100), Decimal(4371840)),
        ("HO01", name(5), "GD", 5, Decimal(546480), Decimal(4371840)),
        ("HO01", name(6), "TE", None, Decimal(0), Decimal(4371840)),
        ("HO04", name(17), "BT", None, Decimal(0), Decimal(1366200)),
        ("HO04", name(13), "GD", 4, Decimal(683100), Decimal(1366200)),
        ("HO04", name(18), "HS", None, Decimal(683100), Decimal(1366200)),
        ("HO02", name(8), "CN", None, Decimal(409860), Decimal(409860)),
        ("HO03", name(10), "GD", 2, Decimal(956340), Decimal(956340)),
    ]
    by_name = {row.person.full_name: row for row in rows}
    baby, near_poor, lapsed_member = by_name[name(6)], by_name[name(8)], by_name[name(13)]
    assert (baby.quote.full, baby.quote.state_support) == (Decimal(1366200), Decimal(1366200))
    assert (near_poor.quote.state_support, near_poor.quote.province_support) == (Decimal(956340), Decimal(0))
    assert near_poor.household_classification == "can_ngheo"
    assert baby.reason == "Chưa từng có thẻ BHYT; Hộ khác; thuộc diện Trẻ em dưới 6 tuổi: cấp thẻ TE"
    assert lapsed_member.reason == (
        "Thẻ GD hết hạn 31/08/2026; tham gia theo hộ gia đình (GD), thành viên thứ 4")
    assert by_name[name(18)].last_card_code == "TE"
    assert (baby.person.personal_id, baby.person.hamlet_code, baby.person.hamlet_name) == (pid(6), TO_1, "Tổ 1")


def test_uninsured_in_a_hamlet(registry):
    assert names(uninsured(registry, TO_2, D)) == [name(8), name(10)]


def test_expiring(registry):
    rows = expiring(registry, DONG_HOI, D)
    assert [(row.person.full_name, row.participant_code, row.coverage_ends, row.days_left) for row in rows] == [
        (name(14), "GD", date(2026, 10, 15), 15),
    ]
    assert rows[0].reason == "Thẻ GD hết hạn 15/10/2026 (còn 15 ngày), chưa có thẻ nối tiếp"
    # Within 14 days nobody; within 100 days also the cards ending 31/12/2026 (Hai's CN card, Đức's GD).
    assert expiring(registry, DONG_HOI, D, days=14) == []
    assert names(expiring(registry, DONG_HOI, D, days=100)) == [name(14), name(7), name(9)]


def test_lapsed(registry):
    rows = lapsed(registry, DONG_HOI, D)
    assert [(row.person.full_name, row.ended_on, row.days_since, row.renew_by) for row in rows] == [
        (name(13), date(2026, 8, 31), 30, date(2026, 11, 30)),
    ]
    assert rows[0].reason == ("Thẻ GD hết hạn 31/08/2026 (30 ngày trước), chưa gia hạn; đóng đến hết 30/11/2026 "
                              "thì thẻ có giá trị ngay, sau đó phải chờ 30 ngày")
    # 29 days back the end is out of reach; Sáu's TE card is not a voluntary card at any reach.
    assert lapsed(registry, DONG_HOI, D, days=29) == []
    assert names(lapsed(registry, DONG_HOI, D, days=366)) == [name(13)]


def test_eligible_missing(registry):
    rows = eligible_missing(registry, DONG_HOI, D)
    assert [(row.person.full_name, row.entitled_code) for row in rows] == [
        (name(6), "TE"), (name(17), "BT"), (name(18), "HS"), (name(8), "CN"),
    ]
    assert rows[0].reason == "Thuộc diện Trẻ em dưới 6 tuổi nhưng chưa có thẻ: lập danh sách cấp thẻ TE"


def test_duplicates(registry):
    rows = duplicates(registry, DONG_HOI, D)
    assert [(row.group, row.kind, row.person.full_name) for row in rows] == [
        (1, "cards", name(11)), (2, "people", name(9)), (2, "people", name(10)),
    ]
    cards = rows[0]
    assert (cards.bhxh_numbers, cards.participant_codes, cards.overlap_from, cards.overlap_to) == (
        ("4500000011", "4500000012"), ("GD", "GD"), date(2026, 7, 1), date(2026, 12, 31))
    assert cards.reason == ("Hai thẻ (GD, GD) với hai mã số BHXH khác nhau cùng hiệu lực 01/07/2026–31/12/2026: "
                            "báo giảm thẻ thừa")
    assert rows[1].reason == "Có thể trùng người (nhóm 2): cùng họ tên, cùng ngày sinh, cùng hộ, khác số định danh"
    # After the first card ends, the two no longer overlap.
    assert [row.kind for row in duplicates(registry, DONG_HOI, date(2027, 1, 1))] == ["people", "people"]


def test_deceased(registry):
    rows = deceased(registry, DONG_HOI, D)
    assert [(row.person.full_name, row.death_date, row.participant_code, row.valid_to) for row in rows] == [
        (name(12), date(2026, 8, 15), "GD", date(2026, 12, 31)),
    ]
    assert rows[0].reason == "Đã mất ngày 15/08/2026, thẻ GD còn hạn đến 31/12/2026: báo giảm"
    # Once the card is over there is nothing left to report.
    assert deceased(registry, DONG_HOI, date(2027, 1, 1)) == []


def test_moved_out(registry):
    rows = moved_out(registry, DONG_HOI, D)
    assert [(row.person.full_name, row.left_on, row.destination_code, row.valid_to) for row in rows] == [
        (name(16), date(2026, 6, 30), DONG_SON, date(2026, 12, 31)),
    ]
    assert rows[0].reason == "Đã chuyển đi đến Phường Đồng Sơn ngày 30/06/2026, thẻ GD còn hạn đến 31/12/2026: báo giảm"
    # The province still has him: moving between its communes is no departure from it.
    assert moved_out(registry, "44", D) == []
    assert moved_out(registry, DONG_SON, D) == []


def test_newly_eligible(registry):
    rows = newly_eligible(registry, DONG_HOI, D, since=date(2026, 1, 1))
    assert [(row.person.full_name, row.entitled_code, row.card_code) for row in rows] == [
        (name(6), "TE", None), (name(18), "HS", None), (name(7), "CN", "CN"), (name(8), "CN", None),
    ]
    by_name = {row.person.full_name: row for row in rows}
    assert by_name[name(6)].reason == (
        "Sinh ngày 10/03/2026: thuộc diện Trẻ em dưới 6 tuổi (TE); mã được cấp: TE (chưa có thẻ)")
    assert by_name[name(18)].reason == (
        "Tròn 6 tuổi ngày 20/05/2026: hết diện TE; "
        "Tròn 6 tuổi ngày 20/05/2026: thuộc diện Học sinh (theo tuổi đi học, lớp 1–12) (HS); "
        "mã được cấp: HS (chưa có thẻ)")
    assert by_name[name(7)].reason == (
        "Hộ được xếp loại năm 2026 (từ 01/01/2026): thuộc diện Người thuộc hộ cận nghèo (CN); "
        "mã được cấp: CN (đã có thẻ CN)")
    # From the day after the classification took effect, only the birth and the birthday are new.
    assert names(newly_eligible(registry, DONG_HOI, D, since=date(2026, 1, 2))) == [name(6), name(18)]


def test_a_province_lists_the_same_people(registry):
    assert names(uninsured(registry, "44", D)) == names(uninsured(registry, DONG_HOI, D))
    assert [row.person.full_name for row in duplicates(registry, "44", D)] == [name(11), name(9), name(10)]


def test_unknown_unit(registry):
    with pytest.raises(UnknownUnit):
        uninsured(registry, "99999", D)


def test_a_province_top_up_lowers_the_near_poor_quote(engine, tmp_path):
    """Đồng Tháp (82) adds 20 % for near-poor people (province_support.csv): the state pays 70 % =
    956,340, the province 20 % = 273,240 and the member 10 % = 136,620 of 1,366,200."""
    my_tho = "28261"
    household = [["HO82", "Lê Văn Tám", my_tho, "Khu phố 1", "", "can_ngheo", "2026"]]
    member = ["087080000082", "Lê Văn Tám", "1980-08-08", "1", "HO82", "", my_tho, "Khu phố 1", "", "", ""]
    for kind, header, rows in (("households", HOUSEHOLD_HEADER, household), ("persons", PERSON_HEADER, [member])):
        result = import_file(engine, kind, write_csv(tmp_path / f"{kind}.csv", header, rows))
        assert result.ok, result.errors
    with analytics(engine) as con:
        [row] = uninsured(con, my_tho, D)
    assert row.join_code == "CN"
    assert (row.quote.full, row.quote.state_support, row.quote.province_support, row.quote.payable) == (
        Decimal(1366200), Decimal(956340), Decimal(273240), Decimal(136620))


def test_uninsured_carry_the_households_latest_recorded_reason(engine, tmp_path):
    """HO01 refused for want of money on 01/09, then on 20/09 saw no need: the latest reason shows.
    HO04 refused, then joined on 25/09: no reason. HO02's refusal comes after D: not seen yet."""
    from bhyt.visits import record_visit

    populate(engine, tmp_path)
    for household, day, outcome, reason in (
        ("HO01", date(2026, 9, 1), "refused", "khong_du_tien"),
        ("HO01", date(2026, 9, 20), "promised", "chua_thay_can_thiet"),
        ("HO01", date(2026, 9, 25), "not_home", None),
        ("HO04", date(2026, 9, 10), "refused", "khong_du_tien"),
        ("HO04", date(2026, 9, 25), "joined", None),
        ("HO02", date(2026, 10, 5), "refused", "di_lam_an_xa"),
    ):
        record_visit(engine, household, day, "Cán bộ A", outcome, "test", reason_code=reason)
    with analytics(engine) as con:
        rows = uninsured(con, DONG_HOI, D)
    reasons = {(row.person.household_code, row.visit_reason, row.visit_reason_on) for row in rows}
    assert reasons == {("HO01", "Chưa thấy cần thiết", date(2026, 9, 20)), ("HO04", None, None),
                       ("HO02", None, None), ("HO03", None, None)}
    baby = next(row for row in rows if row.person.full_name == name(6))
    assert baby.reason == ("Chưa từng có thẻ BHYT; Hộ khác; thuộc diện Trẻ em dưới 6 tuổi: cấp thẻ TE; "
                           "lý do chưa tham gia (lần thăm 20/09/2026): Chưa thấy cần thiết")
