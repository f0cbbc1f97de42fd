"""The catalogue on Apache Spark (local mode) gives the DuckDB engine's findings, on the synthetic claims."""

from __future__ import annotations

import os
import shutil

import pytest

from bhyt.claims.catalogue import load_catalogue

pytestmark = pytest.mark.skipif(shutil.which("java") is None,
                                reason="Spark needs Java (`make test` installs openjdk-17-jre-headless)")


@pytest.fixture(scope="session")
def spark():
    from bhyt.claims.spark_engine import spark_session

    # The JVM's quick compiler only, and one garbage-collector thread: on this small set the optimising
    # compiler costs more than it wins back (a fifth of the test's time).
    options = f"{os.environ.get('JAVA_TOOL_OPTIONS', '')} -XX:TieredStopAtLevel=1 -XX:+UseSerialGC".strip()
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("JAVA_TOOL_OPTIONS", options)
        session = spark_session("local[2]", shuffle_partitions=2)
    yield session
    session.stop()


def _compared(assessment):
    return [(f.rule_id, f.ma_lk, f.bang, f.stt, f.amount_at_risk, f.explanation) for f in assessment.findings]


def test_spark_finds_what_duckdb_finds_for_the_whole_catalogue(spark, demo_claims, demo_assessment) -> None:
    from bhyt.claims.spark_engine import assess_on_spark

    rules = load_catalogue()
    on_duckdb = demo_assessment
    on_spark = assess_on_spark(spark, demo_claims.lake, demo_claims.database_url, rules)
    assert {f.rule_id for f in on_duckdb.findings} == {rule.id for rule in rules}
    assert _compared(on_spark) == _compared(on_duckdb)
    assert on_spark.findings == on_duckdb.findings
    assert on_spark.summary == on_duckdb.summary
    assert (on_spark.episodes, on_spark.lines) == (on_duckdb.episodes, on_duckdb.lines)
