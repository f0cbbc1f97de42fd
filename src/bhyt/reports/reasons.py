"""Households not yet insured by their reason for not joining, per unit of a report's rows (Quảng
Ngọc plan: list the households not yet insured with their reasons and report them to the commune).

The counts are the visit log's (`bhyt.visits.reasons_by_hamlet`: the reason of each household's
latest visit that gave one, unless its latest visit recorded it joined), added up from hamlets to
communes when the report's rows are communes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import duckdb

from bhyt.visits import NO_HAMLET, reasons_by_hamlet


@dataclass(frozen=True)
class ReasonRow:
    code: str | None  # the unit (hamlet or commune); None for households without a hamlet
    name: str
    counts: tuple[int, ...]  # households per reason, in the order of `ReasonTable.reasons`

    @property
    def households(self) -> int:
        return sum(self.counts)


@dataclass(frozen=True)
class ReasonTable:
    reasons: tuple[tuple[str, str], ...]  # (code, name), the most frequent first
    rows: tuple[ReasonRow, ...]

    def total(self) -> tuple[int, ...]:
        return tuple(sum(row.counts[index] for row in self.rows) for index in range(len(self.reasons)))


def reason_table(con: duckdb.DuckDBPyConnection, unit: str, level: str, as_of: date) -> ReasonTable:
    """The table for the units of `level` ("hamlet" or "commune") inside `unit`, as of `as_of`."""
    found = reasons_by_hamlet(con, unit, as_of)
    hamlets = {count.hamlet_code for count in found if count.hamlet_code is not None}
    communes = dict(con.execute(
        "SELECT h.code, h.commune_code FROM units h WHERE list_contains($codes, h.code)", {"codes": sorted(hamlets)},
    ).fetchall())
    names = dict(con.execute(
        "SELECT code, name FROM units WHERE list_contains($codes, code)", {"codes": sorted(set(communes.values()))},
    ).fetchall())
    totals: dict[tuple[str, str], int] = {}
    cells: dict[str | None, dict[str, int]] = {}
    row_names: dict[str | None, str] = {}
    for count in found:
        key = count.hamlet_code if level == "hamlet" else communes.get(count.hamlet_code)
        row_names[key] = (count.hamlet_name if level == "hamlet" else names.get(key, NO_HAMLET))
        cells.setdefault(key, {})
        cells[key][count.reason_code] = cells[key].get(count.reason_code, 0) + count.households
        reason = (count.reason_code, count.reason_name)
        totals[reason] = totals.get(reason, 0) + count.households
    reasons = tuple(sorted(totals, key=lambda reason: (-totals[reason], reason[0])))
    rows = tuple(
        ReasonRow(key, row_names[key], tuple(cells[key].get(code, 0) for code, _ in reasons))
        for key in sorted(cells, key=lambda key: (key is None, key or ""))
    )
    return ReasonTable(reasons, rows)
