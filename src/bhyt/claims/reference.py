"""Reference lists imported beside the claims lake: the facilities' approved prices (for
PRICE_ABOVE_APPROVED) and the facilities' tiers (for BENEFIT_MISMATCH).

Each import reads the whole CSV, checks every row in one DuckDB pass (errors carry the row number
and the reason in Vietnamese), and replaces its Parquet file under `<lake>/reference/` atomically:
a rejected file leaves the previous list as it was.
"""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass
from pathlib import Path

import duckdb

from bhyt.analytics.engine import new_connection

REFERENCE_DIR = "reference"
ERRORS_KEPT = 50


@dataclass(frozen=True)
class ReferenceList:
    name: str  # the Parquet file's stem and the engine's table name
    title: str  # Vietnamese, for messages
    columns: tuple[str, ...]  # the CSV header, in order
    typed: str  # SELECT list turning the text columns of `raw` into typed ones
    checks: tuple[tuple[str, str], ...]  # (SQL condition on `raw` true for a bad row, reason)
    key: tuple[str, ...]  # rows with the same key must not overlap in time (tu_ngay … den_ngay) or repeat


def _date(column: str) -> str:
    return f"coalesce(try_strptime({column}, '%Y-%m-%d'), try_strptime({column}, '%Y%m%d'))::DATE"


APPROVED_PRICES = ReferenceList(
    name="approved_prices",
    title="bảng giá được phê duyệt",
    columns=("ma_cskcb", "bang", "ma", "ten", "don_vi_tinh", "don_gia", "tu_ngay", "den_ngay"),
    typed=f"""trim(ma_cskcb) AS ma_cskcb, upper(trim(bang)) AS bang, trim(ma) AS ma, ten, don_vi_tinh,
              CAST(trim(don_gia) AS DECIMAL(18, 3)) AS don_gia, {_date('trim(tu_ngay)')} AS tu_ngay,
              {_date("nullif(trim(den_ngay), '')")} AS den_ngay""",
    checks=(
        ("coalesce(length(trim(ma_cskcb)), 0) <> 5", "ma_cskcb phải có 5 ký tự"),
        ("upper(trim(coalesce(bang, ''))) NOT IN ('XML2', 'XML3')", "bang phải là XML2 hoặc XML3"),
        ("coalesce(trim(ma), '') = ''", "thiếu ma"),
        ("NOT regexp_full_match(trim(coalesce(don_gia, '')), '[0-9]{1,15}(\\.[0-9]{1,3})?')",
         "don_gia phải là số không âm, tối đa 3 chữ số thập phân"),
        (f"{_date('trim(tu_ngay)')} IS NULL", "tu_ngay phải là ngày YYYY-MM-DD"),
        (f"""nullif(trim(den_ngay), '') IS NOT NULL AND {_date("trim(den_ngay)")} IS NULL""",
         "den_ngay phải là ngày YYYY-MM-DD hoặc để trống"),
        (f"""{_date("nullif(trim(den_ngay), '')")} < {_date('trim(tu_ngay)')}""", "den_ngay trước tu_ngay"),
    ),
    key=("ma_cskcb", "bang", "ma"),
)

TIERS = ("ban_dau", "co_ban", "chuyen_sau")
FACILITY_TIERS = ReferenceList(
    name="facility_tiers",
    title="danh sách cấp chuyên môn của cơ sở KCB",
    columns=("ma_cskcb", "ten", "cap"),
    typed="trim(ma_cskcb) AS ma_cskcb, ten, trim(cap) AS cap",
    checks=(
        ("coalesce(length(trim(ma_cskcb)), 0) <> 5", "ma_cskcb phải có 5 ký tự"),
        (f"coalesce(trim(cap), '') NOT IN {TIERS}", f"cap phải là một trong {', '.join(TIERS)}"),
    ),
    key=("ma_cskcb",),
)


class ReferenceError(ValueError):
    """A reference file that cannot be imported: `errors` are (row number, reason), the header row being 1."""

    def __init__(self, message: str, errors: list[tuple[int, str]] = ()):
        super().__init__(message)
        self.errors = list(errors)


def path_of(lake_root: Path, reference: ReferenceList) -> Path:
    return lake_root / REFERENCE_DIR / f"{reference.name}.parquet"


def import_reference(reference: ReferenceList, csv_path: Path, lake_root: Path) -> int:
    """Check `csv_path` and make it the list; returns its rows. Raises ReferenceError, changing nothing."""
    con = new_connection()
    try:
        _read_raw(con, reference, csv_path)
        errors = _row_errors(con, reference)
        if errors:
            raise ReferenceError(f"Tệp {csv_path.name} có {len(errors):,} lỗi; {reference.title} không được thay.",
                                 errors)
        con.execute(f"CREATE TEMP TABLE typed AS SELECT line, {reference.typed} FROM raw")
        overlaps = _overlaps(con, reference)
        if overlaps:
            raise ReferenceError(f"Tệp {csv_path.name} có dòng trùng thời gian hiệu lực; {reference.title} không "
                                 f"được thay.", overlaps)
        target = path_of(lake_root, reference)
        target.parent.mkdir(parents=True, exist_ok=True)
        temporary = target.with_name(f".{target.stem}.{uuid.uuid4().hex}.tmp")
        try:
            con.execute(f"COPY (SELECT * EXCLUDE (line) FROM typed ORDER BY line) TO '{_quoted(temporary)}' "
                        "(FORMAT parquet)")
            os.replace(temporary, target)
        finally:
            temporary.unlink(missing_ok=True)
        return con.execute("SELECT count(*) FROM typed").fetchone()[0]
    finally:
        con.close()


def register_reference(con: duckdb.DuckDBPyConnection, reference: ReferenceList, lake_root: Path) -> None:
    """The list as a table on `con`: the imported file, or an empty table of its columns."""
    path = path_of(lake_root, reference)
    if path.exists():
        con.execute(f"CREATE OR REPLACE TEMP TABLE {reference.name} AS SELECT * FROM read_parquet('{_quoted(path)}')")
        return
    columns = ", ".join(f"NULL::VARCHAR AS {name}" for name in reference.columns)
    con.execute(f"CREATE OR REPLACE TEMP TABLE raw AS SELECT 0 AS line, {columns} LIMIT 0")
    con.execute(f"CREATE OR REPLACE TEMP TABLE {reference.name} AS SELECT {reference.typed} FROM raw")
    con.execute("DROP TABLE raw")


def _read_raw(con: duckdb.DuckDBPyConnection, reference: ReferenceList, csv_path: Path) -> None:
    try:
        header = con.execute(f"""SELECT * FROM read_csv('{_quoted(csv_path)}', all_varchar = true, header = false)
                                 LIMIT 1""").fetchone()
        found = tuple((name or "").strip().lstrip("\ufeff").lower() for name in header or ())
        if found != reference.columns:
            raise ReferenceError(f"Tệp {csv_path.name}: dòng tiêu đề phải là {','.join(reference.columns)} "
                                 f"(nhận được {','.join(found)}).")
        names = ", ".join(f"'{name}': 'VARCHAR'" for name in reference.columns)
        con.execute(f"""CREATE TEMP TABLE raw AS
                        SELECT row_number() OVER () + 1 AS line, *
                        FROM read_csv('{_quoted(csv_path)}', header = true, columns = {{{names}}},
                                      auto_detect = false, quote = '"', escape = '"', delim = ',')""")
    except duckdb.Error as problem:
        raise ReferenceError(f"Không đọc được tệp CSV {csv_path.name}: {problem}") from None


def _row_errors(con: duckdb.DuckDBPyConnection, reference: ReferenceList) -> list[tuple[int, str]]:
    reasons = " UNION ALL ".join(
        f"SELECT line, '{reason}' AS reason FROM raw WHERE coalesce({condition}, false)"
        for condition, reason in reference.checks)
    return con.execute(f"SELECT line, reason FROM ({reasons}) ORDER BY line LIMIT {ERRORS_KEPT}").fetchall()


def _overlaps(con: duckdb.DuckDBPyConnection, reference: ReferenceList) -> list[tuple[int, str]]:
    """Rows repeating a key (or, for a dated list, overlapping another row's period of the same key)."""
    key = ", ".join(reference.key)
    shown = " || '/' || ".join(reference.key)
    if "tu_ngay" in reference.columns:
        start, end = "tu_ngay", "coalesce(den_ngay, DATE '9999-12-31')"
    else:
        start, end = "DATE '0001-01-01'", "DATE '9999-12-31'"
    return con.execute(f"""
        SELECT line, 'trùng ' || {shown} || ' với dòng ' || previous_line || ' (thời gian hiệu lực chồng nhau)'
        FROM (SELECT line, {key}, {start} AS starts, lag({end}) OVER w AS previous_end, lag(line) OVER w AS previous_line
              FROM typed WINDOW w AS (PARTITION BY {key} ORDER BY {start}, line))
        WHERE starts <= previous_end ORDER BY line LIMIT {ERRORS_KEPT}""").fetchall()


def _quoted(path: Path) -> str:
    return str(path).replace("'", "''")
