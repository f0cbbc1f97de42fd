"""Every rule of the catalogue on hand-built claims: each violation gives exactly its finding, and the
near-identical clean claim beside it (boundary cases) gives none at all."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from bhyt.analytics.engine import plain_url
from bhyt.claims.assessment import Assessment, RuleError, Scope, assess, read_columns
from bhyt.claims.catalogue import CatalogueError, load_catalogue, load_rule, pick
from tests.analytics.shared import shared_engine
from tests.claims.rule_cases import CASES, build_world
from tests.conftest import DATABASES


@pytest.fixture(scope="module", params=DATABASES)
def world(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    with shared_engine(request.param, "claims_rules", tmp_path_factory) as engine:
        lake = build_world(engine, tmp_path_factory.mktemp("rules"))
        yield engine, lake


@pytest.fixture(scope="module")
def assessment(world) -> Assessment:
    engine, lake = world
    return assess(lake, plain_url(engine), load_catalogue())


@pytest.mark.parametrize("case", CASES, ids=[case.ma_lk for case in CASES])
def test_each_claim_gives_exactly_its_findings(assessment: Assessment, case) -> None:
    found = {(f.rule_id, f.bang, f.stt) for f in assessment.findings if f.ma_lk == case.ma_lk}
    assert found == case.expected


def test_every_rule_has_a_violating_case() -> None:
    covered = {rule for case in CASES for rule, _, _ in case.expected}
    assert covered == {rule.id for rule in load_catalogue()}


def test_explanations_name_the_fields_and_values(assessment: Assessment) -> None:
    by_claim = {(f.ma_lk, f.rule_id): f for f in assessment.findings}
    assert by_claim["DIED_BEFORE", "AFTER_DEATH"].explanation == (
        "NGAY_VAO 2026-01-05 sau ngày mất 2026-01-04 của người bệnh (theo SO_CCCD) trong hệ thống")
    card = by_claim["CARD_ENDS_BEFORE", "CARD_INVALID"]
    assert "ngày 2026-01-06" in card.explanation and "1 ngày không có thẻ" in card.explanation
    # The card's BHXH number is masked as lists mask it.
    assert card.explanation.startswith("Không có thẻ MA_THE_BHYT GD479000*****03 còn giá trị")
    overlap = by_claim["STAY_B", "OVERLAP_STAY"]
    assert "STAY_B_NEXT" in overlap.explanation and overlap.amount_at_risk == 0
    later = by_claim["STAY_B_NEXT", "OVERLAP_STAY"]
    assert "STAY_B " in later.explanation + " " and later.amount_at_risk > 0
    price = by_claim["PRICE_ABOVE", "PRICE_ABOVE_APPROVED"]
    assert "DON_GIA 1501.000 của mã 40.17 cao hơn giá được phê duyệt 1500.000" in price.explanation
    assert price.item_code == "40.17"
    benefit = by_claim["BENEFIT_95", "BENEFIT_MISMATCH"]
    assert "MUC_HUONG 95 ở 2 dòng" in benefit.explanation and "mức hưởng 4 → MUC_HUONG 80" in benefit.explanation
    assert "T_TONGCHI_BV 180001.01 khác tổng các dòng 180000.00" in by_claim["TOTALS_OFF", "TOTALS_MISMATCH"].explanation


def test_amounts_at_risk(assessment: Assessment) -> None:
    amounts = {(f.ma_lk, f.rule_id): f.amount_at_risk for f in assessment.findings}
    # 2 lines at 95 % instead of 80 %: 15 % of 30,000 + 500,000.
    assert amounts["BENEFIT_95", "BENEFIT_MISMATCH"] == Decimal("79500.00")
    assert amounts["BENEFIT_CHEAP_80", "BENEFIT_MISMATCH"] == 0  # the fund paid less than it owed
    assert amounts["TOTALS_OFF", "TOTALS_MISMATCH"] == Decimal("50000.00")
    assert amounts["DIED_BEFORE", "AFTER_DEATH"] == Decimal("180000.00")
    # 1 đồng over 1,501 on a 20-unit line paid at 100 %.
    assert amounts["PRICE_ABOVE", "PRICE_ABOVE_APPROVED"] == Decimal("20.00")
    assert all(amount >= 0 for amount in amounts.values())


def test_scope_by_facility_and_discharge_date(world) -> None:
    engine, lake = world
    rules = pick(load_catalogue(), ["AFTER_DEATH"])
    url = plain_url(engine)
    assert [f.ma_lk for f in assess(lake, url, rules, Scope(facility="79001")).findings] == ["DIED_BEFORE"]
    assert assess(lake, url, rules, Scope(facility="79002")).findings == []
    from datetime import date
    assert assess(lake, url, rules, Scope(first=date(2026, 1, 7))).findings == []
    assert len(assess(lake, url, rules, Scope(first=date(2026, 1, 6), last=date(2026, 1, 6))).findings) == 1


def test_a_rule_outside_its_dates_is_not_run() -> None:
    rules = load_catalogue()
    from datetime import date
    assert pick(rules, first=date(2023, 1, 1), last=date(2023, 12, 31)) == []
    with pytest.raises(CatalogueError, match="Không có quy tắc NO_SUCH_RULE"):
        pick(rules, ["NO_SUCH_RULE"])


RULE = """id = "{id}"
version = 1
title_vi = "Tiêu đề"
title_en = "Title"
legal_basis = "Căn cứ"
severity = "{severity}"
effective_from = {start}
description = "Mô tả"
sql = "{sql}"
"""


def _rule_file(folder: Path, name: str = "MY_RULE", **values: str) -> Path:
    texts = {"id": name, "severity": "cao", "start": "2026-01-01",
             "sql": "SELECT ma_lk, 'XML1' AS bang, NULL AS stt, 0 AS amount_at_risk, 'x' AS explanation FROM episodes"}
    texts.update(values)
    path = folder / f"{name}.toml"
    path.write_text(RULE.format(**texts), encoding="utf-8")
    return path


@pytest.mark.parametrize(("values", "message"), [
    ({"severity": "urgent"}, "khóa 'severity': 'urgent' không thuộc cao, trung_binh, thap"),
    ({"id": "OTHER"}, "khóa 'id': 'OTHER' phải trùng tên tệp (MY_RULE)"),
    ({"start": '"2026-01-01"'}, "khóa 'effective_from': phải là ngày dạng YYYY-MM-DD"),
    ({"sql": "DELETE FROM episodes"}, "khóa 'sql': phải là một câu SELECT"),
    ({"sql": "SELECT 1; SELECT 2"}, "khóa 'sql': chỉ được một câu lệnh"),
])
def test_catalogue_errors_name_the_file_and_key(tmp_path: Path, values: dict, message: str) -> None:
    path = _rule_file(tmp_path, **values)
    with pytest.raises(CatalogueError, match="^Quy tắc MY_RULE.toml") as error:
        load_rule(path)
    assert message in str(error.value)


def test_a_missing_key_is_named(tmp_path: Path) -> None:
    path = _rule_file(tmp_path)
    path.write_text(path.read_text(encoding="utf-8").replace('title_en = "Title"\n', ""), encoding="utf-8")
    with pytest.raises(CatalogueError, match="Quy tắc MY_RULE.toml, khóa 'title_en': thiếu."):
        load_rule(path)


def test_a_new_rule_is_a_file_and_its_contract_is_checked(world, tmp_path: Path) -> None:
    engine, lake = world
    url = plain_url(engine)
    added = load_rule(_rule_file(tmp_path, sql="SELECT ma_lk, 'XML1' AS bang, NULL AS stt, 0 AS amount_at_risk, "
                                               "'Hồ sơ ' || ma_lk AS explanation FROM episodes WHERE ma_lk = 'CLEAN'"))
    assert [(f.rule_id, f.ma_lk, f.severity) for f in assess(lake, url, [added]).findings] == [
        ("MY_RULE", "CLEAN", "Cao")]
    wrong = load_rule(_rule_file(tmp_path, sql="SELECT ma_lk, 0 AS amount_at_risk FROM episodes"))
    with pytest.raises(RuleError, match="Quy tắc MY_RULE: câu SQL phải trả về các cột ma_lk, bang, stt"):
        assess(lake, url, [wrong])
    negative = load_rule(_rule_file(tmp_path, sql="SELECT ma_lk, 'XML1' AS bang, NULL AS stt, -1 AS amount_at_risk, "
                                                  "'x' AS explanation FROM episodes"))
    with pytest.raises(RuleError, match="Quy tắc MY_RULE: kết quả sai hợp đồng"):
        assess(lake, url, [negative])


def test_a_rule_reads_any_field_it_names(world, tmp_path: Path) -> None:
    """The scope copies only the fields some rule names: a new rule naming others gets them too."""
    engine, lake = world
    catalogue = read_columns(load_catalogue())
    assert "ho_ten" not in catalogue["XML1"] and "don_vi_tinh" not in catalogue["XML2"]
    added = load_rule(_rule_file(tmp_path, sql=(
        "SELECT e.ma_lk, 'XML2' AS bang, d.stt, 0 AS amount_at_risk, e.ho_ten || ' ' || d.don_vi_tinh AS explanation "
        "FROM episodes e JOIN drug_lines d ON d.ma_lk = e.ma_lk WHERE e.ma_lk = 'CLEAN'")))
    columns = read_columns([added])
    assert "ho_ten" in columns["XML1"] and "don_vi_tinh" in columns["XML2"]
    assert "don_vi_tinh" not in columns["XML1"]
    findings = assess(lake, plain_url(engine), [added]).findings
    assert findings and all(f.explanation.strip() and f.bang == "XML2" for f in findings)


# Before 0006 no decisions; before 0008 no decisions' version, which `bhyt claims decide` bumps.
@pytest.mark.parametrize(("revision", "missing"), [("0005", "claim_decisions, decisions_version"),
                                                   ("0007", "decisions_version")])
def test_a_database_not_upgraded_is_named(tmp_path: Path, revision: str, missing: str) -> None:
    from bhyt.claims.assessment import AssessmentError
    from bhyt.claims.lake import ClaimsLake
    from bhyt.store.db import make_engine
    from bhyt.store.migrate import upgrade

    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    upgrade(engine, revision)
    try:
        with pytest.raises(AssessmentError, match=rf"\({missing}\).*bhyt init"):
            assess(ClaimsLake(tmp_path / "lake"), plain_url(engine), load_catalogue())
    finally:
        engine.dispose()
