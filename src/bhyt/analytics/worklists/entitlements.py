"""Who is entitled to a budget-paid or budget-supported card, from what the registry knows: age and
the household's classification. The rules are data (`domain/data/entitlements.csv`, with their
legal source, effective dates and the assumptions they rest on); this module turns the rules in
force on a day into one SQL query over the snapshot.

A rule holds for a resident on a day:
- `age`: their completed age is between `min_age` and `max_age` (no `max_age`: no upper bound), and
  they were never covered under a code of the statutory group `unless_group` (which stands for data
  the registry lacks: group 2, paid by BHXH, for a pension);
- `household`: their household's classification for the calendar year of the day is `classification`.

Each holding rule also says since when: the birthday on which the age was reached, or 1 January of
the first year of the household's unbroken run of that classification (and never before birth).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bhyt.analytics.worklists.common import completed_age
from bhyt.domain.legal_data import effective_rows, read_table
from bhyt.domain.messages import Named
from bhyt.domain.participants import participant

KINDS = ("age", "household")


@dataclass(frozen=True)
class Entitlement:
    rule: str
    participant_code: str
    kind: str
    min_age: int | None
    max_age: int | None
    classification: str | None
    unless_group: int | None
    label_vi: str
    label_en: str

    @property
    def label(self) -> Named:
        return Named(self.label_vi, self.label_en)

    @property
    def priority(self) -> int:
        return participant(self.participant_code).priority


def _optional_int(text: str) -> int | None:
    return int(text) if text else None


def entitlements_on(day: date) -> tuple[Entitlement, ...]:
    rules = []
    for row in effective_rows(read_table("entitlements"), day):
        if row["kind"] not in KINDS:
            raise ValueError(f"entitlements.csv: unknown kind {row['kind']!r} for {row['rule']}")
        rules.append(Entitlement(
            rule=row["rule"],
            participant_code=participant(row["participant_code"]).code,
            kind=row["kind"],
            min_age=_optional_int(row["min_age"]),
            max_age=_optional_int(row["max_age"]),
            classification=row["classification"] or None,
            unless_group=_optional_int(row["unless_group"]),
            label_vi=row["label_vi"],
            label_en=row["label_en"],
        ))
    return tuple(rules)


def birthday(birth: str, years: int) -> str:
    """The day a person born on `birth` completes `years` years (born 29/02: 01/03 in a common year,
    as `completed_age` counts)."""
    return f"(make_date(year({birth}) + {int(years)}, month({birth}), 1) + CAST(day({birth}) - 1 AS INTEGER))"


def holding(rules: tuple[Entitlement, ...], people: str, day: str = "$as_of") -> str:
    """Rows (person_id, rule, participant_code, priority, since) for every rule that holds on `day`
    for the people of the query `people` (with person_id, birth_date, household_id and groups_held,
    the bit set of statutory groups they were ever covered under: see common.coverage_of)."""
    parts = []
    for rule in rules:
        select = (f"SELECT e.person_id, '{rule.rule}' AS rule, '{rule.participant_code}' AS participant_code, "
                  f"{rule.priority} AS priority")
        if rule.kind == "age":
            age = completed_age("e.birth_date", day)
            upper = "" if rule.max_age is None else f" AND {age} <= {int(rule.max_age)}"
            unless = ("" if rule.unless_group is None
                      else f" AND coalesce(e.groups_held, 0) & (1 << {int(rule.unless_group)}) = 0")
            parts.append(f"{select}, {birthday('e.birth_date', rule.min_age or 0)} AS since "
                         f"FROM entitled_people e WHERE {age} >= {int(rule.min_age or 0)}{upper}{unless}")
        else:
            parts.append(f"{select}, greatest(make_date(c.first_year, 1, 1), e.birth_date) AS since "
                         f"FROM entitled_people e JOIN classification_runs c ON c.household_id = e.household_id "
                         f"AND c.year = year({day}) AND c.classification = '{rule.classification}'")
    if not parts:
        return ("SELECT NULL::INTEGER AS person_id, NULL::VARCHAR AS rule, NULL::VARCHAR AS participant_code, "
                "NULL::INTEGER AS priority, NULL::DATE AS since WHERE false")
    union = "\nUNION ALL\n".join(parts)
    return f"""
        WITH entitled_people AS MATERIALIZED ({people}),
        classification_runs AS (
            -- the first year of each household's unbroken run of one classification
            SELECT household_id, classification, year,
                   min(year) OVER (PARTITION BY household_id, classification, year - position) AS first_year
            FROM (SELECT *, row_number() OVER (PARTITION BY household_id, classification ORDER BY year) AS position
                  FROM household_classifications
                  WHERE household_id IN (SELECT household_id FROM entitled_people))
        )
        {union}
    """
