"""The targets editor: the table equals `target_progress` (what `bhyt targets show` prints), targets are
set only inside the account's unit, and the cascade keeps the targets an officer set by hand."""

from __future__ import annotations

import json
import re
from decimal import Decimal

import pytest
from sqlalchemy import select

from bhyt.analytics.engine import analytics
from bhyt.analytics.targets import default_as_of, target_progress
from bhyt.store.models import AuditEntry, Target, Unit, User
from bhyt.web.templating import number, percent
from tests.web.conftest import csrf_of

YEAR = 2026


@pytest.fixture(scope="module")
def units(web_engine) -> dict[str, object]:
    with web_engine.connect() as connection:
        own = connection.execute(select(User.unit_code).where(User.username == "xa")).scalar()
        hamlets = connection.execute(select(Unit.code).where(Unit.parent_code == own).order_by(Unit.code)).scalars()
        other = connection.execute(select(Unit.code).where(Unit.parent_code == "44", Unit.code != own)
                                   .order_by(Unit.code).limit(1)).scalar()
        return {"own": own, "hamlets": list(hamlets), "other": other}


def row_cells(html: str, code: str) -> list[str]:
    row = re.search(rf'<tr class="band-\w+" data-unit="{re.escape(code)}">(.*?)</tr>', html, re.S).group(1)
    return [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]


def stored(engine, code: str, group: str = "") -> tuple | None:
    with engine.connect() as connection:
        return connection.execute(select(Target.rate, Target.count, Target.origin, Target.set_by).where(
            Target.unit_code == code, Target.year == YEAR, Target.group_code == group)).first()


def post(client, path: str, page: str, **fields):
    return client.post(path, data={"csrf_token": csrf_of(client.get(page).text), **fields})


def test_the_province_officer_sets_the_province_target_and_the_table_is_target_progress(client_for, web_engine):
    client = client_for("tinh")
    answer = post(client, "/targets/set", f"/targets?year={YEAR}&unit=44", page_unit="44", unit="44",
                  year=str(YEAR), measure="rate", value="95,5 %")
    assert answer.status_code == 200
    assert 'id="form-notice">Đã đặt chỉ tiêu năm 2026 của Quảng Trị: 95,50 %.<' in answer.text
    assert stored(web_engine, "44") == (Decimal("95.50"), None, "manual", "tinh")
    page = client.get(f"/targets?year={YEAR}&unit=44").text
    with analytics(web_engine) as con:
        communes = target_progress(con, YEAR, "commune", "44", default_as_of(YEAR))
    assert len(communes) == page.count('<tr class="band-') - 1  # the province's own row is above them
    for row in communes:
        assert row_cells(page, row.unit_code)[:10] == [
            str(row.rank or ""), row.unit_code, row.unit_name, number(row.population), number(row.insured),
            percent(row.coverage_pct), percent(row.target_pct), number(row.target_count), number(row.still_to_enrol),
            {"met": "Đạt", "near": "Gần đạt (thiếu ≤ 1 điểm)", "behind": "Chưa đạt", None: ""}[row.status]]
        assert row.target_pct == Decimal("95.50")  # inherited from the province
    with web_engine.connect() as connection:
        audit = connection.execute(select(AuditEntry.unit_code, AuditEntry.subject, AuditEntry.detail).where(
            AuditEntry.username == "tinh", AuditEntry.action == "set_target")).one()
    assert audit[:2] == ("44", "2026") and json.loads(audit[2]) == {"rate": "95.5", "count": None, "group": ""}


def test_a_commune_officer_sets_his_commune_and_hamlet_targets_never_the_province(client_for, web_engine, units):
    client = client_for("xa")
    own, hamlet = units["own"], units["hamlets"][0]
    page = f"/targets?year={YEAR}&unit={own}"
    assert post(client, "/targets/set", page, page_unit=own, unit=own, year=str(YEAR), measure="rate",
                value="96,5").status_code == 200
    counted = post(client, "/targets/set", page, page_unit=own, unit=hamlet, year=str(YEAR), measure="count",
                   value="1.200")
    assert "Đã đặt chỉ tiêu năm 2026 của Tổ dân phố 1: 1.200 người." in counted.text
    group = post(client, "/targets/set", page, page_unit=own, unit=own, year=str(YEAR), measure="rate",
                 value="100", group="tre_em_duoi_6")
    assert group.status_code == 200
    assert stored(web_engine, own) == (Decimal("96.50"), None, "manual", "xa")
    assert stored(web_engine, hamlet) == (None, 1200, "manual", "xa")
    assert stored(web_engine, own, "tre_em_duoi_6") == (Decimal("100.00"), None, "manual", "xa")

    assert post(client, "/targets/set", page, page_unit=own, unit="44", year=str(YEAR), measure="rate",
                value="50").status_code == 403
    assert post(client, "/targets/set", page, page_unit="44", unit="44", year=str(YEAR), measure="rate",
                value="50").status_code == 403
    assert post(client, "/targets/set", page, page_unit=own, unit=units["other"], year=str(YEAR), measure="rate",
                value="50").status_code == 403
    assert post(client, "/targets/cascade", page, unit="44", year=str(YEAR)).status_code == 403
    assert client.get(f"/targets?year={YEAR}&unit=44").status_code == 403
    assert stored(web_engine, "44") == (Decimal("95.50"), None, "manual", "tinh")
    assert stored(web_engine, units["other"]) is None


def test_a_bad_value_is_explained_and_nothing_is_written(client_for, web_engine, units):
    client = client_for("xa")
    own, hamlet = units["own"], units["hamlets"][1]
    page = f"/targets?year={YEAR}&unit={own}"
    words = post(client, "/targets/set", page, page_unit=own, unit=hamlet, year=str(YEAR), measure="rate",
                 value="chín lăm")
    assert words.status_code == 400 and "&#39;chín lăm&#39; không phải một tỷ lệ phần trăm (ví dụ 95,5)." in words.text
    too_high = post(client, "/targets/set", page, page_unit=own, unit=hamlet, year=str(YEAR), measure="rate",
                    value="120")
    assert too_high.status_code == 400 and 'id="form-error"' in too_high.text
    assert 'value="120"' in too_high.text  # the form keeps what was typed
    assert stored(web_engine, hamlet) is None


def test_the_cascade_shares_the_commune_target_and_keeps_the_manual_one(client_for, web_engine, units):
    client = client_for("xa")
    own, hamlets = units["own"], units["hamlets"]
    page = f"/targets?year={YEAR}&unit={own}"
    answer = post(client, "/targets/cascade", page, unit=own, year=str(YEAR))
    assert answer.status_code == 200
    shown = {code: re.findall(r"<td[^>]*>([^<]*)</td>", row) for code, row in re.findall(
        r'<tr data-cascaded="([^"]+)">(.*?)</tr>', answer.text, re.S)}
    assert sorted(shown) == hamlets
    assert re.search(r'id="cascade-changed">(\d+)<', answer.text).group(1) == str(len(hamlets) - 1)
    assert re.search(r'id="cascade-kept">1<', answer.text)
    assert stored(web_engine, hamlets[0]) == (None, 1200, "manual", "xa")
    assert shown[hamlets[0]][-2:] == ["Tự đặt", "không"]
    for code in hamlets[1:]:
        rate, count, origin, _ = stored(web_engine, code)
        assert (count, origin) == (None, "cascade")
        assert shown[code][5] == percent(rate) and shown[code][-2:] == ["Phân bổ", "có"]
    with analytics(web_engine) as con:
        progress = {row.unit_code: row for row in target_progress(con, YEAR, "hamlet", own, default_as_of(YEAR))}
    table = client.get(page).text
    for code in hamlets:
        assert row_cells(table, code)[6] == percent(progress[code].target_pct)
    assert row_cells(table, hamlets[0])[10] == "Tự đặt (xa)"

    again = post(client, "/targets/cascade", page, unit=own, year=str(YEAR))
    assert re.search(r'id="cascade-changed">0<', again.text)
    with web_engine.connect() as connection:
        details = connection.execute(select(AuditEntry.detail).where(
            AuditEntry.username == "xa", AuditEntry.action == "cascade_targets").order_by(AuditEntry.id)).scalars()
        assert [json.loads(detail) for detail in details] == [
            {"units": len(hamlets), "changed": len(hamlets) - 1, "kept_manual": 1},
            {"units": len(hamlets), "changed": 0, "kept_manual": 1}]


def test_viewers_see_the_targets_without_the_forms(client_for, units):
    hamlet_head = client_for("thon")
    page = hamlet_head.get(f"/targets?year={YEAR}")
    assert page.status_code == 200 and f'data-unit="{units["hamlets"][0]}"' in page.text
    assert 'id="set-target"' not in page.text and 'id="cascade-form"' not in page.text
    assert hamlet_head.post("/targets/set", data={"csrf_token": csrf_of(page.text), "page_unit": units["hamlets"][0],
                                                  "unit": units["hamlets"][0], "year": str(YEAR), "value": "99"},
                            ).status_code == 403
    auditor = client_for("kiemtra").get(f"/targets?year={YEAR}&unit=44")
    assert auditor.status_code == 200 and 'id="set-target"' not in auditor.text
    officer = client_for("xa")
    assert officer.post("/targets/cascade", data={"unit": units["own"], "year": str(YEAR)}).status_code == 403
