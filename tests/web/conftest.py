"""The web app over a small demo province, with one signed-in client per role (SQLite, and PostgreSQL
when BHYT_TEST_DATABASE_URL is set). Each module serves its own copy of the demo registry
(tests/demo_registry.py): its tests may write to it, the other modules' do not see it."""

from __future__ import annotations

import json
import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.engine import make_url
from typer.testing import CliRunner

from bhyt.analytics.engine import plain_url
from bhyt.cli import app as cli
from bhyt.store.db import default_engine
from bhyt.store.models import AuditEntry, User
from bhyt.web.app import create_app
from bhyt.web.demo_accounts import DEMO_PASSWORD
from tests.conftest import DATABASES, POSTGRES_URL
from tests.database_copies import drop_postgres_database
from tests.demo_registry import demo_registry


@pytest.fixture(scope="module", params=DATABASES)
def web_engine(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, database_copies):
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('web') / 'bhyt.db'}"
    else:
        # A database of its own: the tests that empty the main test database leave it alone.
        main = make_url(POSTGRES_URL)
        url = main.set(database=f"{main.database}_web").render_as_string(hide_password=False)
    engine = demo_registry(database_copies, url)
    yield engine
    engine.dispose()
    if request.param != "sqlite":
        drop_postgres_database(url)


@pytest.fixture(scope="module")
def app(web_engine):
    return create_app(web_engine)


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def sign_in(client: TestClient, username: str, password: str = DEMO_PASSWORD):
    form = client.get("/login")
    return client.post("/login", data={"username": username, "password": password, "csrf_token": csrf_of(form.text),
                                       "next": "/"}, follow_redirects=False)


@pytest.fixture
def client_for(app):
    """`client_for("xa")`: a client signed in as that demo account."""
    clients = []

    def make(username: str) -> TestClient:
        client = TestClient(app)
        response = sign_in(client, username)
        assert response.status_code == 303, response.text
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()


def cli_json(engine, monkeypatch, *args: str):
    """What `bhyt ARGS --format json` prints on the test database."""
    monkeypatch.setenv("BHYT_DATABASE_URL", plain_url(engine))
    default_engine.cache_clear()
    try:
        result = CliRunner().invoke(cli, [*args, "--format", "json"], catch_exceptions=False)
    finally:
        default_engine.cache_clear()
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def audit_entries(engine, username: str, action: str) -> list:
    """The audit log's entries of `username` for `action`, oldest first."""
    with engine.connect() as connection:
        return connection.execute(select(AuditEntry).where(AuditEntry.username == username,
                                                           AuditEntry.action == action)
                                  .order_by(AuditEntry.id)).all()


def unit_of(engine, username: str) -> str:
    with engine.connect() as connection:
        return connection.execute(select(User.unit_code).where(User.username == username)).scalar()
