"""The engines kept for the whole process outlive their connections: PostgreSQL may close one (a restart,
an idle timeout) and the next use must still succeed."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, create_engine, text

from bhyt.claims.registry_source import registry_engine
from bhyt.store.db import default_engine
from tests.conftest import POSTGRES_URL

pytestmark = [pytest.mark.postgres,
              pytest.mark.skipif(not POSTGRES_URL, reason="BHYT_TEST_DATABASE_URL is not set")]


@pytest.fixture(params=["registry_engine", "default_engine"])
def cached_engine(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    if request.param == "registry_engine":
        yield registry_engine(POSTGRES_URL)
        return
    monkeypatch.setenv("BHYT_DATABASE_URL", POSTGRES_URL)
    default_engine.cache_clear()
    yield default_engine()
    default_engine().dispose()
    default_engine.cache_clear()


def _backend_pid(engine: Engine) -> int:
    with engine.connect() as connection:
        return connection.execute(text("SELECT pg_backend_pid()")).scalar_one()


def test_a_cached_engine_reconnects_after_the_server_closed_its_connection(cached_engine: Engine) -> None:
    pooled = _backend_pid(cached_engine)
    server = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        # As a restart would; the timeout waits until the backend has gone, so the pool holds a dead one.
        assert connection.execute(text("SELECT pg_terminate_backend(:pid, 10000)"), {"pid": pooled}).scalar_one()
    server.dispose()
    assert _backend_pid(cached_engine) != pooled
