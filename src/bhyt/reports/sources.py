"""The note under a report table that says where its numbers come from (design notes: every figure is
labelled registry or official/aggregate)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date

from bhyt.analytics.coverage import AGGREGATE, REGISTRY
from bhyt.reports.official import format_date


@dataclass(frozen=True)
class Provenance:
    """Where one row's population and insured count come from (the values CoverageRow carries)."""

    population_source: str | None = REGISTRY
    population_year: int | None = None
    insured_source: str = REGISTRY


def source_note(provenances: list[Provenance], as_of: date) -> str:
    """"Nguồn dân số: …; số người tham gia: …" for the rows of a table counted at `as_of`."""
    population = Counter(_population_label(p, as_of) for p in provenances)
    insured = Counter(_insured_label(p.insured_source, as_of) for p in provenances)
    return f"Nguồn dân số: {_join(population)}; số người tham gia: {_join(insured)}."


def _population_label(provenance: Provenance, as_of: date) -> str:
    if provenance.population_source == REGISTRY:
        return f"sổ đăng ký (người cư trú ngày {format_date(as_of)})"
    if provenance.population_source is None:
        return "chưa có số liệu dân số chính thức"
    year = f" năm {provenance.population_year}" if provenance.population_year else ""
    return f"{provenance.population_source}{year}"


def _insured_label(source: str, as_of: date) -> str:
    if source == AGGREGATE:
        return f"báo cáo tổng hợp của cơ quan BHXH tháng {as_of.month:02d}/{as_of.year}"
    return f"sổ đăng ký (thẻ còn giá trị ngày {format_date(as_of)})"


def _join(labels: Counter[str]) -> str:
    """One label as it is; several, each with how many rows it covers, most first."""
    if len(labels) == 1:
        return next(iter(labels))
    return ", ".join(f"{label} ({count} đơn vị)" for label, count in labels.most_common())
