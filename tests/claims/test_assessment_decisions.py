"""An assessment reads the decisions of the claims in its scope only: looked up by MA_LK for a few claims
(one on the claim page), through the scanner for many; either way it sees every decision recorded
before it on those claims, and none of other claims."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine

from bhyt.analytics.engine import plain_url
from bhyt.claims import assessment, registry_source
from bhyt.claims.assessment import Scope, assess
from bhyt.claims.catalogue import load_catalogue, pick
from bhyt.claims.decisions import record_decision
from bhyt.claims.lake import ClaimsLake
from tests.analytics.shared import shared_engine
from tests.claims.rule_cases import CASES, build_world
from tests.conftest import DATABASES

RULES = ["AFTER_DEATH", "DUPLICATE_LINE", "CARD_INVALID"]
# Decisions on the findings of the world's claims, and on claims the lake does not hold.
IN_LAKE = [("DIED_BEFORE", "AFTER_DEATH", "accept", None),
           ("DUPLICATE", "DUPLICATE_LINE", "reject", "Hai lần xét nghiệm theo chỉ định"),
           ("CARD_ENDS_BEFORE", "CARD_INVALID", "accept", None)]
ELSEWHERE = [("79002.2026.000000001", "AFTER_DEATH", "accept", None),
             ("79001.2025.000000009", "CARD_INVALID", "reject", "Không phải hồ sơ trong kho")]
EXPECTED = {(ma_lk, rule_id): (decision, reason) for ma_lk, rule_id, decision, reason in IN_LAKE}


@pytest.fixture(scope="module", params=DATABASES)
def world(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Engine, ClaimsLake]]:
    with shared_engine(request.param, "claims_decisions", tmp_path_factory) as engine:
        lake = build_world(engine, tmp_path_factory.mktemp("decisions"))
        for ma_lk, rule_id, decision, reason in IN_LAKE + ELSEWHERE:
            record_decision(engine, ma_lk, rule_id, decision, reason, "gdv1")
        yield engine, lake


@pytest.fixture
def read(monkeypatch: pytest.MonkeyPatch) -> dict[str, list]:
    """What the assessment reads: the claims it looks up (none when it scans) and its `decisions` table."""
    seen: dict[str, list] = {"looked_up": [], "decisions": []}
    lookup, register = registry_source.recorded_decisions, assessment._register_registry

    def recorded_decisions(engine: Engine, claims):
        seen["looked_up"].append(sorted(claims))
        return lookup(engine, claims)

    def keep(con, database_url: str) -> None:
        register(con, database_url)
        seen["decisions"] = con.execute("SELECT * FROM decisions ORDER BY ALL").fetchall()

    monkeypatch.setattr(registry_source, "recorded_decisions", recorded_decisions)
    monkeypatch.setattr(assessment, "_register_registry", keep)
    return seen


def _decided(engine: Engine, lake: ClaimsLake, scope: Scope = Scope()) -> dict[tuple[str, str], tuple]:
    findings = assess(lake, plain_url(engine), pick(load_catalogue(), RULES), scope).findings
    return {(f.ma_lk, f.rule_id): (f.decision, f.decision_reason) for f in findings}


def test_a_one_claim_scope_looks_up_that_claims_decisions_only(world, read) -> None:
    engine, lake = world
    assert _decided(engine, lake, Scope(ma_lk="DIED_BEFORE")) == {("DIED_BEFORE", "AFTER_DEATH"): ("accept", None)}
    assert read["looked_up"] == [["DIED_BEFORE"]]
    assert read["decisions"] == [("DIED_BEFORE", "AFTER_DEATH", "accept", None)]


def test_a_scope_of_few_claims_looks_up_theirs_and_sees_no_other(world, read) -> None:
    engine, lake = world
    decided = _decided(engine, lake)
    assert read["looked_up"] == [sorted(case.ma_lk for case in CASES)]
    assert read["decisions"] == sorted(IN_LAKE)
    assert {key: value for key, value in decided.items() if value != (None, None)} == EXPECTED


def test_a_scope_of_many_claims_scans_every_decision_of_its_claims(world, read, monkeypatch) -> None:
    engine, lake = world
    monkeypatch.setattr(registry_source, "LOOKED_UP_CLAIMS", 2)
    one = _decided(engine, lake, Scope(ma_lk="DUPLICATE"))
    assert read["looked_up"] == [["DUPLICATE"]]
    assert one == {("DUPLICATE", "DUPLICATE_LINE"): EXPECTED["DUPLICATE", "DUPLICATE_LINE"]}
    read["looked_up"].clear()
    decided = _decided(engine, lake)
    assert read["looked_up"] == [] and read["decisions"] == sorted(IN_LAKE)
    assert {key: value for key, value in decided.items() if value != (None, None)} == EXPECTED
    # A decision recorded after the scan is seen by the next assessment.
    record_decision(engine, "CARD_ENDS_BEFORE", "CARD_INVALID", "reject", "Thẻ đã gia hạn", "gdv2")
    try:
        assert _decided(engine, lake)["CARD_ENDS_BEFORE", "CARD_INVALID"] == ("reject", "Thẻ đã gia hạn")
    finally:
        record_decision(engine, "CARD_ENDS_BEFORE", "CARD_INVALID", "accept", None, "gdv1")


def test_recorded_decisions_reads_the_claims_asked_in_chunks(world, monkeypatch) -> None:
    engine, _ = world
    monkeypatch.setattr(registry_source, "_CLAIMS_PER_LOOKUP", 2)
    claims = ["DIED_BEFORE", "NO_DECISION", "DUPLICATE", "79002.2026.000000001", "CLEAN"]
    table = registry_source.recorded_decisions(engine, claims)
    assert sorted(table.to_pylist(), key=lambda row: row["ma_lk"]) == [
        {"ma_lk": ma_lk, "rule_id": rule_id, "decision": decision, "reason": reason}
        for ma_lk, rule_id, decision, reason in sorted([*IN_LAKE[:2], ELSEWHERE[0]])]
    empty = registry_source.recorded_decisions(engine, [])
    assert empty.num_rows == 0 and empty.schema == table.schema

