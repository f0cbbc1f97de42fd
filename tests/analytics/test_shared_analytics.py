"""The server's long-lived analytics database answers like a fresh connection, and sees an import
made after it was opened (on SQLite and PostgreSQL)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

from bhyt.analytics.coverage import coverage
from bhyt.analytics.engine import SharedAnalytics
from bhyt.ingest.service import import_file
from tests.analytics.test_coverage import BIRTH, D, DONG_SON, load_registry, pid
from tests.conftest import write_csv
from tests.ingest.fixtures import PERSON_HEADER


def _dong_son(shared: SharedAnalytics):
    with shared.connection() as con:
        row = coverage(con, D, "commune", DONG_SON)[0]
    return row.population, row.insured, row.coverage_pct


def test_shared_analytics_sees_an_import_and_serves_threads(engine, tmp_path):
    load_registry(engine, tmp_path)
    shared = SharedAnalytics(engine)
    assert _dong_son(shared) == (1, 1, Decimal("100.00"))
    newcomer = [pid(20, BIRTH, 1), "Người mới", BIRTH.isoformat(), "1", "", "", DONG_SON, "Khu phố 3", "", "", ""]
    assert import_file(engine, "persons", write_csv(tmp_path / "new.csv", PERSON_HEADER, [newcomer])).ok
    assert _dong_son(shared) == (2, 1, Decimal("50.00"))
    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(lambda _: _dong_son(shared), range(32)))
    assert set(answers) == {(2, 1, Decimal("50.00"))}


def test_a_kept_answer_is_dropped_when_the_registry_changes(engine, tmp_path):
    load_registry(engine, tmp_path)
    shared = SharedAnalytics(engine)
    computed = []

    def question(con):
        computed.append(1)
        return coverage(con, D, "commune", DONG_SON)[0].population

    assert shared.memo(("dong son",), question) == 1
    assert shared.memo(("dong son",), question) == 1
    assert len(computed) == 1
    newcomer = [pid(21, BIRTH, 1), "Người mới", BIRTH.isoformat(), "1", "", "", DONG_SON, "Khu phố 3", "", "", ""]
    assert import_file(engine, "persons", write_csv(tmp_path / "new.csv", PERSON_HEADER, [newcomer])).ok
    assert shared.memo(("dong son",), question) == 2
    assert len(computed) == 2
