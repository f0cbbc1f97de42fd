"""The assessment reads the people and cards from the registry snapshot: what the registry records after
one assessment is seen by the next (the snapshot is taken again), and the rows are those of the
system of record."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime

import pytest
from sqlalchemy import Engine, insert, update

from bhyt.analytics.engine import attached, plain_url
from bhyt.analytics.snapshot import snapshot_path
from bhyt.claims import assessment
from bhyt.claims.assessment import assess
from bhyt.claims.catalogue import load_catalogue, pick
from bhyt.claims.lake import ClaimsLake
from bhyt.store import registry_version
from bhyt.store.models import CardPeriod, ClaimDecision, Person
from tests.analytics.shared import shared_engine
from tests.claims.rule_cases import CASES, build_world, card_code
from tests.conftest import DATABASES

CASE = {case.ma_lk: case for case in CASES}


@pytest.fixture(params=DATABASES)
def world(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Engine, ClaimsLake]]:
    """A registry of its own: the tests write to it."""
    with shared_engine(request.param, "claims_snapshot", tmp_path_factory) as engine:
        yield engine, build_world(engine, tmp_path_factory.mktemp("snapshot"))


def _found(engine: Engine, lake: ClaimsLake) -> set[tuple[str, str]]:
    rules = pick(load_catalogue(), ["CARD_INVALID", "AFTER_DEATH"])
    return {(f.ma_lk, f.rule_id) for f in assess(lake, plain_url(engine), rules).findings}


def test_a_card_and_a_death_recorded_after_an_assessment_are_seen_by_the_next(world) -> None:
    engine, lake = world
    before = _found(engine, lake)
    assert ("CARD_ENDS_BEFORE", "CARD_INVALID") in before and ("CLEAN", "AFTER_DEATH") not in before
    renewed, died = CASE["CARD_ENDS_BEFORE"].person, CASE["CLEAN"].person
    # As every writer of the registry does: the change and the bump of its version in one transaction.
    with engine.begin() as connection:
        connection.execute(insert(CardPeriod).values(
            person_id=renewed, bhxh_number=f"79{renewed:08d}", card_code=card_code(renewed), participant_code="GD",
            benefit_level=4, valid_from=date(2026, 1, 6), valid_to=date(2026, 12, 31), source="test"))
        connection.execute(update(Person).where(Person.id == died).values(death_date=date(2026, 1, 2)))
        registry_version.bump(connection)
    assert _found(engine, lake) == (before - {("CARD_ENDS_BEFORE", "CARD_INVALID")}) | {("CLEAN", "AFTER_DEATH")}


def test_the_registry_tables_are_those_of_the_system_of_record(world, monkeypatch: pytest.MonkeyPatch) -> None:
    """The people and cards the claims name, read through the scanner as before the snapshot, and the
    decisions taken since the last assessment."""
    engine, lake = world
    with engine.begin() as connection:
        connection.execute(insert(ClaimDecision).values(ma_lk="CLEAN", rule_id="CARD_INVALID", decision="reject",
                                                        reason="Thẻ hợp lệ", decided_by="giamdinh",
                                                        decided_at=datetime(2026, 2, 1, 9, 0)))
    copied = {}
    register = assessment._register_registry

    def keep(con, database_url: str) -> None:
        register(con, database_url)
        for name in ("registry_persons", "registry_cards", "decisions"):
            copied[name] = con.execute(f"SELECT * FROM {name} ORDER BY ALL").fetchall()
        # Only the contract's tables are left on the connection.
        assert not con.execute("SELECT table_name FROM duckdb_tables() WHERE table_name LIKE '\\_%' ESCAPE '\\'"
                               ).fetchall()

    monkeypatch.setattr(assessment, "_register_registry", keep)
    _found(engine, lake)
    people = [case.person for case in CASES]
    with attached(plain_url(engine)) as con:
        persons = con.execute("""SELECT personal_id, birth_date, sex, death_date FROM db.persons
                                 ORDER BY ALL""").fetchall()
        cards = con.execute("""SELECT p.personal_id, c.card_code, c.bhxh_number, c.participant_code, c.benefit_level,
                                      c.valid_from, c.valid_to
                               FROM db.card_periods c JOIN db.persons p ON p.id = c.person_id ORDER BY ALL""").fetchall()
    assert len(persons) == len(set(people)) and copied["registry_persons"] == persons
    assert cards and copied["registry_cards"] == cards
    assert copied["decisions"] == [("CLEAN", "CARD_INVALID", "reject", "Thẻ hợp lệ")]
    assert snapshot_path(engine).exists()
