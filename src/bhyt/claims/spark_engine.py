"""The assessment on Apache Spark: the same catalogue over the same lake, for volumes past one machine.

Spark reads the lake's Parquet files (those the manifest lists, with their month and facility folders)
and runs every rule, its SQL transpiled from DuckDB's dialect to Spark's by SQLGlot: the rules stay
written once, in SQL both engines run alike. The small tables the rules join (the people and cards of the
claims in scope from the system of record, the parameters, the imported reference lists, the ICD-10
lists) and the episodes in scope are chosen by the DuckDB engine's own code and handed to Spark as Arrow
tables; the contract's macros become Spark SQL functions. The findings come back to DuckDB, which checks
the contract and joins each finding to its episode, line and decision as the DuckDB engine does: both
engines return the same Assessment.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pyarrow as pa
import sqlglot
from pyspark.errors import PySparkException
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from sqlglot import exp

from bhyt.analytics.engine import new_connection
from bhyt.claims import assessment
from bhyt.claims.assessment import CONTRACT, Assessment, RuleError, Scope
from bhyt.claims.catalogue import Rule
from bhyt.claims.lake import PARTITIONS, ClaimsLake, dataset_name, schema
from bhyt.claims.tables import TABLES

# Built in DuckDB (small, or read from the system of record) and copied to Spark.
SMALL_TABLES = ("registry_persons", "registry_cards", "benefit_rates", "base_salaries", "params",
                "approved_prices", "facility_tiers", "icd_limits", "long_prescription_allowed")

LOG_CONFIG = Path(__file__).with_name("spark_log4j2.properties")
SESSION_CONFIG = {
    # The lake's timestamps are local times without a zone (TIMESTAMP_NTZ); dates print as written.
    "spark.sql.session.timeZone": "UTC",
    # Facility codes and months are text: "01001" must not become the number 1001.
    "spark.sql.sources.partitionColumnTypeInference.enabled": "false",
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    "spark.driver.extraJavaOptions": f"-Dlog4j2.configurationFile={LOG_CONFIG}",
}


def spark_session(master: str = "local[*]", shuffle_partitions: int | None = None,
                  driver_memory: str | None = None) -> SparkSession:
    """A session on `master` (local threads, or a cluster's URL), quiet on the terminal. In local mode
    the driver's memory (Spark's default 1g) is all the executors have."""
    builder = SparkSession.builder.master(master).appName("bhyt-giam-dinh")
    for key, value in SESSION_CONFIG.items():
        builder = builder.config(key, value)
    if shuffle_partitions:
        builder = builder.config("spark.sql.shuffle.partitions", str(shuffle_partitions))
    if driver_memory:
        builder = builder.config("spark.driver.memory", driver_memory)
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def to_spark_sql(sql: str) -> str:
    """A DuckDB SELECT (or CREATE VIEW) in Spark SQL."""
    return sqlglot.transpile(sql, read="duckdb", write="spark")[0]


def assess_on_spark(spark: SparkSession, lake: ClaimsLake, database_url: str, rules: list[Rule],
                    scope: Scope = Scope()) -> Assessment:
    """`bhyt.claims.assessment.assess` with the rules run by Spark: the same findings, in the same order."""
    con = new_connection()
    try:
        assessment.prepare(con, lake, database_url, scope, rules, materialized=False)
        assessment.create_findings(con)
        with contract_on_spark(spark, con, lake):
            seconds = {}
            for rule in rules:
                started = time.perf_counter()
                run_rule_on_spark(spark, con, rule)
                seconds[rule.id] = time.perf_counter() - started
        return assessment.collect(con, rules, seconds)
    finally:
        con.close()


@contextmanager
def contract_on_spark(spark: SparkSession, con: duckdb.DuckDBPyConnection, lake: ClaimsLake) -> Iterator[None]:
    """Every table and view of the rule SQL contract on `spark`, for the claims in scope on `con` (made
    by assessment.prepare); dropped on leaving."""
    cached: list[DataFrame] = []
    try:
        cached = _register_views(spark, con, lake)
        yield
    finally:
        for frame in cached:
            frame.unpersist()
        for name in (*(dataset_name(table) for table in TABLES), "episodes", "drug_lines", "service_lines",
                     *assessment.DERIVED, *SMALL_TABLES):
            spark.catalog.dropTempView(name)


def run_rule_on_spark(spark: SparkSession, con: duckdb.DuckDBPyConnection, rule: Rule) -> None:
    """Add the rule's findings, found by Spark, to `findings` on `con`, checking they keep the contract."""
    con.register("_found", _run_rule(spark, rule).toArrow())
    con.execute("INSERT INTO findings SELECT * FROM _found")
    con.unregister("_found")
    assessment.check_findings(con, rule)


def _run_rule(spark: SparkSession, rule: Rule) -> DataFrame:
    """The rule's findings as the `findings` table's columns, for the episodes in scope."""
    try:
        found = spark.sql(to_spark_sql(rule.sql))
    except (sqlglot.errors.SqlglotError, PySparkException) as problem:
        raise RuleError(f"Quy tắc {rule.id}: câu SQL lỗi trên Spark: {problem}") from None
    if tuple(found.columns) != CONTRACT:
        raise RuleError(f"Quy tắc {rule.id}: câu SQL phải trả về các cột {', '.join(CONTRACT)} "
                        f"(nhận được {', '.join(found.columns)}).")
    return (found.join(spark.table("episodes").select("ma_lk"), "ma_lk", "left_semi")
            .select(F.lit(rule.id).alias("rule_id"), "ma_lk", "bang", F.col("stt").cast("bigint").alias("stt"),
                    F.col("amount_at_risk").cast("decimal(18,2)").alias("amount_at_risk"), "explanation"))


def _register_views(spark: SparkSession, con: duckdb.DuckDBPyConnection, lake: ClaimsLake) -> list[DataFrame]:
    """Every table and view of the rule SQL contract as a Spark temp view; returns those cached."""
    for table in TABLES:
        _read_dataset(spark, lake, table).createOrReplaceTempView(dataset_name(table))
    # The episodes in scope are those DuckDB chose: one definition of the scope for both engines.
    in_scope = spark.createDataFrame(con.execute("SELECT ma_lk FROM episodes").to_arrow_table())
    # Every rule reads them: kept in the executors' memory (spilling to disk) for the assessment.
    episodes = spark.table("xml1").join(in_scope, "ma_lk", "left_semi").cache()
    episodes.createOrReplaceTempView("episodes")
    cached = [episodes]
    for name, table in (("drug_lines", "xml2"), ("service_lines", "xml3")):
        lines = spark.table(table).join(episodes.select("ma_lk"), "ma_lk", "left_semi").cache()
        lines.createOrReplaceTempView(name)
        cached.append(lines)
    # The derived tables of the contract, defined once in DuckDB SQL and transpiled like the rules.
    for name, sql in assessment.DERIVED.items():
        spark.catalog.dropTempView(name)  # the statement is CREATE, not CREATE OR REPLACE
        spark.sql(to_spark_sql(f"CREATE TEMP VIEW {name} AS {sql}"))
    for name in ("diagnoses", "diagnosis_keys"):  # three rules read them: split once, as DuckDB does
        spark.catalog.cacheTable(name)
    for statement in spark_functions(assessment._MACROS_SQL):
        spark.sql(statement)
    for name in SMALL_TABLES:
        spark.createDataFrame(con.execute(f"SELECT * FROM {name}").to_arrow_table()).createOrReplaceTempView(name)
    return cached


def _read_dataset(spark: SparkSession, lake: ClaimsLake, table: str) -> DataFrame:
    """The dataset's listed files with their partition columns, in the lake's column order."""
    columns = [*schema(table).names, *PARTITIONS]
    files = lake.files(table)
    if not files:
        empty = schema(table)
        for partition in PARTITIONS:
            empty = empty.append(pa.field(partition, pa.string()))
        return spark.createDataFrame(empty.empty_table()).select(*columns)
    base = str(lake.root / dataset_name(table))
    return spark.read.option("basePath", base).parquet(*(str(path) for path in files)).select(*columns)


# One macro: name, parameters, body up to the ';' that ends the statement (not one inside a literal).
_MACRO = re.compile(r"CREATE TEMP MACRO (\w+)\(([^)]*)\) AS\s+(.*?);\s*(?=CREATE|\Z)", re.DOTALL)


def spark_functions(macros_sql: str) -> list[str]:
    """The contract's DuckDB macros as Spark SQL functions. Spark allows no SQL function inside a lambda
    (as masked_cards calls masked_card), so a macro's calls of earlier macros are inlined. The macros
    take and give text."""
    bodies: dict[str, tuple[list[str], exp.Expression]] = {}
    statements = []
    for name, parameters, body in _MACRO.findall(macros_sql):
        names = [parameter.strip() for parameter in parameters.split(",")]
        expression = sqlglot.parse_one(body, read="duckdb").transform(lambda node: _inlined(node, bodies))
        bodies[name.lower()] = (names, expression)
        typed = ", ".join(f"{parameter} STRING" for parameter in names)
        statements.append(f"CREATE OR REPLACE TEMPORARY FUNCTION {name}({typed}) RETURNS STRING "
                          f"RETURN {expression.sql(dialect='spark')}")
    return statements


def _inlined(node: exp.Expression, bodies: dict[str, tuple[list[str], exp.Expression]]) -> exp.Expression:
    """A call of a known macro replaced by its body, its parameters by the call's arguments."""
    if not isinstance(node, exp.Anonymous) or node.name.lower() not in bodies:
        return node
    names, body = bodies[node.name.lower()]
    arguments = dict(zip(names, node.expressions))
    return body.copy().transform(
        lambda part: arguments[part.name].copy() if isinstance(part, exp.Column) and part.name in arguments else part)
