"""Threads of one process asking for the snapshot at once (the web app's analytics and a claims
assessment) take it once, and each gets the same complete copy."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from bhyt.analytics import snapshot
from bhyt.store import registry_version


def test_threads_asking_for_a_stale_snapshot_build_it_once(engine, monkeypatch: pytest.MonkeyPatch) -> None:
    builds = []
    build = snapshot.build_snapshot
    arrived = threading.Barrier(4)

    def counted(*args) -> None:
        builds.append(args[2])
        build(*args)

    def ask(_) -> str:
        arrived.wait()
        return str(snapshot.fresh_snapshot(engine))

    monkeypatch.setattr(snapshot, "build_snapshot", counted)
    with ThreadPoolExecutor(4) as pool:
        paths = set(pool.map(ask, range(4)))
    with engine.connect() as connection:
        version = f"{registry_version.current(connection)}/{snapshot.FORMAT}"
    assert paths == {str(snapshot.snapshot_path(engine))}
    assert builds == [version]
    assert snapshot.snapshot_version(snapshot.snapshot_path(engine)) == version
    assert not list(snapshot.snapshot_path(engine).parent.glob("*.partial"))
