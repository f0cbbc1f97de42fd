"""Finding people for an officer: by name (whatever the case or the diacritics: "nguyen van an" finds
"Nguyễn Văn An"), by personal ID or by household code, only among the residents of the officer's
unit, one page at a time; and one person's record or one household's members.

These questions run on the system of record, not on the analytics snapshot: the snapshot keeps no
names or ID numbers, and named people should stay in one place. Each page is a handful of
set-based queries bounded by the page size. The name test runs in the database: on PostgreSQL as a
regular expression whose letters match every marked form of themselves, on SQLite (which has no
accent folding of its own) as a GLOB over the same letter classes; both come from the one folding
table below, so they find the same people.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Connection, Engine, and_, case, exists, func, or_, select
from sqlalchemy.orm import aliased

from bhyt.store.models import CardPeriod, Household, HouseholdClassification, Person, Residence, Unit
from bhyt.web.accounts import Account
from bhyt.masking import mask
from bhyt.web.scope import UnitInfo, unit_info

PAGE_SIZE = 50
MAX_QUERY_LENGTH = 100
KINDS = ("name", "personal_id", "household")
PERSONAL_ID = re.compile(r"\d{12}")
HEAD_OF_HOUSEHOLD = "Chủ hộ"


class SearchError(ValueError):
    """A search that cannot be run as asked, with the reason in Vietnamese."""


# The marked vowels of Vietnamese (a vowel shape, then one of five tones), and the marks themselves
# as a name typed in decomposed form carries them: grave, acute, tilde, hook above, dot below, then
# circumflex, breve and horn. Only these fold: a Vietnamese registry has no other marked letters, and
# the short list keeps the patterns below small enough to run fast.
_MARKED_VOWELS = "àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ"
_COMBINING_MARKS = "\u0300\u0301\u0303\u0309\u0323\u0302\u0306\u031b"


def _fold_table() -> dict[int, str | None]:
    """Each marked vowel to its bare letter, đ/Đ to d/D (a letter of its own, not an accent, so Unicode
    does not decompose it) and the combining marks to nothing."""
    table: dict[int, str | None] = {}
    for letter in _MARKED_VOWELS + _MARKED_VOWELS.upper():
        table[ord(letter)] = unicodedata.normalize("NFD", letter)[0]
    table.update({ord("đ"): "d", ord("Đ"): "D", ord("Ð"): "D"})  # Ð (eth) is often typed for Đ
    table.update(dict.fromkeys(map(ord, _COMBINING_MARKS)))
    return table


_FOLD = _fold_table()
_COMBINING = f"[{_COMBINING_MARKS}]*"
_SQLITE_FOLD = "bhyt_fold"


def fold(text: str) -> str:
    """Lower case without diacritics, as the database folds names: 'Nguyễn Văn Đức' → 'nguyen van duc'."""
    return text.translate(_FOLD).lower()


def _variants() -> dict[str, str]:
    """Each folded letter → every character that folds to it, for a regular-expression class."""
    variants: dict[str, set[str]] = {}
    for point, bare in _FOLD.items():
        if bare is not None:
            variants.setdefault(bare.lower(), {bare.lower(), bare.upper()}).add(chr(point))
    return {letter: "".join(sorted(chars)) for letter, chars in variants.items()}


_VARIANTS = _variants()


def name_pattern(folded: str) -> str:
    """A regular expression that finds, in names as stored, what `fold` would find as `folded`: each
    letter may carry any mark, in either case, precomposed or followed by combining marks. PostgreSQL
    runs it once compiled, where folding every name (translate() over the whole alphabet) cost
    100 µs a row; its syntax here is common to PostgreSQL and Python."""
    parts = []
    for char in folded:
        if char in _VARIANTS:
            parts.append(f"[{_VARIANTS[char]}]")
        elif char.isalnum():
            parts.append(f"[{char}{char.upper()}]" if char.upper() != char else char)
        else:
            parts.append("\\" + char)
        parts.append(_COMBINING)
    return "".join(parts)


def glob_pattern(folded: str) -> str:
    """The body of an SQLite GLOB that matches, in a name without combining marks, exactly what `fold`
    would find as `folded`: each letter becomes the class of every character that folds to it. GLOB
    runs in SQLite's C code, where calling a Python function on every name cost 25 µs a row."""
    parts = []
    for char in folded:
        if char in _VARIANTS:
            parts.append(f"[{_VARIANTS[char]}]")
        elif char.upper() != char:
            parts.append(f"[{char}{char.upper()}]")
        elif char in "*?[]":
            parts.append(f"[{char}]")
        else:
            parts.append(char)
    return "".join(parts)


def consonant_runs(folded: str) -> list[str]:
    """The stretches of `folded` that no mark can touch (consonants, digits, spaces: Vietnamese marks
    sit only on vowels, and đ folds to d, so d counts as a vowel here). Every name that matches
    contains each of them as typed, up to case: a plain LIKE, cheap enough to run on every name
    before the exact test runs on the few that pass."""
    runs = re.split(f"[{''.join(_VARIANTS)}]+", folded)
    return [run for run in runs if run.isascii() and any(char.isalnum() for char in run)]


def _name_matches(connection: Connection, column, wanted: str):
    """(contains `wanted`, is exactly `wanted`) for `column` folded, as SQL conditions."""
    sqlite = connection.dialect.name == "sqlite"
    # SQLite's LIKE ignores the case of ASCII letters; PostgreSQL's ILIKE does too.
    prefilter = [column.like(f"%{_like_escaped(run)}%", escape="\\") if sqlite
                 else column.ilike(f"%{_like_escaped(run)}%", escape="\\") for run in consonant_runs(wanted)]
    if not sqlite:
        pattern = name_pattern(wanted)
        return and_(*prefilter, column.regexp_match(pattern)), column.regexp_match(f"^{pattern}$")
    # SQLite has no accent folding of its own. A GLOB over letter classes decides for every name
    # typed in precomposed form; the rare name carrying combining marks is folded by a Python
    # function registered on this connection, which SQLite calls only for those (OR stops early).
    connection.connection.driver_connection.create_function(
        _SQLITE_FOLD, 1, lambda value: None if value is None else fold(value), deterministic=True)
    folded = getattr(func, _SQLITE_FOLD)(column)
    pattern = glob_pattern(wanted)
    decomposed = column.op("GLOB")(f"*[{_COMBINING_MARKS}]*")
    contains = and_(*prefilter, or_(column.op("GLOB")(f"*{pattern}*"),
                                    and_(decomposed, folded.like(f"%{_like_escaped(wanted)}%", escape="\\"))))
    exact = or_(column.op("GLOB")(pattern), and_(decomposed, folded == wanted))
    return contains, exact


def _like_escaped(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


@dataclass(frozen=True)
class Card:
    card_code: str | None
    participant_code: str
    benefit_level: int
    valid_from: date
    valid_to: date
    bhxh_number: str
    first_contact_facility: str | None
    source: str

    def covers(self, day: date) -> bool:
        return self.valid_from <= day <= self.valid_to


@dataclass(frozen=True)
class Place:
    commune_code: str
    commune_name: str
    hamlet_code: str | None
    hamlet_name: str | None
    arrived_on: date | None
    left_on: date | None

    def current(self, day: date) -> bool:
        return self.left_on is None or self.left_on >= day


@dataclass(frozen=True)
class PersonRow:
    id: int
    full_name: str
    birth_date: date
    sex: int
    personal_id: str
    death_date: date | None
    relation_to_head: str | None
    household_id: int | None
    household_code: str | None
    place: Place | None  # where the person lives now (inside the searcher's unit)
    card: Card | None  # the card covering today, if any
    last_card: Card | None  # the card that ends last, for "expired on …"

    @property
    def masked_id(self) -> str:
        return mask(self.personal_id)


@dataclass(frozen=True)
class SearchResult:
    rows: list[PersonRow]
    total: int
    page: int
    page_size: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))


def scope_of(engine: Engine, account: Account) -> UnitInfo | None:
    """The unit whose residents the account may look up; None: everyone."""
    return None if account.unit_code is None else unit_info(engine, account.unit_code)


def search_kind(kind: str, text: str) -> str:
    """The kind of search to run: twelve digits typed into the name box are a personal ID."""
    if kind not in KINDS:
        raise SearchError("Cách tìm phải là theo họ tên, số định danh hoặc mã hộ.")
    if kind == "name" and PERSONAL_ID.fullmatch(text):
        return "personal_id"
    return kind


def search_people(engine: Engine, scope: UnitInfo | None, text: str, kind: str, today: date,
                  page: int = 1, page_size: int = PAGE_SIZE) -> SearchResult:
    """One page of the people inside `scope` who match, exact name matches first, then by name."""
    text = " ".join(text.split())
    if not text:
        raise SearchError("Hãy nhập họ tên, số định danh hoặc mã hộ cần tìm.")
    if len(text) > MAX_QUERY_LENGTH:
        raise SearchError(f"Nội dung tìm kiếm dài quá {MAX_QUERY_LENGTH} ký tự.")
    kind = search_kind(kind, text)
    if kind == "personal_id" and not PERSONAL_ID.fullmatch(text):
        raise SearchError("Số định danh cá nhân gồm đúng 12 chữ số.")
    page = max(page, 1)
    with engine.connect() as connection:
        if kind == "name":
            match, exact = _name_matches(connection, Person.full_name, fold(text))
        elif kind == "personal_id":
            match, exact = Person.personal_id == text, Person.personal_id == text
        else:
            match, exact = Household.code == text, Household.code == text
        query = (
            select(Person.id, func.count().over().label("total"))
            .select_from(Person).outerjoin(Household, Household.id == Person.household_id)
            .where(match)
            .order_by(case((exact, 0), else_=1), Person.full_name, Person.id)
            .limit(page_size).offset((page - 1) * page_size)
        )
        if scope is not None:
            residents = _residents(scope, today)
            # A commune or hamlet is a small part of the registry: start from its residents. A province
            # is most of it: test the names first and look up the residence of those that match
            # (SQLite follows the form of the query; PostgreSQL plans either form alike).
            query = query.where(exists(residents.where(Residence.person_id == Person.id)) if scope.level == "province"
                                else Person.id.in_(residents))
        found = connection.execute(query).all()
        rows = _person_rows(connection, [row.id for row in found], scope, today)
    return SearchResult(rows, found[0].total if found else 0, page, page_size)


def _residents(scope: UnitInfo, today: date):
    """The people living in `scope` now: a residence there that has not ended before today."""
    return select(Residence.person_id).where(
        _residence_inside(scope), or_(Residence.left_on.is_(None), Residence.left_on >= today))


def _residence_inside(scope: UnitInfo):
    if scope.level == "hamlet":
        return Residence.hamlet_code == scope.code
    if scope.level == "commune":
        return Residence.commune_code == scope.code
    return Residence.commune_code.in_(select(Unit.code).where(Unit.parent_code == scope.code))


def _person_rows(connection: Connection, ids: list[int], scope: UnitInfo | None, today: date) -> list[PersonRow]:
    """The listed people with their household, where they live now and their cards, in `ids` order."""
    if not ids:
        return []
    people = connection.execute(
        select(Person.id, Person.full_name, Person.birth_date, Person.sex, Person.personal_id, Person.death_date,
               Person.relation_to_head, Person.household_id, Household.code.label("household_code"))
        .select_from(Person).outerjoin(Household, Household.id == Person.household_id)
        .where(Person.id.in_(ids))
    ).all()
    places = _places(connection, ids, scope, today)
    cards = _cards(connection, ids)
    by_id = {}
    for person in people:
        held = cards.get(person.id, [])
        covering = [card for card in held if card.covers(today)]
        by_id[person.id] = PersonRow(
            **person._asdict(),
            place=next((place for place in places.get(person.id, []) if place.current(today)), None),
            card=max(covering, key=lambda card: card.valid_to, default=None),
            last_card=max(held, key=lambda card: card.valid_to, default=None),
        )
    return [by_id[person_id] for person_id in ids if person_id in by_id]


def _places(connection: Connection, ids: list[int], scope: UnitInfo | None, today: date) -> dict[int, list[Place]]:
    """Every residence of these people (inside `scope` only, when there is one), newest first."""
    commune, hamlet = aliased(Unit), aliased(Unit)
    query = (
        select(Residence.person_id, Residence.commune_code, commune.name, Residence.hamlet_code, hamlet.name,
               Residence.arrived_on, Residence.left_on)
        .join(commune, commune.code == Residence.commune_code)
        .outerjoin(hamlet, hamlet.code == Residence.hamlet_code)
        .where(Residence.person_id.in_(ids))
        .order_by(Residence.person_id, Residence.left_on.is_(None).desc(), Residence.left_on.desc(),
                  Residence.arrived_on.desc())
    )
    if scope is not None:
        query = query.where(_residence_inside(scope))
    places: dict[int, list[Place]] = {}
    for person_id, *fields in connection.execute(query):
        places.setdefault(person_id, []).append(Place(*fields))
    return places


def _cards(connection: Connection, ids: list[int]) -> dict[int, list[Card]]:
    """Every card period of these people, the newest first."""
    cards: dict[int, list[Card]] = {}
    for row in connection.execute(
        select(CardPeriod.person_id, CardPeriod.card_code, CardPeriod.participant_code, CardPeriod.benefit_level,
               CardPeriod.valid_from, CardPeriod.valid_to, CardPeriod.bhxh_number,
               CardPeriod.first_contact_facility, CardPeriod.source)
        .where(CardPeriod.person_id.in_(ids))
        .order_by(CardPeriod.person_id, CardPeriod.valid_from.desc())
    ):
        cards.setdefault(row.person_id, []).append(Card(*row[1:]))
    return cards


@dataclass(frozen=True)
class PersonRecord:
    person: PersonRow
    places: list[Place]  # every residence, the current ones first
    cards: list[Card]  # every card period, the newest first


def person_record(engine: Engine, person_id: int, today: date) -> PersonRecord | None:
    """Everything the registry holds about one person (the caller checks the scope)."""
    with engine.connect() as connection:
        rows = _person_rows(connection, [person_id], None, today)
        if not rows:
            return None
        return PersonRecord(rows[0], _places(connection, [person_id], None, today).get(person_id, []),
                            _cards(connection, [person_id]).get(person_id, []))


@dataclass(frozen=True)
class HouseholdRecord:
    id: int
    code: str
    head_name: str | None
    address: str | None
    commune_code: str
    commune_name: str
    hamlet_code: str | None
    hamlet_name: str | None
    classifications: list[tuple[int, str]]  # (year, classification), the latest first
    members: list[PersonRow]


def household_record(engine: Engine, household_id: int, today: date) -> HouseholdRecord | None:
    """A household with its classifications and every member, the head first (the caller checks the scope)."""
    commune, hamlet = aliased(Unit), aliased(Unit)
    with engine.connect() as connection:
        household = connection.execute(
            select(Household.id, Household.code, Household.head_name, Household.address, Household.commune_code,
                   commune.name, Household.hamlet_code, hamlet.name)
            .join(commune, commune.code == Household.commune_code)
            .outerjoin(hamlet, hamlet.code == Household.hamlet_code)
            .where(Household.id == household_id)
        ).first()
        if household is None:
            return None
        classifications = connection.execute(
            select(HouseholdClassification.year, HouseholdClassification.classification)
            .where(HouseholdClassification.household_id == household_id)
            .order_by(HouseholdClassification.year.desc())
        ).all()
        member_ids = connection.execute(
            select(Person.id).where(Person.household_id == household_id)
            .order_by(case((Person.relation_to_head == HEAD_OF_HOUSEHOLD, 0), else_=1), Person.birth_date, Person.id)
        ).scalars().all()
        members = _person_rows(connection, list(member_ids), None, today)
    return HouseholdRecord(*household, [tuple(row) for row in classifications], members)
