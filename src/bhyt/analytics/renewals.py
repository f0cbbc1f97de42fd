"""When cards run out, how often they are renewed, and how often uninsured residents join: the
observations a forecast or a risk list rests on, set-based on the analytics snapshot.

- Continuous coverage from a day: the cards covering it, merged with every card that overlaps or
  follows them without a gap (a card already paid for the next period, starting the day after the
  current one ends, is a renewal already made). Its last day is when the person's coverage ends.
- A card expiry: a day on which a card ends and no other card of the person continues past it
  (overlapping cards merge; a card starting the next day does not hide the expiry, it renews it).
  Renewed within the grace period: the next card starts at most `grace_days` days after the day
  after expiry (renewed the next day: 0 days without a card).
- Renewal rate: of the expiries in the twelve months that end `grace_days + 1` days before `as_of`
  (so every grace period has passed by `as_of`), the share renewed within the grace period. Only
  people who lived in the unit, alive, from the expiry to the end of the grace period count: people
  who died or moved away before then had no card to renew there.
- Enrolment rate: over the twelve months before `as_of`, month by month (same day of the month, or
  the month's end when it has no such day), the share of the residents uninsured at the start of the
  month who are insured at its end. People within `grace_days` of their last card's expiry are left
  out: whether they come back is what the renewal rate measures.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

import duckdb

from bhyt.analytics.coverage import check_level, check_scope
from bhyt.domain.card_validity import add_months
from bhyt.domain.forecast import PROVINCE, UNIT, ObservedRate
from bhyt.domain.messages import Message, N_

GRACE_DAYS = 30  # a household may renew with no gap only by paying before expiry; a month is the usual slack
MIN_OBSERVED = 30  # fewer expiries (or uninsured person-months) than this at a unit: the province's rate is used
WITHIN_DAYS = (30, 60, 90)
OBSERVED_MONTHS = 12
ALL_CODES = ""  # the key of counts over every participant code together

_LEVEL_COLUMN = {"province": "province_code", "commune": "commune_code", "hamlet": "hamlet_code"}


@dataclass(frozen=True)
class ExpiryRow:
    """Residents of a unit insured on `as_of` under one participant code (the priority order picks
    one per person): how many, how many have coverage ending within each number of days (ending on or
    before as_of + days), and how many lose coverage in each month (keyed by the month's end: the
    month of the first day without a card)."""

    unit_code: str
    participant_code: str
    insured: int
    within: Mapping[int, int]
    lapses: Mapping[date, int] = field(repr=False)


@dataclass(frozen=True)
class RateCounts:
    unit_code: str
    key: str  # participant code, or ALL_CODES for all codes together
    successes: int
    trials: int


def scope(con: duckdb.DuckDBPyConnection, level: str, unit: str | None) -> tuple[str, str, dict]:
    """The residences column naming the unit of `level`, and the filter keeping `unit`'s residences."""
    check_level(level)
    column = _LEVEL_COLUMN[level]
    if unit is None:
        return column, f"r.{column} IS NOT NULL", {}
    unit_level = check_scope(con, unit, level)
    return column, f"r.{column} IS NOT NULL AND r.{_LEVEL_COLUMN[unit_level]} = $unit", {"unit": unit}


def _resident(on: str, through: str | None = None) -> str:
    """Resident on `on` (and, given `through`, without leaving or dying until that day)."""
    last = through or on
    return (f"(r.arrived_on IS NULL OR r.arrived_on <= {on}) AND (r.left_on IS NULL OR r.left_on >= {last}) "
            f"AND (r.death_date IS NULL OR r.death_date > {last})")


def expiry_schedule(
    con: duckdb.DuckDBPyConnection,
    as_of: date,
    level: str,
    unit: str | None = None,
    within: Iterable[int] = WITHIN_DAYS,
    until: date | None = None,
) -> list[ExpiryRow]:
    """Per unit of `level` (inside `unit`) and participant code, the insured residents on `as_of` and
    when their continuous coverage ends; lapse months after `until` are left out of `lapses`."""
    column, where, params = scope(con, level, unit)
    within = sorted(set(within))
    counts = ", ".join(f"count_if(ended <= $as_of + {int(days)})" for days in within)
    # One residence per person and commune: only a province can hold a person twice on one day.
    distinct = "DISTINCT" if level == "province" else ""
    found = con.execute(
        f"""
        WITH covered AS (
            -- at most one coverage segment of a residence covers a day; it carries the code picked that day
            SELECT {distinct} r.person_id, r.{column} AS unit_code, r.participant_code AS code FROM coverage_facts r
            WHERE {where} AND {_resident('$as_of')} AND r.covered_from <= $as_of AND r.covered_to >= $as_of
        ),
        coverage AS (
            -- the end of the run of segments covering as_of: the first end from as_of on that no segment
            -- continues the next day
            SELECT s.person_id, min(s.covered_to) AS ended FROM card_segments s
            WHERE s.covered_to >= $as_of AND s.person_id IN (SELECT person_id FROM covered) AND NOT EXISTS (
                SELECT 1 FROM card_segments n WHERE n.person_id = s.person_id AND n.covered_from = s.covered_to + 1)
            GROUP BY s.person_id
        ),
        insured AS (
            SELECT r.unit_code, r.code, c.ended FROM covered r JOIN coverage c USING (person_id)
        ),
        totals AS (
            SELECT unit_code, code, count(*) AS insured, [{counts}] AS within FROM insured GROUP BY ALL
        ),
        months AS (
            SELECT unit_code, code, list(struct_pack(month := lapse, people := people)) AS lapses
            FROM (SELECT unit_code, code, last_day(ended + 1) AS lapse, count(*) AS people FROM insured
                  WHERE $until IS NULL OR last_day(ended + 1) <= $until GROUP BY ALL)
            GROUP BY ALL
        )
        SELECT t.unit_code, t.code, t.insured, t.within, m.lapses
        FROM totals t LEFT JOIN months m USING (unit_code, code)
        ORDER BY t.unit_code, t.code
        """,
        {"as_of": as_of, "until": until, **params},
    ).fetchall()
    return [
        ExpiryRow(unit_code, code, insured, dict(zip(within, counts)),
                  {lapse["month"]: lapse["people"] for lapse in lapses or []})
        for unit_code, code, insured, counts, lapses in found
    ]


def renewal_window(as_of: date, grace_days: int = GRACE_DAYS) -> tuple[date, date]:
    """The first and last expiry day whose renewals are observed as of `as_of`."""
    last = as_of - timedelta(days=grace_days + 1)
    return add_months(last, -OBSERVED_MONTHS) + timedelta(days=1), last


def renewal_counts(
    con: duckdb.DuckDBPyConnection, as_of: date, level: str, unit: str | None = None, grace_days: int = GRACE_DAYS
) -> list[RateCounts]:
    """Per unit and participant code (and over all codes, key ALL_CODES): card expiries in the
    renewal window and how many were renewed within the grace period."""
    _check_grace(grace_days)
    column, where, params = scope(con, level, unit)
    first, last = renewal_window(as_of, grace_days)
    found = con.execute(
        f"""
        WITH ends AS (
            SELECT person_id, valid_to AS ended, arg_min(participant_code, priority) AS code FROM cards
            WHERE valid_to BETWEEN $first AND $last AND person_id IN (SELECT person_id FROM residences r WHERE {where})
            GROUP BY ALL
        ),
        expiries AS (
            -- an overlapping card hides an end; a card starting the next day renews it
            SELECT * FROM ends e WHERE NOT EXISTS (
                SELECT 1 FROM cards c
                WHERE c.person_id = e.person_id AND c.valid_from <= e.ended AND c.valid_to > e.ended)
        ),
        followed AS (
            SELECT e.*, EXISTS (
                SELECT 1 FROM cards c
                WHERE c.person_id = e.person_id AND c.valid_from > e.ended AND c.valid_from <= e.ended + 1 + $grace
            ) AS renewed
            FROM expiries e
        ),
        observed AS (
            SELECT DISTINCT r.{column} AS unit_code, f.person_id, f.ended, f.code, f.renewed
            FROM followed f JOIN residences r ON r.person_id = f.person_id
            WHERE f.ended BETWEEN $first AND $last AND {where}
              AND {_resident('f.ended', f'f.ended + 1 + $grace')}
        )
        SELECT unit_code, CASE WHEN grouping(code) = 1 THEN $all ELSE code END AS key, count_if(renewed), count(*)
        FROM observed GROUP BY GROUPING SETS ((unit_code, code), (unit_code))
        ORDER BY ALL
        """,
        {"first": first, "last": last, "grace": grace_days, "all": ALL_CODES, **params},
    ).fetchall()
    return [RateCounts(*row) for row in found]


def enrolment_window(as_of: date) -> tuple[date, date]:
    return add_months(as_of, -OBSERVED_MONTHS), as_of


def enrolment_counts(
    con: duckdb.DuckDBPyConnection, as_of: date, level: str, unit: str | None = None, grace_days: int = GRACE_DAYS
) -> list[RateCounts]:
    """Per unit (key ALL_CODES): over the observed months, the uninsured residents at the start of a
    month (not within the grace period of an expiry) and how many of them were insured at its end."""
    _check_grace(grace_days)
    column, where, params = scope(con, level, unit)
    bounds = [add_months(as_of, -months) for months in range(OBSERVED_MONTHS, -1, -1)]
    months = list(zip(bounds[:-1], bounds[1:]))
    # One bit per month: each card, residence and person carries the months it concerns as a bit set,
    # so nothing is multiplied by the number of months.
    every_month = (1 << len(months)) - 1

    def bits(condition: str) -> str:
        return " | ".join(
            f"CASE WHEN {condition.format(opened=f'DATE {str(opened)!r}', closed=f'DATE {str(closed)!r}')} "
            f"THEN {1 << index} ELSE 0 END"
            for index, (opened, closed) in enumerate(months)
        )

    found = con.execute(
        f"""
        WITH residents AS (
            -- each residence's rows carry every coverage segment of the person: a segment covers the
            -- same days as the cards it merges
            SELECT r.person_id, r.{column} AS unit_code,
                   bit_or({bits(_resident("{opened}", "{closed}"))}) AS present,
                   -- covered on the opening day, or within the grace period after coverage ended
                   bit_or({bits("r.covered_from <= {opened} AND r.covered_to >= {opened} - $grace")}) AS protected,
                   bit_or({bits("r.covered_from <= {closed} AND r.covered_to >= {closed}")}) AS insured_at_close
            FROM coverage_facts r WHERE {where}
              -- insured on every opening day: never among the uninsured, nothing to count
              AND r.person_id NOT IN (
                  SELECT person_id FROM card_segments WHERE covered_from <= $first AND covered_to >= $last_opened)
            GROUP BY ALL
        ),
        uninsured AS (
            SELECT unit_code, present & ({every_month} - protected) AS months, insured_at_close FROM residents
        )
        SELECT unit_code, sum(bit_count(months & insured_at_close)), sum(bit_count(months)) AS uninsured
        FROM uninsured GROUP BY unit_code HAVING uninsured > 0 ORDER BY unit_code
        """,
        {"first": bounds[0], "last_opened": bounds[-2], "grace": grace_days, **params},
    ).fetchall()
    return [RateCounts(unit_code, ALL_CODES, joined, uninsured) for unit_code, joined, uninsured in found]


def _check_grace(grace_days: int) -> None:
    if not 0 <= grace_days <= 365:
        raise ValueError(Message(N_("Thời gian chờ gia hạn phải từ 0 đến 365 ngày (nhận %(days)s)."), days=grace_days))


@dataclass(frozen=True)
class Rates:
    """Observed counts at the units and at their provinces, and the rule that picks the rate used:
    the unit's own when it rests on at least `minimum` observations, else the province's when it has
    any, else `assumed`."""

    units: Mapping[tuple[str, str], tuple[int, int]]
    provinces: Mapping[tuple[str, str], tuple[int, int]]
    province_of: Mapping[str, str]
    minimum: int
    assumed: ObservedRate

    def rate(self, unit_code: str, key: str) -> ObservedRate:
        successes, trials = self.units.get((unit_code, key), (0, 0))
        if trials >= self.minimum and trials:
            return ObservedRate.observed(successes, trials, UNIT)
        successes, trials = self.provinces.get((self.province_of[unit_code], key), (0, 0))
        if trials:
            return ObservedRate.observed(successes, trials, PROVINCE)
        return self.assumed


def observed_rates(
    con: duckdb.DuckDBPyConnection,
    counts: list[RateCounts],
    province_counts: list[RateCounts],
    minimum: int,
    assumed: ObservedRate,
) -> Rates:
    province_of = dict(con.execute("SELECT code, province_code FROM units").fetchall())
    return Rates(
        {(row.unit_code, row.key): (row.successes, row.trials) for row in counts},
        {(row.unit_code, row.key): (row.successes, row.trials) for row in province_counts},
        province_of,
        minimum,
        assumed,
    )


def province_of(con: duckdb.DuckDBPyConnection, unit: str | None) -> str | None:
    """The province holding `unit` (None: every province)."""
    if unit is None:
        return None
    return con.execute("SELECT province_code FROM units WHERE code = ?", [unit]).fetchone()[0]


def lapses_by_unit(rows: Iterable[ExpiryRow]) -> dict[str, dict[tuple[str, date], int]]:
    """The expiry schedule as the forecast takes it: per unit, people per (code, lapse month)."""
    by_unit: dict[str, dict[tuple[str, date], int]] = defaultdict(dict)
    for row in rows:
        for month, people in row.lapses.items():
            by_unit[row.unit_code][row.participant_code, month] = people
    return by_unit
