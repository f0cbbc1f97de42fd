"""Check every row of a list at once in DuckDB and collect every problem (row, column, value, reason).

The typed rows land in the temporary table `clean` on the connection, ready for staging.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import pyarrow as pa

from bhyt.domain.identifiers import LEGACY_PROVINCE_CODES
from bhyt.domain.participants import PARTICIPANT_CODES
from bhyt.ingest.columns import sql_literal
from bhyt.ingest.reader import BLANK_PREFIX, ROW_COLUMN, RawList
from bhyt.ingest.specs import ListSpec, all_checks

HEADER_ROW = 1


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    value: str
    reason: str


def register_reference_tables(con: duckdb.DuckDBPyConnection) -> None:
    """Code lists from the domain, for checks that run inside DuckDB."""
    con.register(
        "participant_codes",
        pa.table({
            "code": list(PARTICIPANT_CODES),
            "benefit_level": [entry.benefit_level for entry in PARTICIPANT_CODES.values()],
        }),
    )
    con.register("legacy_provinces", pa.table({"code": sorted(LEGACY_PROVINCE_CODES)}))


def header_errors(spec: ListSpec, raw: RawList) -> list[RowError]:
    known = {column.name for column in spec.columns}
    errors = [
        RowError(HEADER_ROW, column.name, "", f"Thiếu cột bắt buộc '{column.name}' của danh sách {spec.title}.")
        for column in spec.columns
        if column.required and column.name not in raw.header
    ]
    expected = ", ".join(column.name for column in spec.columns)
    for name in raw.header:
        if name.startswith(BLANK_PREFIX):
            if any(value.strip() for value in raw.table.column(name).to_pylist()):
                errors.append(RowError(HEADER_ROW, name.removeprefix(BLANK_PREFIX), "",
                                       "Cột có dữ liệu nhưng không có tên ở dòng tiêu đề."))
        elif name not in known:
            errors.append(RowError(HEADER_ROW, name, name,
                                   f"Cột không thuộc danh sách {spec.title}; các cột được nhận: {expected}."))
    return errors


def _cell(name: str) -> str:
    return f"nullif(trim(r.\"{name}\"), '')"


def validate(con: duckdb.DuckDBPyConnection, spec: ListSpec, raw: RawList) -> list[RowError]:
    errors = header_errors(spec, raw)
    if errors:
        return errors
    con.register("raw_arrow", raw.table)
    # Optional columns the file leaves out read as empty cells, so every check sees the same shape.
    raw_columns = [f"\"{ROW_COLUMN}\""] + [
        f"\"{column.name}\"" if column.name in raw.header else f"'' AS \"{column.name}\"" for column in spec.columns
    ]
    con.execute(f"CREATE OR REPLACE TEMP TABLE raw AS SELECT {', '.join(raw_columns)} FROM raw_arrow")
    con.unregister("raw_arrow")
    typed = ", ".join(
        f"{column.type.sql.format(v=_cell(column.name))} AS \"{column.name}\"" for column in spec.columns
    )
    con.execute(f"CREATE OR REPLACE TEMP TABLE clean AS SELECT r.{ROW_COLUMN}, {typed} FROM raw r")

    order = {column.name: index for index, column in enumerate(spec.columns)}
    queries = []
    for column in spec.columns:
        name = f"\"{column.name}\""
        if column.required:
            queries.append(
                f"SELECT r.{ROW_COLUMN}, {sql_literal(column.name)}, r.{name}, 'Ô bắt buộc đang trống.'"
                f" FROM raw r WHERE trim(r.{name}) = ''"
            )
        queries.append(
            f"SELECT r.{ROW_COLUMN}, {sql_literal(column.name)}, r.{name}, {sql_literal(column.type.reason)}"
            f" FROM raw r JOIN clean c USING ({ROW_COLUMN}) WHERE trim(r.{name}) <> '' AND c.{name} IS NULL"
        )
    for check in all_checks(spec):
        queries.append(
            f"SELECT r.{ROW_COLUMN}, {sql_literal(check.column)}, r.\"{check.column}\", {sql_literal(check.reason)}"
            f" FROM raw r JOIN clean c USING ({ROW_COLUMN}) WHERE ({check.failed}) IS TRUE"
        )
    rows = con.execute(" UNION ALL ".join(queries)).fetchall()
    found = [RowError(int(row), column, value or "", reason) for row, column, value, reason in rows]
    # One reason per cell: a malformed cell also fails the checks built on it.
    unique = {(error.row, error.column, error.reason): error for error in found}
    return sorted(unique.values(), key=lambda error: (error.row, order.get(error.column, len(order))))
