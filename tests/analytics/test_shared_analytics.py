"""The server's long-lived analytics database answers like a fresh connection, and sees an import
made after it was opened (on SQLite and PostgreSQL)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

from bhyt.analytics.coverage import coverage
from bhyt.analytics.engine import SharedAnalytics
from bhyt.ingest.service import import_file
from tests.analytics.test_coverage import BIRTH, D, DONG_SON, pid, registry  # noqa: F401  (the fixture)
from tests.conftest import write_csv
from tests.ingest.fixtures import PERSON_HEADER


def _dong_son(shared: SharedAnalytics):
    with shared.connection() as con:
        row = coverage(con, D, "commune", DONG_SON)[0]
    return row.population, row.insured, row.coverage_pct


def test_shared_analytics_sees_an_import_and_serves_threads(registry, tmp_path):  # noqa: F811
    shared = SharedAnalytics(registry)
    assert _dong_son(shared) == (1, 1, Decimal("100.00"))
    newcomer = [pid(20, BIRTH, 1), "Người mới", BIRTH.isoformat(), "1", "", "", DONG_SON, "Khu phố 3", "", "", ""]
    assert import_file(registry, "persons", write_csv(tmp_path / "new.csv", PERSON_HEADER, [newcomer])).ok
    assert _dong_son(shared) == (2, 1, Decimal("50.00"))
    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(lambda _: _dong_son(shared), range(32)))
    assert set(answers) == {(2, 1, Decimal("50.00"))}
