"""The assessment engine: every rule of the catalogue run as SQL in DuckDB over the claims lake and
the system of record, one row per finding.

The rule SQL contract. A rule's SQL is one SELECT returning the columns
``ma_lk, bang, stt, amount_at_risk, explanation``:

- ``bang`` is 'XML1' for a finding on the episode (``stt`` NULL), 'XML2' or 'XML3' for one on a line
  (``stt`` its STT);
- ``amount_at_risk`` is what the fund would pay wrongly, DECIMAL ≥ 0;
- ``explanation`` is Vietnamese and names the fields and values that triggered the finding;
- ``ma_lk`` must be an episode of the asked scope (others are dropped).

It can read, on one connection:

- ``episodes``, ``drug_lines``, ``service_lines``: XML1, XML2, XML3 rows of the episodes in scope
  (discharge date NGAY_RA in the period, the facility asked), fields in lower case: those fields that
  some rule of the catalogue names (``read_columns``);
- ``lines``: the drug and service lines together: ma_lk, bang, stt, code (MA_THUOC; MA_VAT_TU, else
  MA_DICH_VU), name, ma_nhom, so_luong, don_gia (DON_GIA; DON_GIA_BH, else DON_GIA_BV), tyle_tt_bh,
  thanh_tien_bv, thanh_tien_bh, muc_huong, t_nguonkhac, t_bntt, t_bncct, t_bhtt, ngay_yl, ngay_th_yl,
  lieu_dung (XML2 only), ma_dich_vu, ma_vat_tu;
- ``diagnoses``: ma_lk, code (as written), code_norm (upper case, no dot), category (its first three
  characters), main (MA_BENH_CHINH) or not (one of MA_BENH_KT); ``diagnosis_keys`` (ma_lk, code, main,
  key): each diagnosis once by category and once by code_norm, to join the ICD-10 lists on;
- ``xml1`` … ``xml5``: the whole lake (for history across periods and facilities);
- ``registry_persons(personal_id, birth_date, sex, death_date)`` and ``registry_cards(personal_id,
  card_code, bhxh_number, participant_code, benefit_level, valid_from, valid_to)`` from the system of
  record, for the people and card codes of the claims in scope;
- ``benefit_rates(level, rate)``, ``base_salaries(amount, effective_from, effective_to)``,
  ``approved_prices``, ``facility_tiers`` (bhyt.claims.reference; empty until imported),
  ``icd_limits``, ``long_prescription_allowed`` (bhyt.claims.reference_icd);
- ``params``: one row of the parameters below;
- the macro ``masked_cards(text)``: card codes (';'-separated) as an explanation may show them, the
  participant type, level and province kept and the BHXH number masked as bhyt.masking does
  ("GD4797920000123" → "GD479792*****23").
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import duckdb
import pyarrow as pa

from bhyt.analytics.engine import new_connection
from bhyt.claims import registry_source
from bhyt.claims.catalogue import Rule
from bhyt.claims.lake import PARTITIONS, ClaimsLake, dataset_name, partitions_of, schema
from bhyt.claims.reference import APPROVED_PRICES, FACILITY_TIERS, register_reference
from bhyt.claims.reference_icd import icd_limits, long_prescription_allowed
from bhyt.domain.legal_data import read_table
from bhyt.domain.participants import BENEFIT_RATES

# Parameters the rules read from `params`. UNCERTAIN values stay here, one place to change them.
PARAMETERS = {
    # Levels 3 and 4 are paid in full when a visit costs less than this share of the base salary
    # (Luật BHYT Điều 22 khoản 1; brief §1.3).
    "low_cost_share": Decimal("0.15"),
    # XML1 totals may differ from the sums of the lines by rounding: at most this many đồng.
    "totals_tolerance": Decimal("1"),
    # Longest outpatient prescription outside the allowed diseases, in days (TT 26/2025; brief §7.3).
    "max_prescription_days": 30,
    # Tier of the facilities where levels 3 and 4 are paid in full (brief §1.3: "at commune level").
    "full_benefit_tier": "ban_dau",
}
CONTRACT = ("ma_lk", "bang", "stt", "amount_at_risk", "explanation")
# Past this many episodes in scope (about 8 M lines) the rules read the lines from the lake's files
# instead of a copy in memory. Measured on 10 M lines, both take the same time (the copy costs what the
# rules then save), but the copy holds 3.3 GB against 0.4 GB; on 1 M lines in 3,000 small files the copy
# is a quarter faster, as every rule would open every file again.
COPY_LIMIT_EPISODES = 1_000_000
# The claim tables an assessment copies the scope of: episodes, drug lines, service lines.
SCOPED_TABLES = ("XML1", "XML2", "XML3")
_WORD = re.compile(r"[a-z_][a-z0-9_]*")


def period_text(first: date | None, last: date | None) -> str:
    """The period of an assessment as its files' titles name it."""
    if first and last:
        return f"ra viện từ {first:%d/%m/%Y} đến {last:%d/%m/%Y}"
    if first:
        return f"ra viện từ {first:%d/%m/%Y}"
    if last:
        return f"ra viện đến {last:%d/%m/%Y}"
    return "mọi hồ sơ trong kho"


class AssessmentError(RuntimeError):
    """The assessment cannot run; the message says why, in Vietnamese."""


class RuleError(AssessmentError):
    """A rule whose SQL breaks the contract or fails; the message names the rule."""


@dataclass(frozen=True)
class Scope:
    first: date | None = None  # discharge date NGAY_RA from
    last: date | None = None  # … to, inclusive
    facility: str | None = None
    ma_lk: str | None = None  # one claim only (checking a decision against its finding)
    # Only facilities whose MA_CSKCB starts with one of these pre-2025 province codes (a province's
    # assessors; see bhyt.claims.facility_province). Empty: every facility.
    prefixes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Finding:
    ma_lk: str
    rule_id: str
    severity: str
    amount_at_risk: Decimal
    explanation: str
    facility: str
    month: str
    bang: str
    stt: int | None
    ma_bn: str | None
    ngay_vao: object
    ngay_ra: object
    item_code: str | None
    item_name: str | None
    decision: str | None  # 'accept', 'reject' or None
    decision_reason: str | None


@dataclass(frozen=True)
class Summary:
    facility: str
    rule_id: str
    findings: int
    amount_at_risk: Decimal


@dataclass(frozen=True)
class Assessment:
    rules: list[Rule]
    episodes: int
    lines: int
    findings: list[Finding]
    summary: list[Summary]
    seconds_by_rule: dict[str, float]


def assess(lake: ClaimsLake, database_url: str, rules: list[Rule], scope: Scope = Scope()) -> Assessment:
    """Run `rules` over the claims of `scope`; findings sorted by facility, claim, rule and line."""
    con = new_connection()
    try:
        prepare(con, lake, database_url, scope, rules)
        create_findings(con)
        seconds = {}
        for rule in rules:
            started = time.perf_counter()
            run_rule(con, rule)
            seconds[rule.id] = time.perf_counter() - started
        return collect(con, rules, seconds)
    finally:
        con.close()


def create_findings(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("""CREATE TEMP TABLE findings (rule_id VARCHAR, ma_lk VARCHAR, bang VARCHAR, stt BIGINT,
                                               amount_at_risk DECIMAL(18, 2), explanation VARCHAR)""")


def collect(con: duckdb.DuckDBPyConnection, rules: list[Rule], seconds: dict[str, float]) -> Assessment:
    """The Assessment of the rows in `findings`: each with its episode, line and decision; the summary."""
    _register_rules(con, rules)
    findings = [Finding(*row) for row in con.execute(_FINDINGS_SQL).fetchall()]
    summary = [Summary(*row) for row in con.execute(_SUMMARY_SQL).fetchall()]
    episodes, lines = con.execute("SELECT (SELECT count(*) FROM episodes), (SELECT count(*) FROM lines)").fetchone()
    return Assessment(rules, episodes, lines, findings, summary, seconds)


def run_rule(con: duckdb.DuckDBPyConnection, rule: Rule) -> None:
    """Add the rule's findings to `findings`, checking its SQL keeps the contract."""
    try:
        columns = [row[0] for row in con.execute(f"DESCRIBE SELECT * FROM ({rule.sql})").fetchall()]
    except duckdb.Error as problem:
        raise RuleError(f"Quy tắc {rule.id}: câu SQL lỗi: {problem}") from None
    if tuple(columns) != CONTRACT:
        raise RuleError(f"Quy tắc {rule.id}: câu SQL phải trả về các cột {', '.join(CONTRACT)} "
                        f"(nhận được {', '.join(columns)}).")
    try:
        con.execute(f"""
            INSERT INTO findings
            SELECT '{rule.id}', f.ma_lk, f.bang, CAST(f.stt AS BIGINT), CAST(f.amount_at_risk AS DECIMAL(18, 2)),
                   f.explanation
            FROM ({rule.sql}) f
            WHERE f.ma_lk IN (SELECT ma_lk FROM episodes)""")
    except duckdb.Error as problem:
        raise RuleError(f"Quy tắc {rule.id}: lỗi khi chạy: {problem}") from None
    check_findings(con, rule)


def check_findings(con: duckdb.DuckDBPyConnection, rule: Rule) -> None:
    """The rule's rows in `findings` keep the contract."""
    bad = con.execute(f"""SELECT ma_lk, bang, stt, amount_at_risk FROM findings WHERE rule_id = '{rule.id}'
                          AND (amount_at_risk IS NULL OR amount_at_risk < 0 OR explanation IS NULL
                               OR bang NOT IN ('XML1', 'XML2', 'XML3') OR (bang = 'XML1') <> (stt IS NULL))
                          LIMIT 1""").fetchone()
    if bad:
        raise RuleError(f"Quy tắc {rule.id}: kết quả sai hợp đồng (số tiền âm hoặc trống, thiếu giải thích, "
                        f"bảng hoặc STT không hợp lệ): {bad}.")


def prepare(con: duckdb.DuckDBPyConnection, lake: ClaimsLake, database_url: str, scope: Scope, rules: list[Rule],
            materialized: bool = True) -> None:
    """Every table and view the rule SQL contract names, on `con`, for `rules`. The lines of the scope
    are copied into memory up to COPY_LIMIT_EPISODES episodes, and are views over the lake past it or
    when not `materialized` (the Spark engine runs the rules and only looks findings up here)."""
    lake.register(con)
    tests = {"first": "CAST(ngay_ra AS DATE) >= $first", "last": "CAST(ngay_ra AS DATE) <= $last",
             "facility": "facility = $facility", "ma_lk": "ma_lk = $ma_lk",
             "prefixes": "list_contains($prefixes, left(facility, 2))"}
    values = {name: getattr(scope, name) for name in tests if getattr(scope, name)}
    where = " AND ".join(tests[name] for name in values) or "true"
    columns = read_columns(rules)
    # The rules order what they need ordered; copying in any order is a quarter faster.
    con.execute("SET preserve_insertion_order = false")
    # The rules reading the lake (xml1 … xml5) open the same partition files again: their footers are
    # read once (lake files never change in place; a write adds new ones).
    con.execute("SET parquet_metadata_cache = true")
    # A scope of some facilities reads only their partitions' files (the whole lake stays in xml1 … xml5).
    narrowed = scope.facility or scope.prefixes
    partitions = partitions_of(facility=scope.facility, prefixes=scope.prefixes)
    sources = {table: (lake.scan_sql(table, partitions) if narrowed else None) or dataset_name(table)
               for table in SCOPED_TABLES}
    con.execute(f"CREATE TEMP TABLE episodes AS SELECT {', '.join([*columns['XML1'], *PARTITIONS])} "
                f"FROM {sources['XML1']} WHERE {where}", values)
    copied = materialized and con.execute("SELECT count(*) FROM episodes").fetchone()[0] <= COPY_LIMIT_EPISODES
    for name, table in (("drug_lines", "XML2"), ("service_lines", "XML3")):
        # With no test, every claim of the lake is in scope: no need to look each line's claim up.
        in_scope = "ma_lk IN (SELECT ma_lk FROM episodes)" if values else "true"
        con.execute(f"CREATE TEMP {'TABLE' if copied else 'VIEW'} {name} AS SELECT {', '.join(columns[table])} "
                    f"FROM {sources[table]} WHERE {in_scope}")
    con.execute(f"CREATE TEMP VIEW lines AS {_LINES_SQL}")
    # Three rules read the diagnoses: each claim's codes are split and normalised once.
    for name in ("diagnoses", "diagnosis_keys"):
        con.execute(f"CREATE TEMP {'TABLE' if materialized else 'VIEW'} {name} AS {DERIVED[name]}")
    _register_registry(con, database_url)
    _register_parameters(con)
    create_masking_macros(con)
    for reference in (APPROVED_PRICES, FACILITY_TIERS):
        register_reference(con, reference, lake.root)
    for name, table in (("icd_limits", icd_limits()), ("long_prescription_allowed", long_prescription_allowed())):
        con.register(f"_{name}", table)
        con.execute(f"CREATE TEMP TABLE {name} AS SELECT * FROM _{name}")
        con.unregister(f"_{name}")


def read_columns(rules: list[Rule]) -> dict[str, list[str]]:
    """Per table of the scope (XML1, XML2, XML3), its fields that some rule or the engine names, as a
    word anywhere in its SQL: copying the scope's claims is most of an assessment's time, and the
    catalogue reads about a third of the fields. A field no SQL names cannot be read (`*` in a rule only
    passes on fields it names elsewhere), so the copy loses nothing."""
    words = set(_WORD.findall(" ".join([*_ENGINE_SQL, *(rule.sql for rule in rules)]).lower()))
    return {table: [name for name in schema(table).names if name in words] for table in SCOPED_TABLES}


_LINES_SQL = """
SELECT ma_lk, 'XML2' AS bang, stt, ma_thuoc AS code, ten_thuoc AS name, ma_nhom, so_luong, don_gia, tyle_tt_bh,
       thanh_tien_bv, thanh_tien_bh, muc_huong, t_nguonkhac, t_bntt, t_bncct, t_bhtt, ngay_yl, ngay_th_yl,
       lieu_dung, ma_dich_vu, NULL::VARCHAR AS ma_vat_tu
FROM drug_lines
UNION ALL
SELECT ma_lk, 'XML3', stt, coalesce(nullif(ma_vat_tu, ''), ma_dich_vu), coalesce(ten_vat_tu, ten_dich_vu), ma_nhom,
       so_luong, coalesce(don_gia_bh, don_gia_bv), tyle_tt_bh, thanh_tien_bv, thanh_tien_bh, muc_huong, t_nguonkhac,
       t_bntt, t_bncct, t_bhtt, ngay_yl, ngay_th_yl, NULL, ma_dich_vu, ma_vat_tu
FROM service_lines
"""

_DIAGNOSES_SQL = """
SELECT ma_lk, code, upper(replace(code, '.', '')) AS code_norm, left(upper(code), 3) AS category, main
FROM (
    SELECT ma_lk, trim(ma_benh_chinh) AS code, true AS main FROM episodes
    UNION ALL
    -- unnest stands alone in its SELECT: Spark, where it becomes explode, allows no generator inside trim.
    SELECT ma_lk, trim(code), false FROM (SELECT ma_lk, unnest(string_split(ma_benh_kt, ';')) AS code FROM episodes)
)
WHERE code IS NOT NULL AND code <> ''
"""

# What a list of ICD-10 codes (expanded to every code, no dot) is matched on: the code's category,
# or the code itself (for an entry that is a subcategory).
_DIAGNOSIS_KEYS_SQL = """
SELECT ma_lk, code, main, category AS key FROM diagnoses
UNION ALL
SELECT ma_lk, code, main, code_norm FROM diagnoses WHERE code_norm <> category
"""

# The contract's tables derived from the scope's, by the SELECT that makes each.
DERIVED = {"lines": _LINES_SQL, "diagnoses": _DIAGNOSES_SQL, "diagnosis_keys": _DIAGNOSIS_KEYS_SQL}


# The 10-digit BHXH number after the 5 characters of type, level and province: its first 3 and last 2
# digits shown, as bhyt.masking.mask shows a 10-digit number; another length is hidden but its ends.
_MACROS_SQL = """
CREATE TEMP MACRO masked_card(code) AS
    CASE WHEN length(code) = 15 THEN left(code, 8) || '*****' || right(code, 2)
         ELSE left(code, 1) || repeat('*', greatest(length(code) - 2, 0)) || right(code, 1) END;
CREATE TEMP MACRO masked_cards(codes) AS
    array_to_string(list_transform(string_split(codes, ';'), code -> masked_card(trim(code))), ';');
"""


def create_masking_macros(con: duckdb.DuckDBPyConnection) -> None:
    """The macros `masked_card(code)` and `masked_cards(codes)` on `con` (the card codes of a claim as
    explanations and pages show them)."""
    con.execute(_MACROS_SQL)


_CLAIM_KEYS_SQL = """
CREATE TEMP TABLE claim_people AS SELECT DISTINCT so_cccd AS personal_id FROM episodes WHERE so_cccd IS NOT NULL;
CREATE TEMP TABLE claim_cards AS
SELECT DISTINCT trim(unnest(string_split(ma_the_bhyt, ';'))) AS card_code FROM episodes WHERE ma_the_bhyt IS NOT NULL;
"""


def _register_registry(con: duckdb.DuckDBPyConnection, database_url: str) -> None:
    """The people and cards the claims in scope name, by ID number (SO_CCCD) or by card code, from the
    registry snapshot (bhyt.claims.registry_source); the decisions taken on their findings."""
    engine = registry_source.registry_engine(database_url)
    missing = registry_source.missing_tables(engine)
    if missing:
        raise AssessmentError(f"Thiếu bảng cần cho giám định ({', '.join(missing)}); hãy nâng cấp cơ sở dữ liệu "
                              f"bằng `bhyt init`.")
    con.execute(_CLAIM_KEYS_SQL)
    # Staged in tables, so that the people are read once and the ID numbers are joined on the few cards
    # picked, not the cards on every person: a quarter faster than one statement.
    with registry_source.attached_snapshot(con, engine, "registry"):
        con.execute("""CREATE TEMP TABLE _claim_holders AS
                       SELECT id, personal_id, birth_date, sex, death_date FROM registry.persons
                       WHERE personal_id IN (SELECT personal_id FROM claim_people)""")
        con.execute("""CREATE TEMP TABLE registry_persons AS
                       SELECT personal_id, birth_date, sex, death_date FROM _claim_holders""")
        con.execute("""CREATE TEMP TABLE _held_cards AS
                       SELECT person_id, card_code, bhxh_number, participant_code, benefit_level, valid_from, valid_to
                       FROM registry.cards
                       WHERE card_code IN (SELECT card_code FROM claim_cards)
                          OR person_id IN (SELECT id FROM _claim_holders)""")
        con.execute("""CREATE TEMP TABLE registry_cards AS
                       SELECT p.personal_id, h.card_code, h.bhxh_number, h.participant_code, h.benefit_level,
                              h.valid_from, h.valid_to
                       FROM _held_cards h JOIN registry.persons p ON p.id = h.person_id""")
    con.execute("DROP TABLE _claim_holders")
    con.execute("DROP TABLE _held_cards")
    # A national year holds tens of millions of decisions: a few claims' (one on the claim page) are
    # looked up, many claims' are read by the scanner and kept in DuckDB, never as Python rows.
    few = registry_source.LOOKED_UP_CLAIMS
    claims = [ma_lk for ma_lk, in con.execute("SELECT DISTINCT ma_lk FROM episodes LIMIT $limit",
                                              {"limit": few + 1}).fetchall()]
    if len(claims) <= few:
        con.register("_decisions", registry_source.recorded_decisions(engine, claims))
        con.execute("CREATE TEMP TABLE decisions AS SELECT ma_lk, rule_id, decision, reason FROM _decisions")
        con.unregister("_decisions")
    else:
        with registry_source.attached_database(con, engine, "recorded"):
            con.execute("""CREATE TEMP TABLE decisions AS
                           SELECT ma_lk, rule_id, decision, reason FROM recorded.claim_decisions
                           WHERE ma_lk IN (SELECT ma_lk FROM episodes)""")


def _register_parameters(con: duckdb.DuckDBPyConnection) -> None:
    levels = sorted(BENEFIT_RATES)
    con.register("_benefit_rates", pa.table({"level": levels, "rate": [BENEFIT_RATES[level] for level in levels]}))
    con.execute("CREATE TEMP TABLE benefit_rates AS SELECT level, CAST(rate AS DECIMAL(9, 2)) AS rate "
                "FROM _benefit_rates")
    salaries = read_table("base_salary")
    con.register("_base_salaries", pa.table({
        "amount": [Decimal(row["amount"]) for row in salaries],
        "effective_from": [date.fromisoformat(row["effective_from"]) for row in salaries],
        "effective_to": [date.fromisoformat(row["effective_to"]) if row["effective_to"] else None
                         for row in salaries]}))
    con.execute("CREATE TEMP TABLE base_salaries AS SELECT * FROM _base_salaries")
    con.register("_params", pa.table({name: [value] for name, value in PARAMETERS.items()}))
    con.execute("CREATE TEMP TABLE params AS SELECT * FROM _params")
    for name in ("_benefit_rates", "_base_salaries", "_params"):
        con.unregister(name)


def _register_rules(con: duckdb.DuckDBPyConnection, rules: list[Rule]) -> None:
    con.register("_rules", pa.table({
        "rule_id": [rule.id for rule in rules], "severity": [rule.severity_vi for rule in rules],
        "effective_from": [rule.effective_from for rule in rules],
        "effective_to": [rule.effective_to for rule in rules]}, schema=pa.schema([
            ("rule_id", pa.string()), ("severity", pa.string()), ("effective_from", pa.date32()),
            ("effective_to", pa.date32())])))
    con.execute("CREATE TEMP TABLE rules AS SELECT * FROM _rules")
    con.unregister("_rules")
    con.execute(_KEPT_SQL)


# A rule applies to the episodes discharged while it is in effect.
_KEPT_SQL = """
CREATE TEMP TABLE kept AS
SELECT f.*, r.severity, e.facility, e.month, e.ma_bn, e.ngay_vao, e.ngay_ra
FROM findings f JOIN rules r USING (rule_id) JOIN episodes e USING (ma_lk)
WHERE CAST(e.ngay_ra AS DATE) >= r.effective_from
  AND (r.effective_to IS NULL OR CAST(e.ngay_ra AS DATE) <= r.effective_to)
"""


_FINDINGS_SQL = """
SELECT k.ma_lk, k.rule_id, k.severity, k.amount_at_risk, k.explanation, k.facility, k.month, k.bang, k.stt,
       k.ma_bn, k.ngay_vao, k.ngay_ra, l.code, l.name, d.decision, d.reason
FROM kept k
LEFT JOIN lines l ON l.ma_lk = k.ma_lk AND l.bang = k.bang AND l.stt = k.stt
LEFT JOIN decisions d ON d.ma_lk = k.ma_lk AND d.rule_id = k.rule_id
ORDER BY k.facility, k.ma_lk, k.rule_id, k.bang, k.stt NULLS FIRST
"""

_SUMMARY_SQL = """
SELECT facility, rule_id, count(*) AS findings, sum(amount_at_risk) AS amount_at_risk
FROM kept GROUP BY facility, rule_id ORDER BY facility, rule_id
"""

# The engine's own SQL over the scope's tables: the columns it names are copied whatever the rules.
_ENGINE_SQL = (_LINES_SQL, _DIAGNOSES_SQL, _CLAIM_KEYS_SQL, _KEPT_SQL, _FINDINGS_SQL, _SUMMARY_SQL)
