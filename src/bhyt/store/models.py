"""The system of record. One schema for SQLite and PostgreSQL.

Natural keys that officers know (personal ID, household code, unit code, BHXH number + start date)
are unique and indexed, because every import upserts on them; integer surrogate keys keep the
analytic joins narrow.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    SmallInteger,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Unit(Base):
    """Province (2-digit code), commune (5-digit code) or hamlet (`<commune>-<nnn>`)."""

    __tablename__ = "units"

    code: Mapped[str] = mapped_column(String(16), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    level: Mapped[str] = mapped_column(String(10), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    parent_code: Mapped[str | None] = mapped_column(ForeignKey("units.code"), index=True)

    __table_args__ = (
        CheckConstraint("level IN ('province', 'commune', 'hamlet')", name="ck_units_level"),
        # A hamlet is known by its name inside its commune: imports find it that way.
        UniqueConstraint("parent_code", "name", name="uq_units_parent_name"),
    )


class ImportLog(Base):
    __tablename__ = "import_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    file_name: Mapped[str] = mapped_column(String(500))
    file_sha256: Mapped[str] = mapped_column(String(64), index=True)
    status: Mapped[str] = mapped_column(String(10))
    rows: Mapped[int] = mapped_column(Integer)
    inserted: Mapped[int] = mapped_column(Integer, default=0)
    updated: Mapped[int] = mapped_column(Integer, default=0)
    unchanged: Mapped[int] = mapped_column(Integer, default=0)
    error_report: Mapped[str | None] = mapped_column(String(500))
    imported_by: Mapped[str | None] = mapped_column(String(100))
    started_at: Mapped[datetime] = mapped_column(DateTime)
    finished_at: Mapped[datetime] = mapped_column(DateTime)

    __table_args__ = (CheckConstraint("status IN ('ok', 'rejected')", name="ck_import_status"),)


class Household(Base):
    __tablename__ = "households"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    head_name: Mapped[str | None] = mapped_column(String(200))
    commune_code: Mapped[str] = mapped_column(ForeignKey("units.code"), index=True)
    hamlet_code: Mapped[str | None] = mapped_column(ForeignKey("units.code"), index=True)
    address: Mapped[str | None] = mapped_column(String(500))
    import_id: Mapped[int | None] = mapped_column(ForeignKey("import_log.id"))


class HouseholdClassification(Base):
    """Poor / near-poor / average-living-standard status, decided for one year at a time."""

    __tablename__ = "household_classifications"

    household_id: Mapped[int] = mapped_column(ForeignKey("households.id"), primary_key=True)
    year: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    classification: Mapped[str] = mapped_column(String(40))

    __table_args__ = (
        CheckConstraint(
            "classification IN ('ngheo', 'can_ngheo', 'nong_lam_ngu_diem_nghiep_tb', 'khac')",
            name="ck_household_classification",
        ),
    )


class Person(Base):
    __tablename__ = "persons"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    personal_id: Mapped[str] = mapped_column(String(12), unique=True)
    # No index on name or birth date: searches match inside names, which a B-tree cannot serve, and
    # each extra index slows every bulk import.
    full_name: Mapped[str] = mapped_column(String(200))
    birth_date: Mapped[date] = mapped_column(Date)
    sex: Mapped[int] = mapped_column(SmallInteger)
    household_id: Mapped[int | None] = mapped_column(ForeignKey("households.id"), index=True)
    relation_to_head: Mapped[str | None] = mapped_column(String(40))
    death_date: Mapped[date | None] = mapped_column(Date)
    import_id: Mapped[int | None] = mapped_column(ForeignKey("import_log.id"))
    # Digits only: a mobile number has 10 (03x, 05x, 07x, 08x, 09x), a landline 11 (02x).
    phone: Mapped[str | None] = mapped_column(String(11))

    __table_args__ = (CheckConstraint("sex IN (1, 2)", name="ck_persons_sex"),)


class Residence(Base):
    """Where a person lives: one row per commune, with the hamlet and the dates of arrival and departure."""

    __tablename__ = "residences"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"))
    commune_code: Mapped[str] = mapped_column(ForeignKey("units.code"), index=True)
    hamlet_code: Mapped[str | None] = mapped_column(ForeignKey("units.code"), index=True)
    arrived_on: Mapped[date | None] = mapped_column(Date)
    left_on: Mapped[date | None] = mapped_column(Date)

    __table_args__ = (UniqueConstraint("person_id", "commune_code", name="uq_residences_person_commune"),)


class CardPeriod(Base):
    __tablename__ = "card_periods"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"))
    bhxh_number: Mapped[str] = mapped_column(String(10))
    card_code: Mapped[str | None] = mapped_column(String(15), index=True)
    participant_code: Mapped[str] = mapped_column(String(2), index=True)
    benefit_level: Mapped[int] = mapped_column(SmallInteger)
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date] = mapped_column(Date)
    first_contact_facility: Mapped[str | None] = mapped_column(String(5))
    source: Mapped[str] = mapped_column(String(200))
    import_id: Mapped[int | None] = mapped_column(ForeignKey("import_log.id"))

    __table_args__ = (
        UniqueConstraint("bhxh_number", "valid_from", name="uq_card_periods_bhxh_from"),
        Index("ix_card_periods_person_to", "person_id", "valid_to"),
        Index("ix_card_periods_dates", "valid_from", "valid_to"),
        CheckConstraint("valid_from <= valid_to", name="ck_card_periods_dates"),
        CheckConstraint("benefit_level BETWEEN 1 AND 5", name="ck_card_periods_benefit"),
    )


class PopulationFigure(Base):
    """An official population figure for a unit and year, with where it comes from."""

    __tablename__ = "population_figures"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit_code: Mapped[str] = mapped_column(ForeignKey("units.code"))
    year: Mapped[int] = mapped_column(SmallInteger)
    population: Mapped[int] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(String(200))
    import_id: Mapped[int | None] = mapped_column(ForeignKey("import_log.id"))

    __table_args__ = (
        UniqueConstraint("unit_code", "year", "source", name="uq_population_unit_year_source"),
        CheckConstraint("population >= 0", name="ck_population_nonnegative"),
    )


class AggregateCount(Base):
    """Insured people per unit, month and participant code, as BHXH reports them without names."""

    __tablename__ = "aggregate_counts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit_code: Mapped[str] = mapped_column(ForeignKey("units.code"))
    # The first day of the month the count describes.
    month: Mapped[date] = mapped_column(Date)
    participant_code: Mapped[str] = mapped_column(String(2))
    insured: Mapped[int] = mapped_column(Integer)
    import_id: Mapped[int | None] = mapped_column(ForeignKey("import_log.id"))

    __table_args__ = (
        UniqueConstraint("unit_code", "month", "participant_code", name="uq_aggregate_unit_month_code"),
        Index("ix_aggregate_counts_month", "month"),
        CheckConstraint("insured >= 0", name="ck_aggregate_nonnegative"),
    )


class Target(Base):
    """A coverage target for a unit and year, for everyone (group_code '') or one target group.

    Either a rate (percent) or a count of insured people. `origin` says whether an officer set it or the
    cascade from the parent unit computed it: a cascade never overwrites a manual target.
    """

    __tablename__ = "targets"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit_code: Mapped[str] = mapped_column(ForeignKey("units.code"))
    year: Mapped[int] = mapped_column(SmallInteger)
    group_code: Mapped[str] = mapped_column(String(40), default="")
    rate: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))
    count: Mapped[int | None] = mapped_column(Integer)
    origin: Mapped[str] = mapped_column(String(10))
    set_by: Mapped[str | None] = mapped_column(String(100))
    set_at: Mapped[datetime] = mapped_column(DateTime)

    __table_args__ = (
        UniqueConstraint("unit_code", "year", "group_code", name="uq_targets_unit_year_group"),
        CheckConstraint("(rate IS NULL) <> (count IS NULL)", name="ck_targets_rate_or_count"),
        CheckConstraint("rate IS NULL OR (rate >= 0 AND rate <= 100)", name="ck_targets_rate_range"),
        CheckConstraint("count IS NULL OR count >= 0", name="ck_targets_count_nonnegative"),
        CheckConstraint("origin IN ('manual', 'cascade')", name="ck_targets_origin"),
    )


class RegistryVersion(Base):
    """One row, bumped in the same transaction as every write to persons, residences or cards, so the
    analytics snapshot knows when it is stale. The random token changes with every bump: a database
    dropped and created again restarts the count, but never repeats a token."""

    __tablename__ = "registry_version"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[int] = mapped_column(Integer)
    token: Mapped[str] = mapped_column(String(32))
    changed_at: Mapped[datetime] = mapped_column(DateTime)


class User(Base):
    """An account of the web app and API. `unit_code` is the unit the account may see (with everything
    under it); admins and auditors without a unit see the whole database."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    unit_code: Mapped[str | None] = mapped_column(ForeignKey("units.code"))
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime)
    created_at: Mapped[datetime] = mapped_column(DateTime)

    __table_args__ = (
        CheckConstraint(
            "role IN ('admin', 'province_officer', 'commune_officer', 'hamlet_head', 'auditor', 'assessor')",
            name="ck_users_role",
        ),
    )


class WebSession(Base):
    """A signed-in browser. Only the SHA-256 of the cookie's secret is stored, so a copy of the database
    does not let anyone sign in; the CSRF token is checked on every form."""

    __tablename__ = "web_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    expires_at: Mapped[datetime] = mapped_column(DateTime)


class ApiToken(Base):
    """A bearer token for machine clients, stored as its SHA-256 like the session secret."""

    __tablename__ = "api_tokens"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime)


class AuditEntry(Base):
    """Who saw, revealed, exported or changed what, when: every view or export of named people, every
    reveal of an ID number, every sign-in and every change made through the web app."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime, index=True)
    username: Mapped[str] = mapped_column(String(64), index=True)
    action: Mapped[str] = mapped_column(String(40))
    unit_code: Mapped[str | None] = mapped_column(String(16))
    subject: Mapped[str | None] = mapped_column(String(200))
    detail: Mapped[str | None] = mapped_column(String(2000))
    client: Mapped[str | None] = mapped_column(String(64))


class VisitReason(Base):
    """Why a household has not joined, from a catalogue the commune keeps: a reason no longer offered is
    made inactive rather than deleted, so the visits that gave it keep their meaning."""

    __tablename__ = "visit_reasons"

    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(default=True)


class Visit(Base):
    """A visit or contact with a household (or one person in it): what came of it, why not, when to
    go back. The officer is a name as written, since collection agents need no account."""

    __tablename__ = "visits"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id"))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("persons.id"))
    visited_on: Mapped[date] = mapped_column(Date)
    officer: Mapped[str] = mapped_column(String(100))
    outcome: Mapped[str] = mapped_column(String(10))
    reason_code: Mapped[str | None] = mapped_column(ForeignKey("visit_reasons.code"))
    note: Mapped[str | None] = mapped_column(String(1000))
    follow_up_on: Mapped[date | None] = mapped_column(Date)
    recorded_at: Mapped[datetime] = mapped_column(DateTime)
    recorded_by: Mapped[str] = mapped_column(String(64))

    __table_args__ = (
        # Progress and the reasons read a household's visits in date order.
        Index("ix_visits_household_on", "household_id", "visited_on"),
        CheckConstraint("outcome IN ('joined', 'promised', 'refused', 'not_home', 'other')", name="ck_visits_outcome"),
        CheckConstraint("outcome <> 'refused' OR reason_code IS NOT NULL", name="ck_visits_refusal_reason"),
        CheckConstraint("follow_up_on IS NULL OR follow_up_on >= visited_on", name="ck_visits_follow_up"),
    )


class Assignment(Base):
    """The officer or collection agent currently in charge of a household: one per household, so a new
    assignment replaces the old one."""

    __tablename__ = "assignments"

    household_id: Mapped[int] = mapped_column(ForeignKey("households.id"), primary_key=True)
    officer: Mapped[str] = mapped_column(String(100), index=True)
    assigned_on: Mapped[date] = mapped_column(Date)
    assigned_by: Mapped[str] = mapped_column(String(64))


class ClaimDecision(Base):
    """An assessor's decision on the findings of one rule on one claim: 'accept' (the finding stands:
    the amount is refused) or 'reject' (the finding is dismissed), with the reason. Keyed by MA_LK and
    rule so it survives re-assessment; a new decision replaces the old one. Also the labels the
    anomaly models will learn from."""

    __tablename__ = "claim_decisions"

    ma_lk: Mapped[str] = mapped_column(String(100), primary_key=True)
    rule_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    decision: Mapped[str] = mapped_column(String(6))
    reason: Mapped[str | None] = mapped_column(String(1000))
    decided_by: Mapped[str] = mapped_column(String(64))
    decided_at: Mapped[datetime] = mapped_column(DateTime)

    __table_args__ = (
        CheckConstraint("decision IN ('accept', 'reject')", name="ck_claim_decisions_decision"),
        CheckConstraint("decision <> 'reject' OR reason IS NOT NULL", name="ck_claim_decisions_reason"),
    )


class DecisionsVersion(Base):
    """One row, bumped in the same transaction as every write to claim_decisions, so an assessment kept
    for the web pages knows when it is stale without counting the decisions. A random token as in
    registry_version: a database created again never repeats one."""

    __tablename__ = "decisions_version"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[int] = mapped_column(Integer)
    token: Mapped[str] = mapped_column(String(32))
    changed_at: Mapped[datetime] = mapped_column(DateTime)
