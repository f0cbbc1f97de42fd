"""The catalogue on the synthetic claims (`bhyt demo claims`, the `demo_claims` fixture): every rule finds
exactly the claims the generator labelled with it (precision and recall 1.0 per rule, compared on MA_LK
and rule)."""

from __future__ import annotations

import csv
from collections import defaultdict

import pytest

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
