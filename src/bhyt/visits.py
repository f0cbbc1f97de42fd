"""The visit log: officers and collection agents record each visit to a household (or one person in
it), households are put in an officer's charge hamlet by hamlet, and progress is counted per hamlet
and per officer.

Recording and assigning write the system of record; progress and the reasons roll-up are questions
for the analytics connection (`engine.analytics`), which joins the visits, read live from `db`, to the
snapshot's card periods. What the counts mean, for households of the unit, as of a day D (visits
after D are not seen):

- assigned: the household has an officer (only the current assignment is kept);
- visited: it had a visit by D;
- joined: someone the visits were about — the person named, or every member when a visit named the
  household — holds a card on D that began on or after the household's first visit;
- follow-up due: its latest visit by D set a follow-up on or before D, and it has not joined;
- reason: the reason of its latest visit that gave one, unless its latest visit recorded it joined.

Per officer, `visited` and `joined` count the households the officer visited (a household two officers
visited counts for both), and a follow-up is due from the officer who made the latest visit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import duckdb
from sqlalchemy import Date, Engine, bindparam, func, select, text
from sqlalchemy.orm import aliased

from bhyt.analytics.worklists.common import scope
from bhyt.domain.messages import Message, N_
from bhyt.store.models import Household, Person, Unit, Visit, VisitReason

# The outcomes of a visit, as stored (ck_visits_outcome) and as an officer reads them.
OUTCOMES = {
    "joined": "Đã tham gia",
    "promised": "Hẹn sẽ tham gia",
    "refused": "Từ chối",
    "not_home": "Không gặp",
    "other": "Khác",
}


# The widths of visits.officer and visits.note: longer text is refused, not cut (PostgreSQL would refuse
# it with a database error, SQLite would keep it whole).
OFFICER_LENGTH = 100
NOTE_LENGTH = 1000


class VisitError(ValueError):
    """A visit or assignment the log refuses, with the reason in Vietnamese: a `Message`, so that the web
    can show it in English."""


@dataclass(frozen=True)
class Reason:
    code: str
    name: str
    active: bool


def reasons(engine: Engine) -> list[Reason]:
    with engine.connect() as connection:
        found = connection.execute(select(VisitReason.code, VisitReason.name, VisitReason.active)
                                   .order_by(VisitReason.active.desc(), VisitReason.code)).all()
    return [Reason(code, name, bool(active)) for code, name, active in found]


def record_visit(engine: Engine, household_code: str, visited_on: date, officer: str, outcome: str,
                 recorded_by: str, person_id: str | None = None, reason_code: str | None = None,
                 note: str | None = None, follow_up_on: date | None = None,
                 now: datetime | None = None) -> int:
    """Write one visit and give its id. `person_id` is the person's personal ID number, who must
    belong to the household; a refusal needs a reason from the active catalogue; a follow-up cannot
    come before the visit."""
    officer = officer.strip()
    if not officer:
        raise VisitError(Message(N_("Cần ghi tên cán bộ đi thăm.")))
    if len(officer) > OFFICER_LENGTH:
        raise VisitError(Message(N_("Tên cán bộ dài quá %(length)s ký tự."), length=OFFICER_LENGTH))
    if note is not None and len(note) > NOTE_LENGTH:
        raise VisitError(Message(N_("Ghi chú dài quá %(length)s ký tự (%(written)s ký tự)."), length=NOTE_LENGTH,
                                 written=len(note)))
    if outcome not in OUTCOMES:
        raise VisitError(Message(N_("Kết quả '%(outcome)s' không hợp lệ; chọn một trong: %(outcomes)s."),
                                 outcome=outcome, outcomes=", ".join(OUTCOMES)))
    if outcome == "refused" and not reason_code:
        raise VisitError(Message(N_("Hộ từ chối tham gia: cần ghi lý do.")))
    if follow_up_on is not None and follow_up_on < visited_on:
        raise VisitError(Message(N_("Ngày hẹn thăm lại %(follow_up)s trước ngày thăm %(visited)s."),
                                 follow_up=f"{follow_up_on:%d/%m/%Y}", visited=f"{visited_on:%d/%m/%Y}"))
    with engine.begin() as connection:
        household = connection.execute(select(Household.id).where(Household.code == household_code)).scalar()
        if household is None:
            raise VisitError(Message(N_("Không có hộ mã '%(code)s'."), code=household_code))
        person = None
        if person_id is not None:
            found = connection.execute(select(Person.id, Person.household_id)
                                       .where(Person.personal_id == person_id)).first()
            if found is None:
                raise VisitError(Message(N_("Không có người có số định danh '%(personal_id)s'."),
                                         personal_id=person_id))
            if found.household_id != household:
                raise VisitError(Message(N_("Người có số định danh '%(personal_id)s' không thuộc hộ %(code)s."),
                                         personal_id=person_id, code=household_code))
            person = found.id
        if reason_code is not None:
            active = connection.execute(select(VisitReason.active).where(VisitReason.code == reason_code)).scalar()
            if active is None:
                raise VisitError(Message(N_("Không có lý do mã '%(code)s' (xem: bhyt visits reasons)."),
                                         code=reason_code))
            if not active:
                raise VisitError(Message(N_("Lý do '%(code)s' đã ngừng sử dụng."), code=reason_code))
        return connection.execute(Visit.__table__.insert().values(
            household_id=household, person_id=person, visited_on=visited_on, officer=officer, outcome=outcome,
            reason_code=reason_code, note=note or None, follow_up_on=follow_up_on,
            recorded_at=now or datetime.now(), recorded_by=recorded_by,
        ).returning(Visit.id)).scalar_one()


@dataclass(frozen=True)
class Member:
    id: int
    personal_id: str
    full_name: str
    birth_date: date


@dataclass(frozen=True)
class HouseholdToVisit:
    """A household as the visit form shows it: where it is (for the scope check) and who lives in it."""

    code: str
    head_name: str | None
    commune_code: str
    hamlet_code: str | None
    hamlet_name: str | None
    members: list[Member]


def household_to_visit(engine: Engine, code: str) -> HouseholdToVisit | None:
    with engine.connect() as connection:
        found = connection.execute(
            select(Household.id, Household.code, Household.head_name, Household.commune_code, Household.hamlet_code,
                   Unit.name)
            .outerjoin(Unit, Unit.code == Household.hamlet_code).where(Household.code == code)).first()
        if found is None:
            return None
        members = connection.execute(
            select(Person.id, Person.personal_id, Person.full_name, Person.birth_date)
            .where(Person.household_id == found.id, Person.death_date.is_(None))
            .order_by(Person.birth_date, Person.id)).all()
    return HouseholdToVisit(found.code, found.head_name, found.commune_code, found.hamlet_code, found.name,
                            [Member(*member) for member in members])


# One statement for the whole hamlet. A household already in the officer's charge keeps its row and
# date, so assigning a hamlet again changes nothing.
_ASSIGN = text("""
    INSERT INTO assignments (household_id, officer, assigned_on, assigned_by)
    SELECT id, :officer, :assigned_on, :assigned_by FROM households WHERE hamlet_code = :hamlet
    ON CONFLICT (household_id) DO UPDATE
        SET officer = excluded.officer, assigned_on = excluded.assigned_on, assigned_by = excluded.assigned_by
        WHERE assignments.officer <> excluded.officer
""").bindparams(bindparam("assigned_on", type_=Date))


@dataclass(frozen=True)
class Assigned:
    households: int  # households of the hamlet
    changed: int  # of them, newly put in the officer's charge


def assign_hamlet(engine: Engine, hamlet: str, officer: str, assigned_by: str, assigned_on: date) -> Assigned:
    """Put every household of `hamlet` in `officer`'s charge, replacing whoever had it."""
    officer = officer.strip()
    if not officer:
        raise VisitError(Message(N_("Cần ghi tên cán bộ được giao.")))
    with engine.begin() as connection:
        level = connection.execute(select(Unit.level).where(Unit.code == hamlet)).scalar()
        if level != "hamlet":
            raise VisitError(Message(N_("Không có thôn, tổ mã '%(code)s'."), code=hamlet) if level is None else
                             Message(N_("Mã '%(code)s' không phải thôn, tổ: giao hộ theo từng thôn."), code=hamlet))
        households = connection.execute(select(func.count()).where(Household.hamlet_code == hamlet)).scalar_one()
        changed = connection.execute(_ASSIGN, {"officer": officer, "assigned_on": assigned_on,
                                               "assigned_by": assigned_by, "hamlet": hamlet}).rowcount
    return Assigned(households, changed)


@dataclass(frozen=True)
class VisitRow:
    visited_on: date
    household_code: str
    household_head: str | None
    hamlet_name: str | None
    personal_id: str | None
    full_name: str | None
    officer: str
    outcome: str
    reason_code: str | None
    reason_name: str | None
    note: str | None
    follow_up_on: date | None

    @property
    def outcome_name(self) -> str:
        return OUTCOMES[self.outcome]


def list_visits(engine: Engine, unit: str, date_from: date | None = None,
                date_to: date | None = None) -> list[VisitRow]:
    """The visits to households of `unit` (province, commune or hamlet), by hamlet, household and date."""
    hamlet, commune = aliased(Unit), aliased(Unit)
    with engine.connect() as connection:
        level = connection.execute(select(Unit.level).where(Unit.code == unit)).scalar()
        if level is None:
            raise VisitError(Message(N_("Không có đơn vị mã '%(code)s'."), code=unit))
        where = {"province": commune.parent_code == unit, "commune": Household.commune_code == unit,
                 "hamlet": Household.hamlet_code == unit}[level]
        query = (
            select(Visit.visited_on, Household.code, Household.head_name, hamlet.name, Person.personal_id,
                   Person.full_name, Visit.officer, Visit.outcome, Visit.reason_code, VisitReason.name, Visit.note,
                   Visit.follow_up_on)
            .join(Household, Household.id == Visit.household_id)
            .join(commune, commune.code == Household.commune_code)
            .outerjoin(hamlet, hamlet.code == Household.hamlet_code)
            .outerjoin(Person, Person.id == Visit.person_id)
            .outerjoin(VisitReason, VisitReason.code == Visit.reason_code)
            .where(where)
            .order_by(Household.hamlet_code, Household.code, Visit.visited_on, Visit.id)
        )
        if date_from is not None:
            query = query.where(Visit.visited_on >= date_from)
        if date_to is not None:
            query = query.where(Visit.visited_on <= date_to)
        return [VisitRow(*row) for row in connection.execute(query)]


@dataclass(frozen=True)
class Progress:
    key: str | None  # hamlet code or officer; None for households without a hamlet
    name: str
    households: int | None  # households of the hamlet (by officer: not counted)
    assigned: int
    visited: int
    joined: int
    follow_ups_due: int


_SCOPE = {"province": "c.parent_code = $unit", "commune": "h.commune_code = $unit", "hamlet": "h.hamlet_code = $unit"}
NO_HAMLET = "(chưa rõ thôn, tổ)"


def _visit_facts(level: str) -> str:
    """The households of the unit and, as of $as_of, their visits, first and latest visit and whether
    they joined since the first (see the module's notes)."""
    return f"""
        households AS MATERIALIZED (
            SELECT h.id AS household_id, h.hamlet_code FROM db.households h JOIN units c ON c.code = h.commune_code
            WHERE {_SCOPE[level]}
        ),
        visits AS MATERIALIZED (
            SELECT v.id, v.household_id, v.person_id, CAST(v.visited_on AS DATE) AS visited_on, v.officer, v.outcome,
                   v.reason_code, CAST(v.follow_up_on AS DATE) AS follow_up_on
            FROM db.visits v JOIN households USING (household_id) WHERE CAST(v.visited_on AS DATE) <= $as_of
        ),
        first_visits AS (SELECT household_id, min(visited_on) AS first_on FROM visits GROUP BY household_id),
        latest AS (
            SELECT * FROM visits
            QUALIFY row_number() OVER (PARTITION BY household_id ORDER BY visited_on DESC, id DESC) = 1
        ),
        visited_people AS (
            SELECT household_id, person_id FROM visits WHERE person_id IS NOT NULL
            UNION
            SELECT v.household_id, p.id FROM visits v JOIN persons p ON p.household_id = v.household_id
            WHERE v.person_id IS NULL
        ),
        joined AS (
            SELECT DISTINCT t.household_id FROM visited_people t
            JOIN first_visits f USING (household_id)
            JOIN cards k ON k.person_id = t.person_id
            WHERE k.valid_from >= f.first_on AND k.valid_from <= $as_of AND k.valid_to >= $as_of
        ),
        due AS (
            SELECT l.household_id, l.officer FROM latest l
            WHERE l.follow_up_on <= $as_of AND l.household_id NOT IN (SELECT household_id FROM joined)
        )
    """


def progress_by_hamlet(con: duckdb.DuckDBPyConnection, unit: str, as_of: date) -> list[Progress]:
    unit_scope = scope(con, unit)
    found = con.execute(f"""
        WITH {_visit_facts(unit_scope.level)}
        SELECT h.hamlet_code, any_value(u.name), count(*),
               count(a.household_id), count(f.household_id), count(j.household_id), count(d.household_id)
        FROM households h
        LEFT JOIN db.assignments a USING (household_id)
        LEFT JOIN first_visits f USING (household_id)
        LEFT JOIN joined j USING (household_id)
        LEFT JOIN due d USING (household_id)
        LEFT JOIN units u ON u.code = h.hamlet_code
        GROUP BY h.hamlet_code ORDER BY h.hamlet_code NULLS LAST
    """, {"unit": unit, "as_of": as_of}).fetchall()
    return [Progress(code, name or NO_HAMLET, *counts) for code, name, *counts in found]


def progress_by_officer(con: duckdb.DuckDBPyConnection, unit: str, as_of: date) -> list[Progress]:
    unit_scope = scope(con, unit)
    found = con.execute(f"""
        WITH {_visit_facts(unit_scope.level)},
        charge AS (
            SELECT a.officer, count(*) AS assigned FROM db.assignments a JOIN households USING (household_id)
            GROUP BY a.officer
        ),
        work AS (
            SELECT v.officer, count(DISTINCT v.household_id) AS visited,
                   count(DISTINCT v.household_id) FILTER (WHERE v.household_id IN (SELECT household_id FROM joined))
                       AS joined
            FROM visits v GROUP BY v.officer
        ),
        owed AS (SELECT officer, count(*) AS due FROM due GROUP BY officer)
        SELECT officer, coalesce(c.assigned, 0), coalesce(w.visited, 0), coalesce(w.joined, 0), coalesce(o.due, 0)
        FROM charge c FULL JOIN work w USING (officer) FULL JOIN owed o USING (officer)
        ORDER BY officer
    """, {"unit": unit, "as_of": as_of}).fetchall()
    return [Progress(officer, officer, None, *counts) for officer, *counts in found]


@dataclass(frozen=True)
class ReasonCount:
    hamlet_code: str | None
    hamlet_name: str
    reason_code: str
    reason_name: str
    households: int


def reasons_by_hamlet(con: duckdb.DuckDBPyConnection, unit: str, as_of: date) -> list[ReasonCount]:
    """Households of `unit` per hamlet and latest reason for not joining, as of `as_of`: the roll-up the
    coverage reports carry beside the uninsured."""
    unit_scope = scope(con, unit)
    found = con.execute(f"""
        WITH {_visit_facts(unit_scope.level)},
        reasoned AS (
            SELECT household_id, reason_code FROM visits WHERE reason_code IS NOT NULL
            QUALIFY row_number() OVER (PARTITION BY household_id ORDER BY visited_on DESC, id DESC) = 1
        )
        SELECT h.hamlet_code, any_value(u.name), r.reason_code, any_value(vr.name), count(*) AS households
        FROM reasoned r
        JOIN households h USING (household_id)
        JOIN latest l USING (household_id)
        JOIN db.visit_reasons vr ON vr.code = r.reason_code
        LEFT JOIN units u ON u.code = h.hamlet_code
        WHERE l.outcome <> 'joined'
        GROUP BY h.hamlet_code, r.reason_code
        ORDER BY h.hamlet_code NULLS LAST, households DESC, r.reason_code
    """, {"unit": unit, "as_of": as_of}).fetchall()
    return [ReasonCount(code, name or NO_HAMLET, reason, reason_name, count)
            for code, name, reason, reason_name, count in found]
