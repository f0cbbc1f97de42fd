"""Coverage targets in the system of record: set one, cascade a unit's target to its children, and track
every unit against its target.

Which target applies to a unit, for a year and a group ("" = everyone):
1. its own target (`targets` row, set by an officer or by the cascade);
2. else the nearest ancestor's (commune, then province) — a count target of an ancestor is turned into a
   rate by that ancestor's population, since a count belongs to the unit it was set for;
3. else, for a target group, the group's default rate from `target_groups.csv` (100 % in the plans);
4. else none: the unit is listed without target, still-to-enrol, status or rank.

A unit's own count target keeps its count exactly (Tháp Mười's appendix gives counts: "still to enrol"
is the count − insured); its rate is `domain.targets.rate_from_count`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal

import duckdb
from sqlalchemy import Engine, and_, insert, select, update

from bhyt.analytics.coverage import REGISTRY, CoverageRow, UnknownUnit, check_level, check_source, coverage
from bhyt.analytics.target_groups import group_coverage
from bhyt.domain.messages import Message, N_
from bhyt.domain.target_groups import target_group
from bhyt.domain.targets import (
    Standing,
    TargetError,
    UnitFigures,
    cascade,
    check_rate,
    count_status,
    rank,
    rate_from_count,
    target_count,
)
from bhyt.store.models import Target, Unit

MANUAL, CASCADE = "manual", "cascade"
_CHILD_LEVEL = {"province": "commune", "commune": "hamlet"}
_CENT = Decimal("0.01")


@dataclass(frozen=True)
class TargetProgress:
    unit_code: str
    unit_name: str
    population: int | None
    insured: int
    coverage_pct: Decimal | None
    target_pct: Decimal | None
    target_count: int | None
    still_to_enrol: int | None
    status: str | None  # "met", "near", "behind"; None without population or target
    rank: int | None  # 1 = best among the listed units that have a status
    population_source: str | None
    population_year: int | None
    insured_source: str


@dataclass(frozen=True)
class CascadedTarget:
    unit_code: str
    unit_name: str
    population: int
    insured: int
    last_year_pct: Decimal | None
    target_pct: Decimal | None  # None only for a manual count target of a unit without population
    target_count: int | None  # people the target asks for: a manual count as set, else ceil(rate × population)
    origin: str
    changed: bool


def set_target(
    engine: Engine,
    unit: str,
    year: int,
    rate: Decimal | None = None,
    count: int | None = None,
    group: str = "",
    set_by: str | None = None,
) -> None:
    """Set (or replace) an officer's target for a unit, year and group: a rate in percent or a count of
    insured people. A manual target is never overwritten by a cascade."""
    _check_year(year)
    if group:
        target_group(group)
    if (rate is None) == (count is None):
        raise TargetError(Message(N_("Chỉ tiêu phải là một tỷ lệ (%%) hoặc một số người, đúng một trong hai.")))
    if rate is not None:
        check_rate(rate)
        if rate != rate.quantize(_CENT):
            raise TargetError(Message(N_("Tỷ lệ chỉ tiêu chỉ có tối đa 2 chữ số thập phân, không phải %(rate)s."),
                                      rate=rate))
    if count is not None and count < 0:
        raise TargetError(Message(N_("Số người của chỉ tiêu không được âm: %(count)s."), count=count))
    values = {"rate": rate, "count": count, "origin": MANUAL, "set_by": set_by, "set_at": datetime.now()}
    with engine.begin() as connection:
        if connection.execute(select(Unit.code).where(Unit.code == unit)).first() is None:
            raise UnknownUnit.missing(unit)
        key = and_(Target.unit_code == unit, Target.year == year, Target.group_code == group)
        if connection.execute(select(Target.id).where(key)).first() is None:
            connection.execute(insert(Target).values(unit_code=unit, year=year, group_code=group, **values))
        else:
            connection.execute(update(Target).where(key).values(**values))


def cascade_targets(
    engine: Engine, con: duckdb.DuckDBPyConnection, unit: str, year: int, as_of: date | None = None
) -> list[CascadedTarget]:
    """Share the unit's target for `year` among its children (province → communes, commune → hamlets)
    by `domain.targets.cascade`: floors at last year's actual rate (registry coverage on 31 December of
    year − 1), the rest by uninsured people on `as_of` (default as in `target_progress`). Children with a
    manual target keep it; the others get a target of origin 'cascade', all written in one transaction.
    Running it again on the same figures changes nothing."""
    _check_year(year)
    as_of = as_of or default_as_of(year)
    level = _level_of(con, unit)
    if level not in _CHILD_LEVEL:
        raise TargetError(Message(N_("Đơn vị '%(unit)s' là thôn: không có đơn vị cấp dưới để phân bổ chỉ tiêu."),
                                  unit=unit))
    child_level = _CHILD_LEVEL[level]
    parent_rate = _parent_rate(engine, con, unit, level, year, as_of)
    children = coverage(con, as_of, child_level, unit)
    last_year = {row.unit_code: row.coverage_pct for row in coverage(con, date(year - 1, 12, 31), child_level, unit)}
    figures = [UnitFigures(row.unit_code, row.population, row.insured, last_year[row.unit_code]) for row in children]
    codes = [row.unit_code for row in children]
    now = datetime.now()
    with engine.begin() as connection:
        existing = {
            code: (rate, count, origin)
            for code, rate, count, origin in connection.execute(
                select(Target.unit_code, Target.rate, Target.count, Target.origin).where(
                    Target.unit_code.in_(codes), Target.year == year, Target.group_code == ""
                )
            )
        }
        population = {row.unit_code: row.population for row in children}
        # A manual count for a unit without people asks for nobody: any rate stands for it.
        overrides = {
            code: _manual_rate(rate, count, population[code]) or Decimal(0)
            for code, (rate, count, origin) in existing.items()
            if origin == MANUAL
        }
        rates = cascade(parent_rate, figures, overrides)
        result = []
        for row in children:
            code, stored = row.unit_code, existing.get(row.unit_code)
            if stored is not None and stored[2] == MANUAL:
                rate, count = _manual_rate(stored[0], stored[1], row.population), stored[1]
                origin, changed = MANUAL, False
            else:
                rate, count, origin = rates[code], None, CASCADE
                changed = _write_cascaded(connection, code, year, rate, stored, now)
            if count is None:
                count = target_count(rate, row.population)
            result.append(CascadedTarget(code, row.unit_name, row.population, row.insured, last_year[code], rate,
                                         count, origin, changed))
    return result


def target_progress(
    con: duckdb.DuckDBPyConnection,
    year: int,
    level: str,
    unit: str | None = None,
    as_of: date | None = None,
    source: str = "registry",
    group: str = "",
) -> list[TargetProgress]:
    """Every unit of `level` (inside `unit`) against its target for `year` on `as_of` (default: 31
    December of `year` once it is past, else today).

    `source="official"`: population = the official figure of year − 1 (the population at the end of
    last year that plans divide by), insured = the month's aggregate report where there is one.
    `group`: population and insured are those of the group's eligible residents (registry only)."""
    _check_year(year)
    check_level(level)
    check_source(source)
    if group and source != REGISTRY:
        raise TargetError(Message(N_("Dân số chính thức và số liệu tổng hợp không chia theo nhóm đối tượng: "
                                     "hãy dùng nguồn registry.")))
    default_rate = target_group(group).default_target_pct if group else None
    default_group_rate = default_rate.quantize(_CENT) if default_rate is not None else None
    as_of = as_of or default_as_of(year)

    def figures(at_level: str, at_unit: str | None) -> list[CoverageRow]:
        if group:
            return group_coverage(con, as_of, at_level, at_unit, group)
        return coverage(con, as_of, at_level, at_unit, source=source,
                        population_year=year - 1 if source != REGISTRY else None)

    rows = figures(level, unit)
    applying = _applying_targets(con, [row.unit_code for row in rows], year, group)
    inherited_counts = {
        (holder, holder_level, count)
        for code, (holder, holder_level, _, count) in applying.items()
        if count is not None and holder != code
    }
    ancestor_rates = {}
    for holder, holder_level, count in inherited_counts:
        population = figures(holder_level, holder)[0].population
        ancestor_rates[holder] = rate_from_count(count, population) if population else None

    progress = []
    for row in rows:
        target_pct, count = default_group_rate, None
        found = applying.get(row.unit_code)
        if found is not None:
            holder, _, rate, own_count = found
            if own_count is None:
                target_pct = rate
            elif holder == row.unit_code:
                count = own_count
                target_pct = rate_from_count(own_count, row.population) if row.population else None
            else:
                target_pct = ancestor_rates[holder]
        if count is None and target_pct is not None and row.population is not None:
            count = target_count(target_pct, row.population)
        still = max(0, count - row.insured) if count is not None else None
        state = count_status(row.population, row.insured, count) if row.population and count is not None else None
        progress.append(TargetProgress(
            row.unit_code, row.unit_name, row.population, row.insured, row.coverage_pct, target_pct, count, still,
            state, None, row.population_source, row.population_year, row.insured_source,
        ))
    places = rank(Standing(p.unit_code, p.coverage_pct, p.target_pct) for p in progress if p.status is not None)
    return [replace(p, rank=places.get(p.unit_code)) for p in progress]


def default_as_of(year: int, today: date | None = None) -> date:
    """31 December of `year` once that day is past, else today."""
    today = today or date.today()
    year_end = date(year, 12, 31)
    return year_end if year_end < today else today


def _write_cascaded(connection, code: str, year: int, rate: Decimal, stored: tuple | None, now: datetime) -> bool:
    """Insert or update a cascaded target; returns whether anything was written."""
    if stored is None:
        connection.execute(insert(Target).values(
            unit_code=code, year=year, group_code="", rate=rate, count=None, origin=CASCADE, set_at=now))
        return True
    if stored[0] == rate and stored[1] is None:
        return False
    connection.execute(update(Target).where(
        Target.unit_code == code, Target.year == year, Target.group_code == ""
    ).values(rate=rate, count=None, origin=CASCADE, set_by=None, set_at=now))
    return True


def _check_year(year: int) -> None:
    if not 2000 <= year <= 2100:
        raise TargetError(Message(N_("Năm chỉ tiêu không hợp lệ: %(year)s."), year=year))


def _level_of(con, unit: str) -> str:
    found = con.execute("SELECT level FROM units WHERE code = ?", [unit]).fetchone()
    if found is None:
        raise UnknownUnit.missing(unit)
    return found[0]


def _manual_rate(rate: Decimal | None, count: int | None, population: int) -> Decimal | None:
    if rate is not None:
        return rate
    return rate_from_count(count, population) if population else None


def _parent_rate(engine: Engine, con, unit: str, level: str, year: int, as_of: date) -> Decimal:
    with engine.connect() as connection:
        found = connection.execute(
            select(Target.rate, Target.count).where(Target.unit_code == unit, Target.year == year, Target.group_code == "")
        ).first()
    if found is None:
        raise TargetError(Message(N_("Đơn vị '%(unit)s' chưa có chỉ tiêu năm %(year)s: hãy đặt chỉ tiêu cho đơn vị "
                                     "này trước."), unit=unit, year=year))
    rate, count = found
    if rate is not None:
        return rate
    population = coverage(con, as_of, level, unit)[0].population
    if not population:
        raise TargetError(Message(N_("Đơn vị '%(unit)s' có chỉ tiêu %(count)s người nhưng chưa có dân cư trong sổ "
                                     "đăng ký."), unit=unit, count=count))
    derived = rate_from_count(count, population)
    check_rate(derived, Message(N_("Chỉ tiêu %(count)s người trên %(population)s dân cư của đơn vị '%(unit)s'"),
                                count=count, population=population, unit=unit))
    return derived


def _applying_targets(con, codes: list[str], year: int, group: str) -> dict[str, tuple[str, str, Decimal | None, int | None]]:
    """Per unit, the target that applies to it: its own, else its commune's, else its province's —
    as (holding unit, its level, rate, count)."""
    if not codes:
        return {}
    found = con.execute(
        """
        SELECT u.code, t.unit_code, h.level, CAST(t.rate AS DECIMAL(5, 2)), t.count
        FROM units u
        JOIN db.targets t ON t.unit_code IN (u.code, u.commune_code, u.province_code)
        JOIN units h ON h.code = t.unit_code
        WHERE list_contains($codes, u.code) AND t.year = $year AND t.group_code = $group
        QUALIFY row_number() OVER (
            PARTITION BY u.code
            ORDER BY CASE t.unit_code WHEN u.code THEN 0 WHEN u.commune_code THEN 1 ELSE 2 END) = 1
        """,
        {"codes": codes, "year": year, "group": group},
    ).fetchall()
    return {code: (holder, level, rate, count) for code, holder, level, rate, count in found}
