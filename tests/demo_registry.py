"""The demo province the web and browser tests serve (3,000 people, one account per role): generated
once per database backend for the run, and copied for each module that serves it."""

from __future__ import annotations

from sqlalchemy import Engine
from sqlalchemy.engine import make_url

from bhyt.demo.province import build_demo
from bhyt.store.db import make_engine
from bhyt.store.migrate import upgrade
from bhyt.store.units import seed_admin_units
from bhyt.web.demo_accounts import create_demo_accounts
from tests.database_copies import DatabaseCopies, empty_postgres_database

DEMO_PERSONS = 3_000


def demo_registry(copies: DatabaseCopies, url: str) -> Engine:
    """An engine on a copy of the demo registry, made at `url` (an SQLite file, or a PostgreSQL database
    created there; either is replaced)."""
    backend = make_url(url).get_backend_name()
    key = ("demo registry", backend)
    if not copies.restore(key, url):
        if backend == "postgresql":
            empty_postgres_database(url)
        engine = make_engine(url)
        upgrade(engine)
        seed_admin_units(engine)
        build_demo(engine, persons=DEMO_PERSONS)
        create_demo_accounts(engine, "44")
        engine.dispose()
        copies.save(key, url)
    return make_engine(url)
