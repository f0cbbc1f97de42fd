from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import func, inspect, select

from bhyt.store import decisions_version
from bhyt.store.db import make_engine
from bhyt.store.migrate import current_revision, upgrade
from bhyt.store.models import Base, DecisionsVersion, Unit


def test_migrations_build_exactly_the_models(engine):
    with engine.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == []


def test_upgrade_is_idempotent_and_units_are_seeded(engine):
    upgrade(engine)
    assert current_revision(engine) is not None
    with engine.connect() as connection:
        levels = dict(connection.execute(select(Unit.level, func.count()).group_by(Unit.level)).all())
    assert levels == {"province": 34, "commune": 3321}


def test_every_identifier_and_card_date_is_indexed(engine):
    inspector = inspect(engine)

    def indexed(table: str) -> set[str]:
        first_columns = {index["column_names"][0] for index in inspector.get_indexes(table)}
        first_columns |= {constraint["column_names"][0] for constraint in inspector.get_unique_constraints(table)}
        return first_columns | set(inspector.get_pk_constraint(table)["constrained_columns"])

    assert {"personal_id", "household_id"} <= indexed("persons")
    assert {"bhxh_number", "card_code", "person_id", "valid_from", "participant_code"} <= indexed("card_periods")
    assert {"code", "commune_code", "hamlet_code"} <= indexed("households")
    assert {"person_id", "commune_code", "hamlet_code"} <= indexed("residences")


def test_the_decisions_version_is_seeded_and_never_repeats_a_token(engine, tmp_path):
    with engine.connect() as connection:
        assert connection.execute(select(DecisionsVersion.id, DecisionsVersion.version)).all() == [(1, 0)]
    tokens = []
    for name in ("first", "again"):
        fresh = make_engine(f"sqlite:///{tmp_path / name}.db")
        try:
            upgrade(fresh)
            with fresh.begin() as connection:
                tokens.append(decisions_version.current(connection))
                decisions_version.bump(connection)
                assert connection.execute(select(DecisionsVersion.version)).scalar_one() == 1
                tokens.append(decisions_version.current(connection))
        finally:
            fresh.dispose()
    assert len(set(tokens)) == 4 and all(len(token) == 32 for token in tokens)
