"""Which rows of a list an account may load: a commune officer loads his commune's lists, a province
officer his province's, never another unit's.

The ingest service imports whatever the file holds, so the web checks the file first, set-based in
DuckDB, with the cells typed exactly as the service types them. Rows whose unit, household or person
the service would reject anyway (unknown code, malformed cell) are left for its own clearer message.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
from sqlalchemy import Engine

from bhyt.analytics.engine import attached, plain_url
from bhyt.ingest.columns import sql_literal
from bhyt.ingest.reader import ROW_COLUMN, UnreadableFile, read_list
from bhyt.ingest.specs import SPECS, ListSpec
from bhyt.ingest.validate import RowError, register_reference_tables
from bhyt.web.accounts import Account

# A person or household belongs to the account when one of their communes is inside its scope.
_PERSON_OUTSIDE = """
    c.{column} IN (SELECT personal_id FROM db.persons)
    AND NOT EXISTS (SELECT 1 FROM db.persons p JOIN db.residences r ON r.person_id = p.id
                    WHERE p.personal_id = c.{column} AND r.commune_code IN (SELECT code FROM scope_units))
"""
_HOUSEHOLD_OUTSIDE = """
    c.ma_ho IN (SELECT code FROM db.households
                WHERE commune_code NOT IN (SELECT code FROM scope_units))
"""
_COMMUNE_OUTSIDE = """
    c.ma_xa IN (SELECT code FROM db.units WHERE level = 'commune')
    AND c.ma_xa NOT IN (SELECT code FROM scope_units)
"""
_UNIT_OUTSIDE = """
    c.ma_don_vi IN (SELECT code FROM db.units) AND c.ma_don_vi NOT IN (SELECT code FROM scope_units)
"""

COMMUNE_REASON = "Xã này nằm ngoài phạm vi tài khoản của bạn: chỉ được nhập danh sách của đơn vị mình."
HOUSEHOLD_REASON = "Mã hộ này đã thuộc một xã ngoài phạm vi tài khoản của bạn."
PERSON_REASON = ("Người này đang cư trú ở đơn vị ngoài phạm vi tài khoản của bạn: "
                 "cán bộ của đơn vị đó hoặc cán bộ tỉnh mới được cập nhật.")
UNIT_REASON = "Đơn vị này nằm ngoài phạm vi tài khoản của bạn: chỉ được nhập số liệu của đơn vị mình và cấp dưới."

# Per kind of list: (column the officer must fix, SQL true when the row is outside the scope, reason).
SCOPE_CHECKS: dict[str, tuple[tuple[str, str, str], ...]] = {
    "households": (("ma_xa", _COMMUNE_OUTSIDE, COMMUNE_REASON), ("ma_ho", _HOUSEHOLD_OUTSIDE, HOUSEHOLD_REASON)),
    "persons": (
        ("ma_xa", _COMMUNE_OUTSIDE, COMMUNE_REASON),
        ("so_dinh_danh", _PERSON_OUTSIDE.format(column="so_dinh_danh"), PERSON_REASON),
        ("ma_ho", _HOUSEHOLD_OUTSIDE, HOUSEHOLD_REASON),
    ),
    "cards": (("so_dinh_danh", _PERSON_OUTSIDE.format(column="so_dinh_danh"), PERSON_REASON),),
    "population": (("ma_don_vi", _UNIT_OUTSIDE, UNIT_REASON),),
    "aggregates": (("ma_don_vi", _UNIT_OUTSIDE, UNIT_REASON),),
}


def out_of_scope_rows(engine: Engine, account: Account, kind: str, path: Path) -> tuple[int, list[RowError]]:
    """The file's number of rows, and every row about a unit, household or person outside the
    account's unit. An account over the whole database (admin) may load anything."""
    if account.unit_code is None:
        return 0, []
    spec = SPECS[kind]
    try:
        raw = read_list(path, {column.name: column.pad for column in spec.columns if column.pad})
    except (UnreadableFile, OSError):
        return 0, []  # the service reports an unreadable file itself
    checked = [check for check in SCOPE_CHECKS[kind] if check[0] in raw.header]
    if not checked:
        return raw.table.num_rows, []
    with attached(plain_url(engine), read_only=True) as con:
        register_reference_tables(con)
        _scope_units(con, account.unit_code)
        con.register("raw_arrow", raw.table)
        con.execute(f"CREATE TEMP TABLE c AS SELECT {ROW_COLUMN}, {_typed_columns(spec, raw.header)} FROM raw_arrow r")
        con.unregister("raw_arrow")
        queries = [
            f"SELECT c.{ROW_COLUMN}, {sql_literal(column)}, c.\"{column}\", {sql_literal(reason)} FROM c"
            f" WHERE ({failed}) IS TRUE"
            for column, failed, reason in checked
        ]
        rows = con.execute(" UNION ALL ".join(queries) + " ORDER BY 1, 2").fetchall()
    return raw.table.num_rows, [RowError(int(row), column, value or "", reason) for row, column, value, reason in rows]


def _scope_units(con: duckdb.DuckDBPyConnection, unit_code: str) -> None:
    """The account's unit and everything under it (communes and hamlets), as temp table `scope_units`."""
    con.execute("""
        CREATE TEMP TABLE scope_units AS
        SELECT code FROM db.units
        WHERE code = $unit OR parent_code = $unit
           OR parent_code IN (SELECT code FROM db.units WHERE parent_code = $unit)
    """, {"unit": unit_code})


def _typed_columns(spec: ListSpec, header: list[str]) -> str:
    """The file's columns typed as the validator types them (NULL for a malformed or empty cell)."""
    return ", ".join(
        f"{column.type.sql.format(v=_cell(column.name))} AS \"{column.name}\""
        for column in spec.columns if column.name in header
    )


def _cell(name: str) -> str:
    return f"nullif(trim(r.\"{name}\"), '')"
