"""Who is treated when, where: the episodes of the synthetic claims, drawn from the registry's cards.

An episode is a card (and so a person), a visit type, an admission time and a length in days. Clean
episodes lie wholly inside the validity of the card they are billed on, end at least two days
before the person's recorded death, and the episodes of one person are at least two days apart, so
that no card, death or overlap rule can fire on them by accident.

The episode-level violations are made here by moving episodes: CARD_INVALID (a stay in a gap of
the person's cards), AFTER_DEATH (a stay after the death, on a card that ran on when one exists)
and OVERLAP_STAY (a second stay inside another stay of the same person).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pyarrow as pa
from sqlalchemy import Engine, bindparam, text

from bhyt.analytics.engine import attached, plain_url
from bhyt.demo.dates import day

OUTPATIENT, INPATIENT, DAY_TREATMENT = "01", "03", "04"
VISIT_TYPES = (OUTPATIENT, INPATIENT, DAY_TREATMENT)
VISIT_SHARES = (0.82, 0.14, 0.04)
NEVER = 10**6  # a day number after every real date: no death, card without end
GAP_DAYS = 2  # clean episodes of one person start at least this many days after the previous one ends


class RegistryTooSmall(RuntimeError):
    """The registry has too few people with cards in the period for the visits asked."""


@dataclass
class Registry:
    """The cards valid at some time in the period, one row each, sorted by person: dates and numbers
    only. Names, addresses and codes are read later for the sampled cards alone (`read_holders`):
    read for the 1.9 M cards of the 1.6 M-person demo province they took the read from 0.53 to 0.95 GB."""

    card_id: np.ndarray  # card_periods.id
    first_contact: pa.ChunkedArray  # first_contact_facility, strings kept in Arrow
    person: np.ndarray
    birth: np.ndarray
    sex: np.ndarray
    death: np.ndarray
    level: np.ndarray
    valid_from: np.ndarray
    valid_to: np.ndarray

    @property
    def count(self) -> int:
        return len(self.person)

    def cards_of(self, person: int) -> tuple[np.ndarray, np.ndarray]:
        """(valid_from, valid_to) of every card of one person."""
        lo, hi = np.searchsorted(self.person, [person, person + 1])
        return self.valid_from[lo:hi], self.valid_to[lo:hi]


_CARDS_SQL = """
SELECT c.id, c.person_id, p.birth_date, p.sex, p.death_date, c.benefit_level, c.valid_from, c.valid_to,
       c.first_contact_facility
FROM db.card_periods c
JOIN db.persons p ON p.id = c.person_id
JOIN db.households h ON h.id = p.household_id
JOIN db.units u ON u.code = h.commune_code AND u.parent_code = $province
WHERE c.card_code IS NOT NULL AND c.valid_from <= $last AND c.valid_to >= $first
ORDER BY c.person_id, c.valid_from, c.id
"""


def read_registry(engine: Engine, province: str, first: date, last: date) -> Registry:
    """Every card of the province's people valid at some time from `first` to `last`, in one query."""
    with attached(plain_url(engine)) as con:
        con.execute("SET enable_progress_bar = false")  # the command draws its own
        rows = con.execute(_CARDS_SQL, {"province": province, "first": first, "last": last}).arrow()
    if hasattr(rows, "read_all"):  # DuckDB may hand back a record-batch reader
        rows = rows.read_all()

    def days(name: str, missing: int) -> np.ndarray:
        column = rows.column(name).cast(pa.date32()).cast(pa.int32())
        return column.fill_null(missing).to_numpy().astype(np.int64)

    return Registry(
        card_id=rows.column("id").to_numpy().astype(np.int64),
        first_contact=rows.column("first_contact_facility"),
        person=rows.column("person_id").to_numpy().astype(np.int64),
        birth=days("birth_date", 0),
        sex=rows.column("sex").to_numpy().astype(np.int8),
        death=days("death_date", NEVER),
        level=rows.column("benefit_level").to_numpy().astype(np.int8),
        valid_from=days("valid_from", 0),
        valid_to=days("valid_to", NEVER),
    )


_HOLDERS_SQL = text("""
SELECT c.id, p.personal_id, p.full_name, c.card_code, h.commune_code, h.address
FROM card_periods c
JOIN persons p ON p.id = c.person_id
JOIN households h ON h.id = p.household_id
WHERE c.id IN :ids
""").bindparams(bindparam("ids", expanding=True))
HOLDER_FIELDS = ("personal_id", "full_name", "card_code", "commune_code", "address")
_IDS_PER_QUERY = 5_000  # below SQLite's limit on bound parameters


def read_holders(engine: Engine, card_ids: np.ndarray) -> dict[str, list]:
    """Per card of `card_ids` (repeats allowed), in that order: its code and its holder's ID number,
    name, commune and address, looked up by primary key."""
    wanted = sorted({int(card) for card in card_ids})
    found: dict[int, tuple] = {}
    with engine.connect() as connection:
        for start in range(0, len(wanted), _IDS_PER_QUERY):
            for row in connection.execute(_HOLDERS_SQL, {"ids": wanted[start:start + _IDS_PER_QUERY]}):
                found[row[0]] = tuple(row[1:])
    rows = [found[int(card)] for card in card_ids]
    return {name: [row[k] for row in rows] for k, name in enumerate(HOLDER_FIELDS)}


@dataclass
class Episodes:
    """One row per claim."""

    card: np.ndarray  # row of Registry
    visit_type: np.ndarray  # index into VISIT_TYPES
    admitted: np.ndarray  # minutes since 1970-01-01
    length: np.ndarray  # days from the admission day to the discharge day (0: same day)

    @property
    def count(self) -> int:
        return len(self.card)

    @property
    def first_day(self) -> np.ndarray:
        return self.admitted // 1440

    @property
    def last_day(self) -> np.ndarray:
        return self.first_day + self.length


def draw_episodes(registry: Registry, visits: int, first: date, last: date, rng: np.random.Generator) -> Episodes:
    """`visits` clean episodes from `first` to `last`: a person-day at random among the days a card is
    valid and the holder alive (two days before a recorded death at the latest)."""
    lo = np.maximum(registry.valid_from, day(first))
    hi = np.minimum(np.minimum(registry.valid_to, day(last)), registry.death - GAP_DAYS)
    span = np.maximum(hi - lo + 1, 0)
    if span.sum() == 0:
        raise RegistryTooSmall("Không có thẻ BHYT nào còn giá trị trong khoảng thời gian của hồ sơ mô phỏng.")
    weight = span / span.sum()
    kept = np.zeros(0, dtype=np.int64)
    pool = _empty()
    for _ in range(30):
        wanted = int((visits - len(kept)) * 1.3) + 20
        drawn = _draw(rng, weight, lo, hi, wanted)
        pool = _concat(pool, drawn)
        kept = _apart(registry, pool)
        if len(kept) >= visits:
            break
    if len(kept) < visits:
        raise RegistryTooSmall(
            f"Sổ đăng ký chỉ đủ cho {len(kept):,} lượt khám không chồng lấn nhau; hãy giảm --visits hoặc dựng tỉnh lớn hơn."
        )
    chosen = np.sort(rng.permutation(kept)[:visits])
    pool = _take(pool, chosen)
    order = np.lexsort((pool.card, pool.admitted))
    return _take(pool, order)


def _draw(rng, weight, lo, hi, n) -> Episodes:
    card = rng.choice(len(weight), size=n, p=weight)
    visit_type = rng.choice(len(VISIT_TYPES), size=n, p=VISIT_SHARES)
    length = np.where(
        visit_type == 1,
        np.minimum(1 + rng.geometric(0.2, n), 20),
        np.where(visit_type == 2, rng.integers(3, 11, n), 0),
    )
    room = hi[card] - lo[card]
    length = np.minimum(length, room)
    visit_type = np.where(length == 0, 0, visit_type)  # no room for a stay: an examination instead
    start = lo[card] + (rng.random(n) * (room - length + 1)).astype(np.int64)
    minute = np.where(visit_type == 0, rng.integers(7 * 60, 16 * 60, n), rng.integers(7 * 60, 20 * 60, n))
    return Episodes(card=card, visit_type=visit_type, admitted=start * 1440 + minute, length=length)


def _apart(registry: Registry, pool: Episodes) -> np.ndarray:
    """Indices of a subset of `pool` in which the episodes of each person are GAP_DAYS apart: in
    admission order, an episode starting too soon after the last one kept of its person is dropped."""
    person = registry.person[pool.card]
    order = np.lexsort((pool.admitted, person))
    alive = np.ones(len(order), dtype=bool)
    while True:
        rows = order[alive]
        same = person[rows][1:] == person[rows][:-1]
        clash = same & (pool.first_day[rows][1:] <= pool.last_day[rows][:-1] + GAP_DAYS)
        if not clash.any():
            return rows
        # Drop only the first clash of each run, so that a dropped episode never hides another clash.
        first = clash & ~np.concatenate([[False], clash[:-1]])
        alive[np.flatnonzero(alive)[1:][first]] = False


def _empty() -> Episodes:
    z = np.zeros(0, dtype=np.int64)
    return Episodes(z, z, z, z)


def _concat(a: Episodes, b: Episodes) -> Episodes:
    return Episodes(*(np.concatenate([x, y]) for x, y in zip(_columns(a), _columns(b))))


def _take(e: Episodes, index: np.ndarray) -> Episodes:
    return Episodes(*(column[index] for column in _columns(e)))


def _columns(e: Episodes):
    return e.card, e.visit_type, e.admitted, e.length


@dataclass
class Injected:
    """Which claims carry which violations, and the line each line-level one is on."""

    claims: dict[str, list[int]]

    def add(self, rule: str, claim: int) -> None:
        self.claims.setdefault(rule, []).append(int(claim))


def move_card_invalid(registry: Registry, episodes: Episodes, claims: np.ndarray, first: date, last: date,
                      wanted: int, rng: np.random.Generator, injected: Injected) -> None:
    """Move `wanted` of `claims` (one per person) into a gap of the holder's cards, after the card
    ran out or before it began: no card of the person is valid on any day of the stay."""
    moved: set[int] = set()
    begin, end = day(first), day(last)
    for claim in claims:
        if len(moved) == wanted:
            return
        card = episodes.card[claim]
        person = int(registry.person[card])
        if person in moved:
            continue
        length = int(episodes.length[claim])
        starts, ends = registry.cards_of(person)
        for start in (int(registry.valid_to[card]) + 1 + int(rng.integers(0, 30)),
                      int(registry.valid_from[card]) - length - 1 - int(rng.integers(0, 30))):
            stop = start + length
            if start < begin or stop > end or stop >= registry.death[card] - GAP_DAYS:
                continue
            if np.any((starts <= stop) & (ends >= start)):
                continue  # another card of the person covers part of the stay
            episodes.admitted[claim] = start * 1440 + episodes.admitted[claim] % 1440
            injected.add("CARD_INVALID", claim)
            moved.add(person)
            break
    if len(moved) < wanted:
        raise RegistryTooSmall("Sổ đăng ký có quá ít người có khoảng trống giữa các thẻ để tạo hồ sơ thẻ không hợp lệ.")


def move_after_death(registry: Registry, episodes: Episodes, claims: np.ndarray, first: date, last: date,
                     rng: np.random.Generator, injected: Injected) -> None:
    """Give each of `claims` to a person who died in the period, on a day after the death: on a card
    still valid then where the registry has one (AFTER_DEATH alone), else on the card that ended at
    the death (AFTER_DEATH and CARD_INVALID)."""
    end = day(last)
    dead = np.flatnonzero((registry.death >= day(first)) & (registry.death < end - 1)
                          & (registry.valid_to >= registry.death))
    runs_on = registry.valid_to[dead] > registry.death[dead] + 1
    # One card per dead person, those whose card ran on first.
    order = np.lexsort((rng.random(len(dead)), ~runs_on))
    dead = dead[order]
    _, first_of_person = np.unique(registry.person[dead], return_index=True)
    dead = dead[np.sort(first_of_person)]
    if len(dead) < len(claims):
        raise RegistryTooSmall("Sổ đăng ký có quá ít người đã mất trong kỳ để tạo hồ sơ sau ngày mất.")
    for claim, card in zip(claims, dead):
        start = int(registry.death[card]) + 1 + int(rng.integers(0, 5))
        limit = min(end, int(registry.valid_to[card])) if registry.valid_to[card] > registry.death[card] + 1 else end
        limit = max(limit, start)
        length = min(int(episodes.length[claim]), limit - start)
        episodes.card[claim] = card
        episodes.length[claim] = length
        if length == 0:
            episodes.visit_type[claim] = 0
        episodes.admitted[claim] = start * 1440 + episodes.admitted[claim] % 1440
        injected.add("AFTER_DEATH", claim)
        starts, ends = registry.cards_of(registry.person[card])
        if not np.any((starts <= start) & (ends >= start + length)):
            injected.add("CARD_INVALID", claim)


def move_overlap(episodes: Episodes, hosts: np.ndarray, guests: np.ndarray, rng: np.random.Generator,
                 injected: Injected) -> None:
    """Make each guest claim a second stay of its host's patient, inside the host's stay (host stays
    last at least 3 days): both claims carry OVERLAP_STAY."""
    for host, guest in zip(hosts, guests):
        episodes.card[guest] = episodes.card[host]
        episodes.visit_type[guest] = int(rng.integers(1, 3))
        episodes.length[guest] = int(rng.integers(1, episodes.length[host] - 1))
        start = episodes.first_day[host] + 1
        episodes.admitted[guest] = start * 1440 + int(rng.integers(7 * 60, 12 * 60))
        injected.add("OVERLAP_STAY", host)
        injected.add("OVERLAP_STAY", guest)
