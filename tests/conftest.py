"""Every database test runs on SQLite, and on PostgreSQL too when BHYT_TEST_DATABASE_URL names one."""

from __future__ import annotations

import csv
import os
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from bhyt.store.db import default_engine, make_engine
from bhyt.store.migrate import upgrade
from bhyt.store.units import seed_admin_units

POSTGRES_URL = os.environ.get("BHYT_TEST_DATABASE_URL")
DATABASES = [pytest.param("sqlite", id="sqlite")]
if POSTGRES_URL:
    DATABASES.append(pytest.param("postgres", id="postgres", marks=pytest.mark.postgres))


@pytest.fixture(scope="session", autouse=True)
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One data folder for the run: error reports and DuckDB's extension copies land here."""
    path = tmp_path_factory.mktemp("data")
    os.environ["BHYT_DATA_DIR"] = str(path)
    return path


def _reset_postgres(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(params=DATABASES)
def database_url(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'bhyt.db'}"
    else:
        url = POSTGRES_URL
        _reset_postgres(url)
    monkeypatch.setenv("BHYT_DATABASE_URL", url)
    default_engine.cache_clear()
    yield url
    default_engine.cache_clear()


@pytest.fixture
def engine(database_url: str):
    engine = make_engine(database_url)
    upgrade(engine)
    seed_admin_units(engine)
    yield engine
    engine.dispose()


def write_csv(path: Path, header: list[str], rows: list[list[object]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path
