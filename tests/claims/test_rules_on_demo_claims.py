"""The catalogue on the synthetic claims (`bhyt demo claims`, the `demo_claims` fixture): every rule finds
exactly the claims the generator labelled with it (precision and recall 1.0 per rule, compared on MA_LK
and rule)."""

from __future__ import annotations

import csv
from collections import defaultdict

import pytest

from bhyt.analytics.engine import new_connection
from bhyt.claims import assessment
from bhyt.claims.assessment import Scope, assess, prepare
from bhyt.claims.catalogue import load_catalogue
from bhyt.demo.claims import LABELS_FILE, RULES


@pytest.fixture(scope="module")
def scored(demo_claims, demo_assessment):
    found = {(f.ma_lk, f.rule_id) for f in demo_assessment.findings}
    with (demo_claims.claims / LABELS_FILE).open(encoding="utf-8", newline="") as handle:
        labelled = {(row["ma_lk"], row["rule_id"]) for row in csv.DictReader(handle)}
    return found, labelled


@pytest.mark.parametrize("rule", RULES)
def test_precision_and_recall_are_one(scored, rule: str) -> None:
    found, labelled = scored
    found_here = {ma_lk for ma_lk, rule_id in found if rule_id == rule}
    labelled_here = {ma_lk for ma_lk, rule_id in labelled if rule_id == rule}
    assert labelled_here, f"the generator labelled no claim with {rule}"
    assert found_here - labelled_here == set(), "false positives"
    assert labelled_here - found_here == set(), "missed"


def test_the_catalogue_is_the_generators_rules(scored) -> None:
    assert {rule.id for rule in load_catalogue()} == set(RULES)
    found, _ = scored
    per_rule = defaultdict(int)
    for _, rule_id in found:
        per_rule[rule_id] += 1
    assert set(per_rule) == set(RULES)


def _copied(con, name: str) -> bool:
    return bool(con.execute("SELECT count(*) FROM duckdb_tables() WHERE temporary AND table_name = ?",
                            [name]).fetchone()[0])


def test_past_the_copy_limit_the_rules_read_the_lines_from_the_lake_with_the_same_findings(
        demo_claims, demo_assessment, monkeypatch) -> None:
    rules = load_catalogue()
    discharged = sorted(finding.ngay_ra.date() for finding in demo_assessment.findings)
    facility = demo_assessment.findings[0].facility
    scopes = [Scope(), Scope(first=discharged[len(discharged) // 2]), Scope(facility=facility)]
    copied = [assess(demo_claims.lake, demo_claims.database_url, rules, scope) for scope in scopes[1:]]
    monkeypatch.setattr(assessment, "COPY_LIMIT_EPISODES", 0)
    con = new_connection()
    try:
        prepare(con, demo_claims.lake, demo_claims.database_url, Scope(), rules)
        assert not _copied(con, "drug_lines") and not _copied(con, "service_lines")
        assert _copied(con, "episodes") and _copied(con, "diagnoses")
    finally:
        con.close()
    for scope, expected in zip(scopes, [demo_assessment, *copied]):
        read_from_files = assess(demo_claims.lake, demo_claims.database_url, rules, scope)
        assert read_from_files.findings == expected.findings, scope
        assert read_from_files.summary == expected.summary
        assert (read_from_files.episodes, read_from_files.lines) == (expected.episodes, expected.lines)
    assert 0 < len(copied[0].findings) < len(demo_assessment.findings)


def test_under_the_copy_limit_the_lines_are_copied(demo_claims) -> None:
    con = new_connection()
    try:
        prepare(con, demo_claims.lake, demo_claims.database_url, Scope(), load_catalogue())
        assert _copied(con, "drug_lines") and _copied(con, "service_lines")
    finally:
        con.close()
