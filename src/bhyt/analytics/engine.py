"""DuckDB in process, with the system of record attached as `db`.

The extensions come from the pip packages `duckdb-extension-*` (pinned with duckdb): each is
installed from the package's own file into the data folder, so nothing is fetched at run time.

SQLite: DuckDB's extension carries its own copy of SQLite. Two copies in one process do not see
each other's file locks, so DuckDB must never write the main SQLite file while a SQLAlchemy
connection of this process might be using it: analytics attach it read-only, imports stage their
rows in a separate file (see ingest.load.Stager), and a bulk writer that attaches the main file
read-write must dispose the SQLAlchemy engine first and be the only user of the file.
"""

from __future__ import annotations

import importlib.util
import threading
from collections import OrderedDict
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Callable, Iterator, TypeVar

import duckdb
from sqlalchemy import Engine
from sqlalchemy.engine import make_url

from bhyt.config import data_dir

T = TypeVar("T")

# The package ships `sqlite.duckdb_extension`; DuckDB knows it as `sqlite_scanner`.
_EXTENSION_NAMES = {"sqlite": "sqlite_scanner", "postgres": "postgres_scanner", "excel": "excel", "icu": "icu"}


def _packaged_extension(name: str) -> Path:
    spec = importlib.util.find_spec(f"duckdb_extension_{name}")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(f"Thiếu gói duckdb-extension-{name}: hãy cài lại dự án (make run).")
    root = Path(next(iter(spec.submodule_search_locations)))
    return next(root.glob(f"extensions/v{duckdb.__version__}/{name}.duckdb_extension"))


def load_extension(con: duckdb.DuckDBPyConnection, name: str) -> None:
    installed = con.execute(
        "SELECT installed FROM duckdb_extensions() WHERE extension_name = ?", [_EXTENSION_NAMES[name]]
    ).fetchone()
    if not (installed and installed[0]):
        con.execute(f"INSTALL '{_packaged_extension(name)}'")
    con.execute(f"LOAD {_EXTENSION_NAMES[name]}")


def new_connection() -> duckdb.DuckDBPyConnection:
    extension_dir = data_dir() / "duckdb_extensions"
    extension_dir.mkdir(exist_ok=True)
    return duckdb.connect(
        config={
            "extension_directory": str(extension_dir),
            "autoinstall_known_extensions": False,
            "autoload_known_extensions": False,
        }
    )


def plain_url(engine: Engine) -> str:
    """The engine's URL with its password, for DuckDB to attach the same database."""
    return engine.url.render_as_string(hide_password=False)


def attach_clause(url: str) -> tuple[str, str]:
    """The ATTACH target and the extension it needs, for a SQLAlchemy URL."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return parsed.database or "", "sqlite"
    if parsed.get_backend_name() == "postgresql":
        parts = {
            "host": parsed.host,
            "port": parsed.port,
            "dbname": parsed.database,
            "user": parsed.username,
            "password": parsed.password,
        }
        return " ".join(f"{key}={value}" for key, value in parts.items() if value is not None), "postgres"
    raise ValueError(f"Cơ sở dữ liệu không được hỗ trợ: {parsed.get_backend_name()}")


def attach_db(con: duckdb.DuckDBPyConnection, url: str, read_only: bool = True, alias: str = "db") -> None:
    """Attach the system of record at `url` to `con` as `alias`."""
    target, extension = attach_clause(url)
    load_extension(con, extension)
    mode = ", READ_ONLY" if read_only else ""
    quoted = target.replace("'", "''")
    con.execute(f"ATTACH '{quoted}' AS {alias} (TYPE {extension}{mode})")


@contextmanager
def attached(url: str, read_only: bool = True) -> Iterator[duckdb.DuckDBPyConnection]:
    """A DuckDB connection with the system of record at `url` attached as `db`."""
    con = new_connection()
    try:
        attach_db(con, url, read_only)
        yield con
    finally:
        con.close()


@contextmanager
def analytics(engine: Engine) -> Iterator[duckdb.DuckDBPyConnection]:
    """The connection every analytic question runs on: the registry snapshot (rebuilt first if the
    registry changed) as the default schema, and the system of record attached read-only as `db` for
    the small tables that are read live (units, targets, population figures, aggregate counts)."""
    from bhyt.analytics.snapshot import fresh_snapshot  # the snapshot itself is built with this module

    path = fresh_snapshot(engine)
    con = new_connection()
    try:
        con.execute(f"ATTACH '{path}' AS snapshot (READ_ONLY)")
        con.execute("USE snapshot")
        attach_db(con, plain_url(engine))
        yield con
    finally:
        con.close()


class SharedAnalytics:
    """One analytics database per process, for a server answering many questions a second.

    Opening a DuckDB connection, loading the scanner and attaching the snapshot costs hundreds of
    milliseconds — more than the questions themselves — so the server keeps one attached database and
    hands each request a cursor on it (its own connection to the same database, safe on its own thread).
    A request still reads the registry token and the facts version (`marks`) before it uses a figure:
    after an import the next request rebuilds the snapshot and attaches the new one, and kept answers
    are dropped; requests already running finish on the old one, whose file stays readable until they
    close it. Inside `one_reading()` (the web app wraps every request in it) the marks are read once,
    at their first use, and shared by every question of that request."""

    MEMO_SIZE = 512

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._lock = threading.Lock()
        self._database: duckdb.DuckDBPyConnection | None = None
        self._token: str | None = None
        self._memo: OrderedDict[tuple, object] = OrderedDict()
        self._reading: ContextVar[dict | None] = ContextVar(f"analytics_reading_{id(self)}", default=None)

    @contextmanager
    def one_reading(self) -> Iterator[None]:
        """Read the marks at most once inside the block (one request): its questions answer from the same
        state, at one indexed read instead of one per question. A write made inside the block is seen by
        the next block, not by this one."""
        reset = self._reading.set({})
        try:
            yield
        finally:
            self._reading.reset(reset)

    def marks(self) -> tuple[str, tuple]:
        """(registry token, facts version): what a kept answer is valid for."""
        from bhyt.store import registry_version

        reading = self._reading.get()
        if reading and "marks" in reading:
            return reading["marks"]
        with self.engine.connect() as connection:
            marks = registry_version.current(connection), registry_version.facts_version(connection)
        if reading is not None:
            reading["marks"] = marks
        return marks

    def _current(self) -> duckdb.DuckDBPyConnection:
        from bhyt.analytics.snapshot import fresh_snapshot

        token, _ = self.marks()
        with self._lock:
            if token != self._token:
                path = fresh_snapshot(self.engine)
                database = new_connection()
                database.execute(f"ATTACH '{path}' AS snapshot (READ_ONLY)")
                attach_db(database, plain_url(self.engine))
                self._database, self._token = database, token
                self._memo.clear()
            return self._database

    @contextmanager
    def connection(self) -> Iterator[duckdb.DuckDBPyConnection]:
        cursor = self._current().cursor()
        try:
            cursor.execute("USE snapshot")
            yield cursor
        finally:
            cursor.close()

    def kept(self, key: tuple, make: Callable[[], T], live: bool = False) -> T:
        """The answer to `key` if it was made since the registry last changed, else `make()`'s, kept.

        Targets, population figures and aggregate counts are read live and change without moving the
        registry token: an answer that reads them passes `live=True`, and is kept under their change
        mark as well (`registry_version.facts_version`). A kept answer is only looked up: no DuckDB
        cursor is opened for it."""
        token, facts = self.marks()
        key = (key, facts) if live else key
        with self._lock:
            if token == self._token and key in self._memo:
                self._memo.move_to_end(key)
                return self._memo[key]
        answer = make()
        with self._lock:
            if token == self._token:
                self._memo[key] = answer
                while len(self._memo) > self.MEMO_SIZE:
                    self._memo.popitem(last=False)
        return answer

    def memo(self, key: tuple, compute: Callable[[duckdb.DuckDBPyConnection], T], live: bool = False) -> T:
        """`kept` for a question asked on an analytics connection, opened only if the answer is not kept."""

        def make() -> T:
            with self.connection() as con:
                return compute(con)

        return self.kept(key, make, live)
