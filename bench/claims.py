"""Claims benchmark (issue 6): the ingest rate, and the rule catalogue on DuckDB over 10 M drug and
service lines, against the floor of a bare scan of the lake's columns the catalogue reads.

The data is built once and kept under data/bench/claims/ (data/ is gitignored); reruns reuse it:

1. `bhyt demo claims` writes --visits synthetic claims (default 30,000: about 243,000 XML2 and XML3
   lines, 1 % of the claims per rule carrying a labelled violation) for the demo province of the
   registry (data/bhyt.db; `bhyt demo` builds its 1.6 M people);
2. they are ingested into a small lake (parse and write, timed: the ingest rate), and the generator's
   approved prices and facility tiers are imported into it, as in
   tests/claims/test_rules_on_demo_claims.py;
3. the small lake is scaled to --lines lines by replicating every row: copy k has "-k" appended to
   MA_LK and to SO_CCCD, and the assessment's registry of persons is replicated the same way (card
   codes stay as they are; the rules match cards by code). No rule relates rows of two copies:
   episodes meet through MA_LK and SO_CCCD only. So copy k is the small lake relabelled, each rule
   finds exactly `copies` times its findings on the small lake, and every violation keeps its share
   of the claims; the benchmark fails when a rule's count differs.

Measured on each engine, DuckDB and Spark in local mode (bhyt.claims.spark_engine), wall time and, for
DuckDB, CPU time (it covers DuckDB's threads; Spark's run in its JVM; wall times swell on a loaded machine):
- the floor: one scan by the engine of xml1, xml2 and xml3 reading every column the catalogue touches
  (`assessment.read_columns`: the columns named in the rules' SQL and in the engine's own), hashing
  each value so none is skipped;
- the engine's setup (`prepare`: episodes and lines in scope, registry, reference lists; on Spark also
  the contract's views, the scope's claims cached in Spark's memory);
- each rule alone, and the catalogue: setup plus every rule.
The relabelled registry of persons is made outside the timed setup (it is the benchmark's, not the
engine's). Goals (issue 6): simple rules ≥ 50 M lines/s/core, duplicate and overlap rules ≥ 3 M
lines/s/core, the whole catalogue within 3× the floor. Per core: lines per second of wall time divided
by the engine's threads, and for DuckDB lines per second of CPU time (the figure a loaded machine does
not distort).

Usage: python bench/claims.py [--quick] [--visits 30000] [--lines 10000000] [--runs 1]
                              [--engines duckdb,spark] [--spark-memory 8g]
  --quick   a lake of 1 M lines instead of 10 M (the same small set).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import time
from collections import Counter, defaultdict
from contextlib import ExitStack
from pathlib import Path

from bhyt.analytics.engine import attach_db, new_connection, plain_url
from bhyt.claims import assessment
from bhyt.claims.assessment import Scope, create_findings, prepare, read_columns, run_rule
from bhyt.claims.catalogue import load_catalogue
from bhyt.claims.lake import MANIFEST, ClaimsLake, dataset_name, schema
from bhyt.claims.reference import APPROVED_PRICES, FACILITY_TIERS, REFERENCE_DIR, import_reference
from bhyt.cli.common import progress
from bhyt.config import data_dir
from bhyt.demo.claims import FACILITIES_FILE, PRICES_FILE, write_demo_claims
from bhyt.ingest.claims_service import ingest_claims
from bhyt.store.db import default_engine

BENCH_DIR = data_dir() / "bench" / "claims"
LINE_TABLES = ("XML2", "XML3")
SCANNED = ("XML1", "XML2", "XML3")  # the tables the generator writes and the rules read
SLOW_RULES = {"DUPLICATE_LINE", "OVERLAP_STAY"}  # the "duplicate and overlap rules"
SIMPLE_GOAL, SLOW_GOAL, CATALOGUE_GOAL = 50e6, 3e6, 3.0  # lines/s/core, lines/s/core, × floor
# The engine keeps the claims in scope in memory; past this DuckDB spills to BENCH_DIR/spill.
MEMORY_LIMIT = "8GB"


def timed(work) -> tuple[float, float, object]:
    wall, cpu = time.perf_counter(), time.process_time()
    result = work()
    return time.perf_counter() - wall, time.process_time() - cpu, result


def build_small_lake(engine, visits: int) -> tuple[ClaimsLake, dict]:
    """The generated claims ingested, with their reference lists; its ingest figures (kept beside it)."""
    folder = BENCH_DIR / f"visits_{visits}"
    lake = ClaimsLake(folder / "lake")
    figures_path = folder / "ingest.json"
    if figures_path.exists():
        return lake, json.loads(figures_path.read_text())
    xml = folder / "xml"
    if not xml.exists():  # the generator writes its folder whole or not at all
        with progress() as bar:
            task = bar.add_task("bhyt demo claims", total=1.0)
            summary = write_demo_claims(engine, visits, xml, progress=lambda step, done: bar.update(
                task, description=f"bhyt demo claims: {step}", completed=done))
        print(f"Generated {summary.claims:,} claims, {summary.lines:,} lines in {summary.seconds:.0f} s")
    shutil.rmtree(lake.root, ignore_errors=True)  # what an interrupted run left
    sizes = {path: path.stat().st_size for path in xml.glob("*.xml")}
    with progress() as bar:
        task = bar.add_task("Ingest", total=len(sizes))
        done = set()

        def step(file: Path, _read: int, _claims: int) -> None:
            done.add(file)
            bar.update(task, completed=len(done))

        wall, cpu, report = timed(lambda: ingest_claims([xml], lake, progress=step))
    if report.errors:
        raise SystemExit(f"The generated claims did not ingest cleanly: {report.errors[:3]}")
    import_reference(APPROVED_PRICES, xml / PRICES_FILE, lake.root)
    import_reference(FACILITY_TIERS, xml / FACILITIES_FILE, lake.root)
    figures = {"claims": report.claims_kept, "lines": report.lines_kept, "bytes": sum(sizes.values()),
               "files": len(sizes), "wall": wall, "cpu": cpu, "measured": time.strftime("%Y-%m-%d %H:%M UTC",
                                                                                          time.gmtime())}
    figures_path.write_text(json.dumps(figures))
    return lake, figures


def line_count(lake: ClaimsLake) -> int:
    con = new_connection()
    try:
        lake.register(con)
        return sum(con.execute(f"SELECT count(*) FROM {dataset_name(table)}").fetchone()[0] for table in LINE_TABLES)
    finally:
        con.close()


def scale_lake(small: ClaimsLake, copies: int) -> ClaimsLake:
    """The small lake with every row `copies` times, relabelled per copy; built once, in the lake's
    layout (one file per table, month and facility, listed in its manifest)."""
    target = BENCH_DIR / f"{small.root.parent.name}_x{copies}"
    if (target / MANIFEST).exists():
        return ClaimsLake(target)
    building = target.with_name(target.name + ".building")
    shutil.rmtree(building, ignore_errors=True)
    building.mkdir(parents=True)
    manifest = small.manifest()
    con = new_connection()
    try:
        with progress() as bar:
            task = bar.add_task(f"Scaling the lake ×{copies}", total=sum(len(files) for files in manifest.values()))
            datasets = {}
            for table in SCANNED:
                name = dataset_name(table)
                relabelled = {"ma_lk", "so_cccd"}
                columns = ", ".join(f"{column} || '-' || k AS {column}" if column in relabelled else column
                                    for column in schema(table).names)
                by_partition = defaultdict(list)
                for relative in manifest[name]:
                    by_partition[str(Path(relative).parent)].append(small.root / relative)
                datasets[name] = []
                for partition, files in sorted(by_partition.items()):
                    relative = f"{partition}/part-x{copies}.parquet"
                    (building / partition).mkdir(parents=True, exist_ok=True)
                    sources = "[" + ", ".join(f"'{path}'" for path in files) + "]"
                    con.execute(f"COPY (SELECT {columns} FROM range({copies}) c(k), read_parquet({sources}) "
                                f"ORDER BY k, ma_lk) TO '{building / relative}' (FORMAT parquet)")
                    datasets[name].append(relative)
                    bar.advance(task, len(files))
    finally:
        con.close()
    shutil.copytree(small.root / REFERENCE_DIR, building / REFERENCE_DIR)
    (building / MANIFEST).write_text(json.dumps({"format": 1, "datasets": datasets}), encoding="utf-8")
    building.rename(target)
    return ClaimsLake(target)


def connect():
    con = new_connection()
    spill = BENCH_DIR / "spill"
    spill.mkdir(parents=True, exist_ok=True)
    con.execute(f"SET memory_limit = '{MEMORY_LIMIT}'")
    con.execute(f"SET temp_directory = '{spill}'")
    con.execute("SET enable_progress_bar = false")
    return con


def relabel_registry(con, database_url: str, copies: int) -> None:
    """The registry's persons of the scaled lake's claims, `copies` times, relabelled as the claims are."""
    attach_db(con, database_url)
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE registry_persons AS
        SELECT p.personal_id || '-' || c.k AS personal_id, p.birth_date, p.sex, p.death_date
        FROM db.persons p, range({copies}) c(k)
        WHERE p.personal_id IN (SELECT DISTINCT regexp_replace(so_cccd, '-[0-9]+$', '') FROM episodes)""")
    con.execute("DETACH db")


class DuckDBBench:
    """One connection holding the engine's setup over a lake; `copies` relabelled copies of the
    registry's persons when the lake is a scaled one. `copy_limit` replaces the engine's
    COPY_LIMIT_EPISODES (0: the lines are always read from the files; None: the engine's own)."""

    def __init__(self, lake: ClaimsLake, database_url: str, rules, copies: int | None,
                 copy_limit: int | None = None):
        self.rules, self.con = rules, connect()
        with ExitStack() as patched:
            if copy_limit is not None:
                patched.callback(setattr, assessment, "COPY_LIMIT_EPISODES", assessment.COPY_LIMIT_EPISODES)
                assessment.COPY_LIMIT_EPISODES = copy_limit
            self.setup_wall, self.setup_cpu, _ = timed(lambda: prepare(self.con, lake, database_url, Scope(), rules))
        if copies:
            relabel_registry(self.con, database_url, copies)
        copied = self.con.execute("SELECT count(*) FROM duckdb_tables() WHERE temporary "
                                  "AND table_name = 'drug_lines'").fetchone()[0]
        memory = self.con.execute("SELECT sum(memory_usage_bytes) FROM duckdb_memory() "
                                  "WHERE tag = 'IN_MEMORY_TABLE'").fetchone()[0]
        self.name = (f"DuckDB, lines {'copied into memory' if copied else 'read from the lake files'} "
                     f"(tables in memory {memory / 1e9:.1f} GB)")
        self.lines = self.con.execute("SELECT count(*) FROM lines").fetchone()[0]
        self.episodes = self.con.execute("SELECT count(*) FROM episodes").fetchone()[0]
        self.threads = int(self.con.execute("SELECT current_setting('threads')").fetchone()[0])
        create_findings(self.con)

    def floor(self, columns: dict[str, list[str]]) -> tuple[float, float | None]:
        def scan():
            for table in SCANNED:
                hashed = " + ".join(f"sum(hash({column}))::HUGEINT" for column in columns[table])
                self.con.execute(f"SELECT count(*), {hashed} FROM {dataset_name(table)}").fetchall()
        wall, cpu, _ = timed(scan)
        return wall, cpu

    def _run(self, rule) -> None:
        run_rule(self.con, rule)

    def run(self, rule, runs: int) -> tuple[float, float | None, int]:
        best = (float("inf"), 0.0)
        for _ in range(runs):
            self.con.execute("DELETE FROM findings WHERE rule_id = ?", [rule.id])
            wall, cpu, _ = timed(lambda: self._run(rule))
            best = min(best, (wall, cpu))
        found = self.con.execute("SELECT count(*) FROM findings WHERE rule_id = ?", [rule.id]).fetchone()[0]
        return best[0], self._cpu(best[1]), found

    def _cpu(self, cpu: float) -> float | None:
        return cpu

    def close(self) -> None:
        self.con.close()


class SparkBench(DuckDBBench):
    """The same over Spark in local mode: DuckDB chooses the claims in scope and makes the small tables,
    Spark runs the rules (bhyt.claims.spark_engine, as `bhyt claims assess --engine spark` does)."""

    name = "Spark local"

    def __init__(self, lake: ClaimsLake, database_url: str, rules, copies: int | None, memory: str):
        from bhyt.claims import spark_engine

        self.engine, self.rules, self.con = spark_engine, rules, connect()
        # A few shuffle partitions per core: Spark's 200 are meant for clusters, and on one machine
        # their tasks' overhead outweighs the work.
        self.spark = spark_engine.spark_session("local[*]", shuffle_partitions=4 * (os.cpu_count() or 1),
                                                driver_memory=memory)
        self.threads = self.spark.sparkContext.defaultParallelism
        self._views = ExitStack()
        prepare_wall, _, _ = timed(lambda: prepare(self.con, lake, database_url, Scope(), rules, materialized=False))
        if copies:
            relabel_registry(self.con, database_url, copies)

        def views() -> None:
            self._views.enter_context(spark_engine.contract_on_spark(self.spark, self.con, lake))
            for name in ("episodes", "drug_lines", "service_lines"):  # cached on first use
                self.spark.table(name).count()

        views_wall, _, _ = timed(views)
        self.setup_wall, self.setup_cpu = prepare_wall + views_wall, None
        self.lines = self.spark.table("lines").count()
        self.episodes = self.spark.table("episodes").count()
        create_findings(self.con)

    def floor(self, columns: dict[str, list[str]]) -> tuple[float, float | None]:
        from pyspark.sql import functions as F

        def scan():
            for table in SCANNED:
                hashed = [F.sum(F.hash(column)) for column in columns[table]]
                self.spark.table(dataset_name(table)).agg(F.count(F.lit(1)), *hashed).collect()
        wall, _, _ = timed(scan)
        return wall, None

    def _run(self, rule) -> None:
        self.engine.run_rule_on_spark(self.spark, self.con, rule)

    def _cpu(self, cpu: float) -> float | None:
        return None  # the work is the JVM's, not this process's

    def close(self) -> None:
        self._views.close()
        self.spark.stop()
        self.con.close()


def measure(bench, columns: dict[str, list[str]], runs: int, expected: Counter, copies: int, visits: int) -> list[str]:
    """The engine's table: floor, setup, each rule and the catalogue; the rules whose count is wrong."""
    floor_wall, floor_cpu = min(bench.floor(columns) for _ in range(runs))
    lines, threads = bench.lines, bench.threads
    print(f"\n{bench.name}: {bench.episodes:,} episodes, {lines:,} lines (×{copies} of {visits:,} visits); "
          f"{threads} threads; load average {' '.join(f'{x:.1f}' for x in _load())}")
    print(f"{'':22} {'findings':>9} {'wall s':>7} {'cpu s':>7} {'M lines/s':>9} {'/core':>7} {'/cpu-s':>7} "
          f"{'× floor':>7}  goal (M lines/s/core)")

    def row(name, found, wall, cpu, goal=""):
        cpu_text = f"{cpu:>7.2f}" if cpu is not None else f"{'—':>7}"
        per_cpu = f"{lines / cpu / 1e6 if cpu else float('inf'):>7.1f}" if cpu is not None else f"{'—':>7}"
        print(f"{name:22} {found:>9} {wall:>7.2f} {cpu_text} {lines / wall / 1e6:>9.1f} "
              f"{lines / wall / threads / 1e6:>7.1f} {per_cpu} {wall / floor_wall:>7.1f}  {goal}", flush=True)

    row("floor (bare scan)", "", floor_wall, floor_cpu)
    row("engine setup", "", bench.setup_wall, bench.setup_cpu)
    with progress() as bar:
        task = bar.add_task(f"Rules on {bench.name}", total=len(bench.rules))
        results = []
        for rule in bench.rules:
            bar.update(task, description=f"{bench.name}: {rule.id}")
            results.append((rule, *bench.run(rule, runs)))
            bar.advance(task)
    total_wall, total_cpu, wrong = bench.setup_wall, bench.setup_cpu, []
    for rule, wall, cpu, found in results:
        total_wall += wall
        total_cpu = None if total_cpu is None else total_cpu + cpu
        goal = SLOW_GOAL if rule.id in SLOW_RULES else SIMPLE_GOAL
        reached = "met" if lines / wall / threads >= goal else "not met"
        row(rule.id, f"{found:,}", wall, cpu, f"≥ {goal / 1e6:.0f}: {reached}")
        if found != expected[rule.id]:
            wrong.append(f"{bench.name} {rule.id}: {found:,} findings, {expected[rule.id]:,} expected")
    ratio = total_wall / floor_wall
    cpu_ratio = f", CPU {total_cpu / floor_cpu:.1f}×" if total_cpu is not None else ""
    row("catalogue (setup+all)", "", total_wall, total_cpu,
        f"within {CATALOGUE_GOAL:.0f}× floor: {'met' if ratio <= CATALOGUE_GOAL else 'not met'} ({ratio:.1f}×"
        f"{cpu_ratio})")
    return wrong


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--visits", type=int, default=30_000)
    parser.add_argument("--lines", type=int, default=10_000_000)
    parser.add_argument("--quick", action="store_true", help="1 M lines instead of --lines")
    parser.add_argument("--runs", type=int, default=1, help="best of this many runs per rule and for the floor")
    parser.add_argument("--engines", default="duckdb,spark",
                        help="comma-separated: duckdb (the lines copied or not, as the engine decides), "
                             "duckdb-copied or duckdb-files (either way, forced), spark")
    parser.add_argument("--spark-memory", default="8g", help="Spark's driver memory (all it has in local mode)")
    args = parser.parse_args()
    wanted_lines = 1_000_000 if args.quick else args.lines
    engines = [name.strip() for name in args.engines.split(",") if name.strip()]
    copy_limits = {"duckdb": None, "duckdb-copied": 2 ** 62, "duckdb-files": 0}
    unknown = set(engines) - {*copy_limits, "spark"}
    if unknown:
        parser.error(f"unknown engines: {', '.join(sorted(unknown))}")

    engine = default_engine()
    database_url = plain_url(engine)
    rules = load_catalogue()
    small, ingest = build_small_lake(engine, args.visits)
    print(f"Ingest of {ingest['files']:,} envelopes ({ingest['bytes'] / 1e6:,.0f} MB), parse and write, measured "
          f"{ingest['measured']}: {ingest['claims']:,} claims, {ingest['lines']:,} lines in {ingest['wall']:.1f} s "
          f"wall ({ingest['cpu']:.1f} s CPU): {ingest['claims'] / ingest['wall']:,.0f} claims/s, "
          f"{ingest['lines'] / ingest['wall']:,.0f} lines/s wall; {ingest['lines'] / ingest['cpu']:,.0f} lines/CPU-s")

    copies = max(1, round(wanted_lines / line_count(small)))
    scaled = scale_lake(small, copies)

    # The share check: each rule's findings on the scaled lake are `copies` times those on the small one.
    base = DuckDBBench(small, database_url, rules, None)
    expected = Counter({rule.id: base.run(rule, 1)[2] * copies for rule in rules})
    base.close()

    columns = read_columns(rules)
    print("Columns the catalogue touches: " + "; ".join(f"{t} {len(c)}/{len(schema(t))}" for t, c in columns.items()))
    wrong = []
    for name in engines:
        bench = (SparkBench(scaled, database_url, rules, copies, args.spark_memory) if name == "spark"
                 else DuckDBBench(scaled, database_url, rules, copies, copy_limits[name]))
        try:
            wrong += measure(bench, columns, args.runs, expected, copies, args.visits)
        finally:
            bench.close()
    print(f"Load average after: {' '.join(f'{x:.1f}' for x in _load())}")
    if wrong:
        raise SystemExit("The scaled lake does not keep the violation shares: " + "; ".join(wrong))


def _load() -> tuple[float, float, float]:
    return os.getloadavg()


if __name__ == "__main__":
    main()
