"""Coverage of every unit of a level, as of one or several dates, by the definitions in the design notes.

- insured on d: some card period has valid_from <= d <= valid_to; one person counts once, and their
  participant code on d is the one the priority order picks among the cards covering d;
- resident of u on d: residence in u begun by d (arrival <= d), not ended before d (departure >= d),
  and not dead on or before d;
- registry coverage = insured residents / residents;
- official coverage = insured (from the aggregate report of the month when the unit has one, else
  from the registry) / the official population figure of the year, each labelled with its source.

Everything runs on the connection from `engine.analytics`: the registry snapshot tables and the
system of record attached as `db`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal

import duckdb

from bhyt.domain.age_bands import AGE_BANDS
from bhyt.domain.messages import Message, N_
from bhyt.domain.rates import percent
from bhyt.domain.series import month_ends

LEVELS = ("province", "commune", "hamlet")
BREAKDOWNS = ("code", "group", "age", "sex")
SOURCES = ("registry", "official")
REGISTRY = "registry"
AGGREGATE = "aggregate"


class UnknownUnit(ValueError):
    """A unit code the registry does not have, or a unit below the level asked about. The message is a
    `Message`, so that the web can show it in English while the CLI prints the Vietnamese."""

    @classmethod
    def missing(cls, unit: str) -> UnknownUnit:
        return cls(Message(N_("Không có đơn vị mã '%(code)s'."), code=unit))

    @classmethod
    def below(cls, unit: str, unit_level: str, level: str) -> UnknownUnit:
        return cls(Message(N_("Đơn vị '%(unit)s' là cấp %(unit_level)s, nhỏ hơn cấp %(level)s được hỏi."),
                           unit=unit, unit_level=unit_level, level=level))


@dataclass(frozen=True)
class CoverageRow:
    unit_code: str
    unit_name: str
    # None only for official coverage of a unit that has no official population figure.
    population: int | None
    insured: int
    key: str | None = None
    population_source: str | None = REGISTRY
    population_year: int | None = None
    insured_source: str = REGISTRY

    @property
    def coverage_pct(self) -> Decimal | None:
        """Percent rounded half-up to 2 decimals, computed exactly (no binary floats)."""
        return percent(self.insured, self.population)


_LEVEL_COLUMN = {"province": "province_code", "commune": "commune_code", "hamlet": "hamlet_code"}

# The keys every unit lists even when their count is zero (None: only the codes that occur).
_LISTED_KEYS = {
    "code": None,
    "group": ("1", "2", "3", "4", "5"),
    "age": tuple(band.label for band in AGE_BANDS),
    "sex": ("1", "2"),
}


def coverage(
    con: duckdb.DuckDBPyConnection,
    as_of: date,
    level: str,
    unit: str | None = None,
    by: str | None = None,
    source: str = REGISTRY,
    population_year: int | None = None,
) -> list[CoverageRow]:
    """One row per unit of `level` inside `unit` (the unit itself when it is of that level), or per
    unit and key with `by`; without `unit`, every unit of that level in the provinces the registry
    (or, for official coverage, an aggregate report) has figures for."""
    return [row for _, row in _coverage_on(con, [as_of], level, unit, by, source, population_year)]


def coverage_series(
    con: duckdb.DuckDBPyConnection,
    start: date,
    end: date,
    level: str,
    unit: str | None = None,
    source: str = REGISTRY,
    by: str | None = None,
) -> list[tuple[date, CoverageRow]]:
    """Coverage at every month end from `start` to `end`, and at `end` itself."""
    if end < start:
        raise ValueError(Message(N_("Ngày kết thúc %(end)s trước ngày bắt đầu %(start)s."), end=f"{end:%d/%m/%Y}",
                                 start=f"{start:%d/%m/%Y}"))
    return _coverage_on(con, month_ends(start, end), level, unit, by, source, None)


def _coverage_on(con, dates, level, unit, by, source, population_year) -> list[tuple[date, CoverageRow]]:
    _check_arguments(level, by, source)
    unit_level = None if unit is None else check_scope(con, unit, level)
    units = _scope_units(con, level, unit, source)
    rows = _registry_counts(con, dates, level, unit, unit_level, by, units)
    if source == REGISTRY:
        return rows
    return _official(con, rows, by, population_year)


def check_level(level: str) -> None:
    """The one refusal of an unknown level, for every analysis by level (one sentence to translate)."""
    if level not in LEVELS:
        raise ValueError(Message(N_("Cấp phải là một trong: %(levels)s."), levels=", ".join(LEVELS)))


def check_source(source: str) -> None:
    """The one refusal of an unknown source of figures, as for the level."""
    if source not in SOURCES:
        raise ValueError(Message(N_("Nguồn phải là một trong: %(sources)s."), sources=", ".join(SOURCES)))


def _check_arguments(level: str, by: str | None, source: str) -> None:
    check_level(level)
    if by is not None and by not in BREAKDOWNS:
        raise ValueError(Message(N_("Cách chia phải là một trong: %(breakdowns)s."), breakdowns=", ".join(BREAKDOWNS)))
    check_source(source)
    if source != REGISTRY and by in ("age", "sex"):
        raise ValueError(Message(N_("Dân số chính thức và số liệu tổng hợp không chia theo tuổi, giới tính: hãy dùng "
                                    "nguồn registry.")))


def check_scope(con: duckdb.DuckDBPyConnection, unit: str, level: str) -> str:
    """The level of `unit`, once it is known to contain units of `level` (UnknownUnit if not): for every
    analysis of the units of a level within one unit."""
    found = con.execute("SELECT level FROM units WHERE code = ?", [unit]).fetchone()
    if found is None:
        raise UnknownUnit.missing(unit)
    if LEVELS.index(found[0]) > LEVELS.index(level):
        raise UnknownUnit.below(unit, found[0], level)
    return found[0]


def _scope_units(con, level: str, unit: str | None, source: str) -> list[tuple[str, str]]:
    if unit is not None:
        where, params = "$unit IN (code, commune_code, province_code)", {"unit": unit}
    else:
        provinces = "SELECT DISTINCT province_code FROM residences"
        if source != REGISTRY:
            provinces += """ UNION SELECT u.province_code FROM db.aggregate_counts a
                             JOIN units u ON u.code = a.unit_code"""
        where, params = f"province_code IN ({provinces})", {}
    return con.execute(
        f"SELECT code, name FROM units WHERE level = $level AND {where} ORDER BY code", {"level": level, **params}
    ).fetchall()


def _age_band_sql(birth: str, on: str) -> str:
    """The SQL twin of domain.age_bands.age_band (a test holds them equal)."""
    age = (f"(year({on}) - year({birth}) - CASE WHEN month({on}) * 100 + day({on}) "
           f"< month({birth}) * 100 + day({birth}) THEN 1 ELSE 0 END)")
    cases = " ".join(
        f"WHEN {age} <= {band.highest} THEN '{band.label}'" for band in AGE_BANDS if band.highest is not None
    )
    return f"CASE {cases} ELSE '{AGE_BANDS[-1].label}' END"


def _registry_counts(con, dates, level, unit, unit_level, by, units) -> list[tuple[date, CoverageRow]]:
    """Residents and insured residents per date, unit (and key), all dates in one scan of the
    snapshot's coverage facts (see analytics.snapshot)."""
    column = _LEVEL_COLUMN[level]
    scope = "" if unit is None else f"AND f.{_LEVEL_COLUMN[unit_level]} = $unit"
    band = {"age": _age_band_sql("f.birth_date", "d.d"), "sex": "CAST(f.sex AS VARCHAR)"}.get(by, "NULL")
    key = {"code": "f.participant_code", "group": "CAST(f.statutory_group AS VARCHAR)"}.get(by, "NULL")
    # A person resident in two communes of the province at once counts once there: only the few people
    # with more than one residence in a province are counted distinct, in the same scan.
    province = level == "province"
    multi = ("LEFT JOIN multi_residence_persons m ON m.person_id = f.person_id" if province else "")
    is_multi = "m.person_id IS NOT NULL" if province else "false"
    counts = f"""
        SELECT d.d, f.{column} AS unit_code, {band} AS band,
               CASE WHEN f.covered_from <= d.d AND f.covered_to >= d.d THEN {key} END AS key,
               f.person_id, f.first_row, f.covered_from <= d.d AND f.covered_to >= d.d AS covered,
               {is_multi} AS multi
        FROM coverage_facts f {multi}, (SELECT unnest($dates::DATE[]) AS d) d
        WHERE f.resident_from <= d.d AND f.resident_to >= d.d AND f.{column} IS NOT NULL {scope}
    """
    distinct = ("count(DISTINCT person_id) FILTER (WHERE {flag} AND multi)" if province else "0")
    params = {"dates": list(dates), **({} if unit is None else {"unit": unit})}
    result = con.execute(
        f"""SELECT d, unit_code, band, key,
                   count(*) FILTER (WHERE first_row AND NOT multi) + {distinct.format(flag="first_row")},
                   count(*) FILTER (WHERE covered AND NOT multi) + {distinct.format(flag="covered")}
            FROM ({counts}) GROUP BY ALL""",
        params,
    ).fetchall()
    return _assemble(dates, units, by, result)


def _assemble(dates, units, by, result) -> list[tuple[date, CoverageRow]]:
    """Counts into rows: every unit in scope, and for breakdowns every key of the list (zeros kept).
    Age and sex split the population too; a code or group is a share of the whole population."""
    population: dict[tuple, int] = {}
    insured: dict[tuple, int] = {}
    seen_keys: set[str] = set()
    for day, unit_code, band, key, residents, covered in result:
        population[day, unit_code, band] = population.get((day, unit_code, band), 0) + residents
        split = band if by in ("age", "sex") else key
        insured[day, unit_code, split] = insured.get((day, unit_code, split), 0) + covered
        if key is not None:
            seen_keys.add(key)
    keys = (None,) if by is None else (_LISTED_KEYS[by] or tuple(sorted(seen_keys)))
    rows = []
    for day in dates:
        for code, name in units:
            for key in keys:
                people = population.get((day, code, key if by in ("age", "sex") else None), 0)
                rows.append((day, CoverageRow(code, name, people, insured.get((day, code, key), 0), key)))
    return rows


def _official(con, rows, by, population_year) -> list[tuple[date, CoverageRow]]:
    """Registry rows turned official: the population figure replaces the residents, and the month's
    aggregate report replaces the registry's insured count wherever the unit has one."""
    by_day: dict[date, list[CoverageRow]] = {}
    for day, row in rows:
        by_day.setdefault(day, []).append(row)
    out = []
    for day, day_rows in by_day.items():
        year = population_year if population_year is not None else day.year
        figures = _population_figures(con, year)
        reported = _aggregate_counts(con, day, by)
        reporting_units = {unit_code for unit_code, _ in reported}
        for row in day_rows:
            figure = figures.get(row.unit_code)
            official = replace(
                row,
                population=figure[0] if figure else None,
                population_source=figure[1] if figure else None,
                population_year=figure[2] if figure else None,
            )
            if row.unit_code in reporting_units:
                official = replace(official, insured=reported.get((row.unit_code, row.key), 0), insured_source=AGGREGATE)
            out.append((day, official))
        if by == "code":
            out.extend((day, row) for row in _codes_only_reported(day_rows, reported, figures))
    return out


def _population_figures(con, year: int) -> dict[str, tuple[int, str, int]]:
    """Per unit, the figure of the latest year up to `year` (of several sources for one year, the
    first by name, so the choice is stable)."""
    found = con.execute(
        """
        SELECT unit_code, population, source, year FROM db.population_figures WHERE year <= ?
        QUALIFY row_number() OVER (PARTITION BY unit_code ORDER BY year DESC, source) = 1
        """,
        [year],
    ).fetchall()
    return {unit_code: (population, source, figure_year) for unit_code, population, source, figure_year in found}


def _aggregate_counts(con, day: date, by: str | None) -> dict[tuple[str, str | None], int]:
    """Insured per unit (and key) from the reports of the month of `day`. A unit without a report of
    its own adds up its children's, hamlets into communes and communes into provinces; a unit with
    its own report is never also added up from below, so nothing counts twice."""
    key = {"code": "participant_code", "group": "CAST(g.statutory_group AS VARCHAR)"}.get(by, "NULL")
    found = con.execute(
        f"""
        WITH reported AS (
            SELECT a.unit_code, u.level, u.parent_code, a.participant_code, a.insured
            FROM db.aggregate_counts a JOIN units u ON u.code = a.unit_code
            WHERE a.month = date_trunc('month', $day::DATE)
        ),
        own AS (SELECT DISTINCT unit_code FROM reported),
        hamlets AS (SELECT * FROM reported WHERE level = 'hamlet'),
        communes AS (
            SELECT unit_code, participant_code, insured FROM reported WHERE level = 'commune'
            UNION ALL
            SELECT parent_code, participant_code, insured FROM hamlets WHERE parent_code NOT IN (SELECT * FROM own)
        ),
        provinces AS (
            SELECT unit_code, participant_code, insured FROM reported WHERE level = 'province'
            UNION ALL
            SELECT u.parent_code, c.participant_code, c.insured
            FROM communes c JOIN units u ON u.code = c.unit_code
            WHERE u.parent_code NOT IN (SELECT * FROM own)
        ),
        effective AS (
            SELECT unit_code, participant_code, insured FROM hamlets
            UNION ALL SELECT * FROM communes
            UNION ALL SELECT * FROM provinces
        )
        SELECT e.unit_code, {key} AS key, sum(e.insured)
        FROM effective e JOIN participant_groups g ON g.code = e.participant_code
        GROUP BY ALL
        """,
        {"day": day},
    ).fetchall()
    return {(unit_code, key): int(total) for unit_code, key, total in found}


def _codes_only_reported(rows, reported, figures) -> list[CoverageRow]:
    """A code the report has but no registry card carries still gets its row."""
    names = {row.unit_code: row.unit_name for row in rows}
    present = {(row.unit_code, row.key) for row in rows}
    extra = []
    for (unit_code, key), insured in sorted(reported.items()):
        if unit_code in names and (unit_code, key) not in present:
            figure = figures.get(unit_code)
            extra.append(CoverageRow(
                unit_code, names[unit_code], figure[0] if figure else None, insured, key,
                figure[1] if figure else None, figure[2] if figure else None, AGGREGATE,
            ))
    return extra
