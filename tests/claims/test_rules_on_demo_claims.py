"""The catalogue on the synthetic claims (`bhyt demo claims`): every rule finds exactly the claims the
generator labelled with it (precision and recall 1.0 per rule, compared on MA_LK and rule).

The generator pays levels 3 and 4 in full at commune health stations, which it recognises by their
code (the digits after the province above 100) and does not list; the test writes that list as the
facility-tier file an assessor would import (`bhyt claims facilities`)."""

from __future__ import annotations

import csv
from collections import defaultdict
from datetime import date

import pytest

from bhyt.analytics.engine import plain_url
from bhyt.claims.assessment import assess
from bhyt.claims.catalogue import load_catalogue
from bhyt.claims.lake import ClaimsLake
from bhyt.claims.reference import APPROVED_PRICES, FACILITY_TIERS, import_reference
from bhyt.demo import build_demo
from bhyt.demo.claims import LABELS_FILE, PRICES_FILE, RULES, write_demo_claims
from bhyt.ingest.claims_service import ingest_claims
from tests.conftest import write_csv
from tests.demo.test_province import fresh_engine

PERSONS, VISITS, SHARE = 8_000, 600, 0.01
# Half a year: enough card gaps and deaths for every violation, and few enough month × facility
# partitions for the lake's rewrite, which runs out of its 1 GB memory limit on a year of this set at
# once (its many small partitions; reported to the lake's owner).
FIRST, LAST = date(2026, 1, 1), date(2026, 6, 30)


@pytest.fixture(scope="module")
def scored(tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("demo_claims")
    engine = fresh_engine(folder / "province.db")
    try:
        build_demo(engine, persons=PERSONS)
        claims = folder / "claims"
        write_demo_claims(engine, VISITS, claims, share=SHARE, first=FIRST, last=LAST)
        lake = ClaimsLake(folder / "lake")
        assert not ingest_claims([claims], lake).errors
        import_reference(APPROVED_PRICES, claims / PRICES_FILE, lake.root)
        facilities = {path.stem[:5] for path in claims.glob("*.xml")}
        stations = sorted(code for code in facilities if int(code[2:]) > 100)
        tiers = write_csv(folder / "cap.csv", list(FACILITY_TIERS.columns),
                          [[code, f"Trạm y tế {code}", "ban_dau"] for code in stations])
        import_reference(FACILITY_TIERS, tiers, lake.root)
        found = {(f.ma_lk, f.rule_id) for f in assess(lake, plain_url(engine), load_catalogue()).findings}
    finally:
        engine.dispose()
    with (claims / LABELS_FILE).open(encoding="utf-8", newline="") as handle:
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
