"""Cell types of the lists: how a text cell becomes a typed value in DuckDB, and what a bad one is called.

Each type turns the trimmed cell `v` (NULL when empty) into a typed SQL value, or NULL when the cell
cannot be read; the validator reports every non-empty cell that came out NULL with the type's reason.
"""

from __future__ import annotations

from dataclasses import dataclass


def sql_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


@dataclass(frozen=True)
class CellType:
    sql: str  # template over {v}
    reason: str


def text(max_length: int) -> CellType:
    return CellType(
        f"CASE WHEN length({{v}}) <= {max_length} THEN {{v}} END",
        f"Dài quá {max_length} ký tự.",
    )


def digits(count: int, what: str) -> CellType:
    return CellType(
        f"CASE WHEN regexp_full_match({{v}}, '[0-9]{{{{{count}}}}}') THEN {{v}} END",
        f"{what} phải gồm đúng {count} chữ số.",
    )


DATE = CellType(
    "coalesce(try_strptime({v}, '%Y-%m-%d'), try_strptime({v}, '%d/%m/%Y'))::DATE",
    "Ngày không hợp lệ: cần dạng YYYY-MM-DD hoặc DD/MM/YYYY.",
)

# A month is stored as its first day. Excel turns a typed "03/2026" into a date cell, which the reader
# writes as YYYY-MM-DD (with the time when the cell has one): such a date stands for its month.
MONTH = CellType(
    "CASE WHEN regexp_full_match({v}, '[0-9]{{4}}-[0-9]{{1,2}}') THEN try_strptime({v}, '%Y-%m')"
    " WHEN regexp_full_match({v}, '[0-9]{{1,2}}/[0-9]{{4}}') THEN try_strptime({v}, '%m/%Y')"
    " WHEN regexp_full_match({v}, '[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}( [0-9]{{2}}:[0-9]{{2}}:[0-9]{{2}}(\\.[0-9]+)?)?')"
    " THEN date_trunc('month', try_strptime(substr({v}, 1, 10), '%Y-%m-%d')) END::DATE",
    "Tháng không hợp lệ: cần dạng YYYY-MM, MM/YYYY (hoặc M/YYYY), hoặc một ngày YYYY-MM-DD (lấy tháng của ngày đó).",
)

SEX = CellType(
    "CASE WHEN lower(nfc_normalize({v})) IN ('nam', '1') THEN 1"
    " WHEN lower(nfc_normalize({v})) IN ('nữ', 'nu', '2') THEN 2 END",
    "Giới tính phải là Nam/Nữ hoặc 1/2.",
)


# A phone number as the digits only. Spaces, dots, dashes and brackets are dropped and +84 becomes 0;
# a spreadsheet that took the number for a figure dropped its leading zero, which is put back (nine
# digits of a mobile, ten of a landline). Mobile numbers have 10 digits (03x, 05x, 07x, 08x, 09x),
# landlines 11 (02x).
_PHONE_DIGITS = "regexp_replace(regexp_replace({v}, '[ .()-]', '', 'g'), '^[+]84', '0')"
_PHONE_ZERO = (f"CASE WHEN regexp_full_match({_PHONE_DIGITS}, '[35789][0-9]{{{{8}}}}|2[0-9]{{{{9}}}}') "
               f"THEN '0' || {_PHONE_DIGITS} ELSE {_PHONE_DIGITS} END")
PHONE = CellType(
    f"CASE WHEN regexp_full_match({_PHONE_ZERO}, '0[35789][0-9]{{{{8}}}}|02[0-9]{{{{9}}}}') THEN {_PHONE_ZERO} END",
    "Số điện thoại không hợp lệ: cần số di động 10 chữ số (03x, 05x, 07x, 08x, 09x) hoặc số cố định "
    "11 chữ số (02x).",
)


def integer(low: int, high: int, what: str) -> CellType:
    return CellType(
        f"CASE WHEN regexp_full_match({{v}}, '[0-9]+') AND TRY_CAST({{v}} AS BIGINT) BETWEEN {low} AND {high}"
        f" THEN TRY_CAST({{v}} AS BIGINT) END",
        f"{what} phải là số nguyên từ {low} đến {high}.",
    )


def one_of(values: tuple[str, ...]) -> CellType:
    allowed = ", ".join(sql_literal(value) for value in values)
    return CellType(
        f"CASE WHEN lower({{v}}) IN ({allowed}) THEN lower({{v}}) END",
        f"Giá trị phải là một trong: {', '.join(values)}.",
    )


def upper_code(table: str, what: str) -> CellType:
    """A code that must exist in a reference table registered on the DuckDB connection."""
    return CellType(
        f"(SELECT code FROM {table} WHERE code = upper({{v}}))",
        f"{what} không có trong danh mục.",
    )


@dataclass(frozen=True)
class Column:
    name: str
    type: CellType
    required: bool = False
    pad: int | None = None  # width of a code column, to restore zeros a spreadsheet dropped
