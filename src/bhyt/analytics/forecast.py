"""Projected coverage of a unit and of each unit inside it, to the end of a year and to 2030, from
the registry as of a day: who is insured and until when, the renewal rate of each participant code
and the monthly enrolment of the uninsured, observed over the year before (see `renewals`). The
model and what it assumes are in `bhyt.domain.forecast`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from fractions import Fraction

import duckdb

from bhyt.analytics.coverage import LEVELS, CoverageRow, UnknownUnit, coverage
from bhyt.analytics.renewals import (
    ALL_CODES,
    GRACE_DAYS,
    MIN_OBSERVED,
    ExpiryRow,
    RateCounts,
    enrolment_counts,
    enrolment_window,
    expiry_schedule,
    lapses_by_unit,
    observed_rates,
    province_of,
    renewal_counts,
    renewal_window,
)
from bhyt.domain.forecast import (
    HORIZON_YEAR,
    Assumptions,
    ObservedRate,
    ProjectedMonth,
    Projection,
    StartingState,
    project,
)
from bhyt.domain.messages import Message, N_

# With nothing observed: cards are taken to be renewed, and nobody uninsured to join.
ASSUMED_RENEWAL = ObservedRate(Fraction(1))
ASSUMED_ENROLMENT = ObservedRate(Fraction(0))


@dataclass(frozen=True)
class UnitForecast:
    unit_code: str
    unit_name: str
    projection: Projection

    @property
    def now(self) -> ProjectedMonth:
        return self.projection.months[0]


@dataclass(frozen=True)
class Forecast:
    as_of: date
    year: int
    unit: UnitForecast
    children: list[UnitForecast]

    @property
    def horizon_year(self) -> int:
        return max(self.year, HORIZON_YEAR)


def forecast(
    con: duckdb.DuckDBPyConnection,
    unit: str,
    year: int,
    as_of: date | None = None,
    grace_days: int = GRACE_DAYS,
    min_observed: int = MIN_OBSERVED,
) -> Forecast:
    """`unit` and its children (a province's communes, a commune's hamlets), projected to 31/12 of
    `year` and to 31/12/2030 (or of `year`, if later)."""
    as_of = as_of or date.today()
    if year < as_of.year:
        raise ValueError(Message(N_("Năm dự báo %(year)s đã qua so với ngày tính %(as_of)s."), year=year,
                                 as_of=f"{as_of:%d/%m/%Y}"))
    found = con.execute("SELECT level FROM units WHERE code = ?", [unit]).fetchone()
    if found is None:
        raise UnknownUnit.missing(unit)
    level = found[0]
    until = date(max(year, HORIZON_YEAR), 12, 31)
    provinces = observe_provinces(con, as_of, unit, grace_days)
    levels = LEVELS[LEVELS.index(level):LEVELS.index(level) + 2]  # the unit's, and its children's if any
    own, *children = (
        project_units(con, as_of, at, unit, until, coverage(con, as_of, at, unit),
                      expiry_schedule(con, as_of, at, unit), provinces, grace_days, min_observed)
        for at in levels
    )
    return Forecast(as_of, year, own[0], children[0] if children else [])


@dataclass(frozen=True)
class ProvinceObservations:
    """What the provinces in scope observed, for the units whose own observations are too few."""

    renewals: list[RateCounts]
    enrolment: list[RateCounts]


def observe_provinces(
    con: duckdb.DuckDBPyConnection, as_of: date, unit: str | None, grace_days: int = GRACE_DAYS
) -> ProvinceObservations:
    """Renewal and enrolment counts of the province holding `unit` (of every province when None)."""
    province = province_of(con, unit)
    return ProvinceObservations(
        renewal_counts(con, as_of, "province", province, grace_days),
        enrolment_counts(con, as_of, "province", province, grace_days),
    )


def project_units(
    con: duckdb.DuckDBPyConnection,
    as_of: date,
    level: str,
    unit: str | None,
    until: date,
    rows: list[CoverageRow],
    schedule: list[ExpiryRow],
    provinces: ProvinceObservations,
    grace_days: int = GRACE_DAYS,
    min_observed: int = MIN_OBSERVED,
) -> list[UnitForecast]:
    """The units of `rows` (their coverage on `as_of`), projected month by month from `as_of` to
    `until` from their expiry `schedule`, each on its own rates where they rest on at least
    `min_observed` observations and on its province's otherwise."""
    lapses = lapses_by_unit(schedule)
    own = provinces if level == "province" else ProvinceObservations(
        renewal_counts(con, as_of, level, unit, grace_days), enrolment_counts(con, as_of, level, unit, grace_days))
    renewals = observed_rates(con, own.renewals, provinces.renewals, min_observed, ASSUMED_RENEWAL)
    enrolment = observed_rates(con, own.enrolment, provinces.enrolment, min_observed, ASSUMED_ENROLMENT)
    forecasts = []
    for row in rows:
        unit_lapses = lapses.get(row.unit_code, {})
        assumptions = Assumptions(
            as_of=as_of,
            population=row.population,
            renewal={code: renewals.rate(row.unit_code, code) for code, _ in unit_lapses},
            enrollee_renewal=renewals.rate(row.unit_code, ALL_CODES),
            enrolment=enrolment.rate(row.unit_code, ALL_CODES),
            grace_days=grace_days,
            renewal_window=renewal_window(as_of, grace_days),
            enrolment_window=enrolment_window(as_of),
            min_observed=min_observed,
        )
        projected = project(StartingState(as_of, row.population, unit_lapses), assumptions, until)
        forecasts.append(UnitForecast(row.unit_code, row.unit_name, projected))
    return forecasts
