"""Card periods of the synthetic province since 2022: who holds which participant code, when, and the gaps.

For every person and calendar year the generator works out what they are eligible for (child
under 6, pupil, student, employee, pensioner, person with merit or veteran, poor, near-poor or
average-living farm household, ethnic minority in a difficult commune, very difficult area,
island …) and gives the card the code that comes first in the national priority order, with the
best benefit level of all the codes the person qualifies for (Nghị định 188/2025 Điều 21 khoản 1).

Cards then come in three rhythms:

- **calendar-year lists** (HN, CN, HS, SV, GB): one card a year, 01/01–31/12, when the list is
  approved and, for near-poor and farm households, when the household pays its share;
- **standing entitlements** (employees, pensioners, people with merit, social assistance, DT/DK/XD,
  soldiers and police): one card for as long as the entitlement lasts;
- **household cards** (GD): 12-month cards (sometimes 6 or 3) paid by the household, renewed or
  not; after a lapse the next card's dates come from ``bhyt.domain.card_validity.card_period``
  (30 days' wait after a break of 3 months or more).

Children under 6 hold a TE card from their birth registration until they turn 6, or until 30/09
of that year when their birthday falls earlier (they go to school in September). Pupils finishing
year 12 hold their HS card until 30/09.

A few data-quality cases are made on purpose, as real registries have them: overlapping cards of one
person, cards still valid after a death, cards of people who have left the province.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cmp_to_key

import numpy as np

from bhyt.demo.dates import add_months, day, jan1, to_date, year_of, ymd
from bhyt.demo.places import Province
from bhyt.demo.population import (
    FARM_AVERAGE,
    NEAR_POOR,
    NEVER,
    POOR,
    WINDOW_START,
    Households,
    People,
)
from bhyt.domain.card_validity import card_period
from bhyt.domain.identifiers import SEX_FEMALE, SEX_MALE
from bhyt.domain.participants import PARTICIPANT_CODES, best_benefit_level

CODES: tuple[str, ...] = tuple(PARTICIPANT_CODES)  # in priority order: a lower index wins
CODE = {code: index for index, code in enumerate(CODES)}
LEVEL = np.array([PARTICIPANT_CODES[code].benefit_level for code in CODES], dtype=np.int8)
NONE = len(CODES)  # "no code": sorts after every real one


def _benefit_rank() -> np.ndarray:
    """rank[level]: 0 for the level the fund pays most under, as ``best_benefit_level`` orders them."""

    def better(a: int, b: int) -> int:
        return 0 if a == b else (-1 if best_benefit_level([a, b]) == a else 1)

    ordered = sorted(range(1, 6), key=cmp_to_key(better))
    rank = np.zeros(6, dtype=np.int8)
    for position, level in enumerate(ordered):
        rank[level] = position
    return rank


RANK = _benefit_rank()
LEVEL_OF_RANK = np.zeros(10, dtype=np.int8)  # rank -> level (ranks 5-9 unused)
for _level in range(1, 6):
    LEVEL_OF_RANK[RANK[_level]] = _level

CALENDAR = {"HN", "CN", "HS", "SV", "GB"}
EMPLOYEE_SECTORS = (("DN", 0.47), ("HC", 0.20), ("CH", 0.06), ("TK", 0.08), ("XK", 0.05), ("HX", 0.03), ("NN", 0.01))
UNIVERSITY_PROVINCES = (46, 48, 1, 79, 40)  # Huế, Đà Nẵng, Hà Nội, TP HCM, Nghệ An (old codes)
# Retirement age in whole years for 2022–2026 (Bộ luật Lao động 2019 Điều 169 raises it by 3 months a
# year for men, 4 for women); the demo does not need the months.
RETIREMENT_AGE = {SEX_MALE: 61, SEX_FEMALE: 56}


@dataclass
class Cards:
    person: np.ndarray
    code: np.ndarray  # index into CODES
    level: np.ndarray
    start: np.ndarray
    end: np.ndarray
    province: np.ndarray  # issuing pre-2025 province, 2 digits
    facility: np.ndarray  # 5-digit first-contact facility code as an integer

    @property
    def count(self) -> int:
        return len(self.person)


class _Parts:
    """Card rows collected before the overlaps are settled."""

    def __init__(self) -> None:
        self.person: list[np.ndarray] = []
        self.code: list[np.ndarray] = []
        self.level: list[np.ndarray] = []
        self.start: list[np.ndarray] = []
        self.end: list[np.ndarray] = []

    def add(self, person, code, level, start, end) -> None:
        n = len(person)
        self.person.append(np.asarray(person, dtype=np.int64))
        self.code.append(np.broadcast_to(np.asarray(code, dtype=np.int16), (n,)).copy())
        self.level.append(np.broadcast_to(np.asarray(level, dtype=np.int8), (n,)).copy())
        self.start.append(np.asarray(start, dtype=np.int64))
        self.end.append(np.asarray(end, dtype=np.int64))

    def arrays(self):
        return tuple(np.concatenate(part) for part in (self.person, self.code, self.level, self.start, self.end))


@dataclass
class _Person:
    """What the card rules need to know about everyone, as columns."""

    total: int
    household: np.ndarray
    commune: np.ndarray
    birth: np.ndarray
    birth_year: np.ndarray
    male: np.ndarray
    retire: np.ndarray
    urban: np.ndarray
    mountain: np.ndarray
    as_of: int
    years: list[int]


@dataclass
class _YearCodes:
    """For each person (rows) and calendar year (columns): the code and best benefit rank they hold,
    the part of the year it applies to, whether a card was issued, and whether the person was
    covered right before that part began."""

    code: np.ndarray
    rank: np.ndarray
    start: np.ndarray
    end: np.ndarray
    covered: np.ndarray
    prior_cover: np.ndarray


def make_cards(
    province: Province, households: Households, people: People, as_of: date, rng: np.random.Generator
) -> Cards:
    hh = people.household
    commune = households.commune[hh]
    attrs = _commune_traits(province, rng)
    male = people.sex == SEX_MALE
    who = _Person(
        total=people.count,
        household=hh,
        commune=commune,
        birth=people.birth,
        birth_year=year_of(people.birth),
        male=male,
        retire=np.where(male, RETIREMENT_AGE[SEX_MALE], RETIREMENT_AGE[SEX_FEMALE]),
        urban=attrs["urban"][commune],
        mountain=attrs["mountain"][commune],
        as_of=day(as_of),
        years=list(range(WINDOW_START.year, as_of.year + 1)),
    )
    parts = _Parts()
    te_end, te_covered = _child_cards(parts, who, attrs, rng)
    university = np.where(
        rng.random(who.total) < 0.5, people.home_province, np.array(UNIVERSITY_PROVINCES)[rng.integers(0, 5, who.total)]
    )
    codes = _year_codes(parts, who, households, attrs, te_end, te_covered, rng)
    _year_cards(parts, codes)
    _household_cards(parts, who, province, households, attrs, codes, rng)

    person, code, level, start, end = parts.arrays()
    person, code, level, start, end = _settle_overlaps(person, code, level, start, end)
    person, code, level, start, end = _cut_at_death_or_departure(people, person, code, level, start, end, rng)
    person, code, level, start, end = _add_duplicates(person, code, level, start, end, who.as_of, rng)

    issuing, facility = _issuers(province, households, people, person, code, start, university, rng)
    # Key order of the table's unique constraint (BHXH number, valid from), for a fast load.
    order = np.argsort((people.bhxh[person] << 17) | (start + _DAY_OFFSET))
    return Cards(
        person=person[order],
        code=code[order],
        level=level[order],
        start=start[order],
        end=end[order],
        province=issuing[order],
        facility=facility[order],
    )


_DAY_OFFSET = 40_000  # makes every day number from 1860 to 2150 positive and below 2**17


def _child_cards(parts: _Parts, who: _Person, attrs, rng) -> tuple[np.ndarray, np.ndarray]:
    """TE cards, from birth registration until the sixth birthday, or 30/09 of that year when the
    birthday comes earlier (the child starts school in September). Returns their last day and
    who got one."""
    sixth = add_months(who.birth, 72)
    te_end = np.maximum(sixth - 1, ymd(year_of(sixth), 9, 30))
    # Most births are registered (and carded) within a month, some only after months.
    lateness = rng.random(who.total)
    delay = np.select(
        [lateness < 0.7, lateness < 0.95],
        [rng.integers(0, 31, who.total), rng.integers(31, 91, who.total)],
        rng.integers(91, 366, who.total),
    )
    te_start = np.minimum(who.birth + delay, te_end)
    covered = (
        (rng.random(who.total) < attrs["te"][who.commune])
        & (te_end >= day(WINDOW_START))
        & (who.birth + delay <= who.as_of)
    )
    rows = np.flatnonzero(covered)
    parts.add(rows, CODE["TE"], LEVEL[CODE["TE"]], te_start[rows], te_end[rows])
    return te_end, covered


def _employment(who: _Person, attrs, rng) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Employed, lost a job (at the turn of the year) and drawing a pension, per person and year."""
    ny = len(who.years)
    employed = np.zeros((who.total, ny), dtype=bool)
    lost_job = np.zeros((who.total, ny), dtype=bool)
    pension = np.zeros((who.total, ny), dtype=bool)
    base = attrs["employment"][who.commune]
    first_age = who.years[0] - who.birth_year
    pensioner = (first_age >= who.retire) & (rng.random(who.total) < attrs["pension"][who.commune])
    for yi, year in enumerate(who.years):
        age = year - who.birth_year
        working_age = (age >= 19) & (age < who.retire)
        factor = np.select([age < 25, age < 45, age < 55], [0.55, 1.2, 0.9], 0.5)
        if yi == 0:
            employed[:, 0] = working_age & (rng.random(who.total) < base * factor)
        else:
            before = employed[:, yi - 1]
            stay = before & (rng.random(who.total) < 0.955)
            join = ~before & (rng.random(who.total) < 0.1 * base * factor)
            employed[:, yi] = (stay | join) & working_age
            lost_job[:, yi] = before & ~employed[:, yi] & working_age
            # Most who reach retirement age in work draw a pension from then on.
            pensioner |= before & (age >= who.retire) & (rng.random(who.total) < 0.9)
        pension[:, yi] = pensioner & (age >= who.retire)
    return employed, lost_job, pension


def _year_codes(parts: _Parts, who: _Person, households: Households, attrs, te_end, te_covered, rng) -> _YearCodes:
    """The participant code of every person in every year, by the priority order of the codes."""
    total, years = who.total, who.years
    ny = len(years)
    hh, commune = who.household, who.commune
    employed, lost_job, pension = _employment(who, attrs, rng)
    sector = np.array([CODE[code] for code, _ in EMPLOYEE_SECTORS])[
        rng.choice(len(EMPLOYEE_SECTORS), size=total, p=_shares(EMPLOYEE_SECTORS))
    ]
    # Age at leaving school (19: finished year 12), who goes on to study, and other standing traits.
    leave_school = np.where(
        rng.random(total) < np.where(who.mountain, 0.55, 0.78),
        19,
        rng.choice([12, 15, 16, 17], size=total, p=[0.15, 0.55, 0.15, 0.15]),
    )
    student = (leave_school == 19) & (
        rng.random(total) < np.where(who.urban, 0.42, np.where(who.mountain, 0.12, 0.28))
    )
    disabled = rng.random(total) < 0.012
    merit = _merit_codes(who.birth_year, who.male, rng)
    # Two years of military service at 19 or 20 for some young men; career soldiers and police.
    conscript = who.male & (rng.random(total) < 0.07)
    conscript_year = np.where(conscript, who.birth_year + 19 + (rng.random(total) < 0.5), -1)
    officer = who.male & (rng.random(total) < 0.006)
    officer_code = np.where(rng.random(total) < 0.6, CODE["QN"], CODE["CA"])
    minority_area = households.minority[hh] & who.mountain
    classification = _classification_by_year(households, years)
    pupil_u = rng.random(total)  # some children are left out year after year

    out = _YearCodes(
        code=np.full((total, ny), NONE, dtype=np.int16),
        rank=np.full((total, ny), 9, dtype=np.int8),
        start=np.zeros((total, ny), dtype=np.int64),
        end=np.zeros((total, ny), dtype=np.int64),
        covered=np.zeros((total, ny), dtype=bool),
        prior_cover=np.zeros((total, ny), dtype=bool),
    )
    for yi, year in enumerate(years):
        age = year - who.birth_year
        cls = classification[:, yi][hh]
        candidates = [
            (employed[:, yi], sector),
            (pension[:, yi], CODE["HT"]),
            ((conscript_year >= 0) & (year >= conscript_year) & (year <= conscript_year + 1), CODE["QN"]),
            (officer & (age >= 22) & (age < who.retire), officer_code),
            (merit >= 0, np.maximum(merit, 0)),
            ((age >= 80) | disabled, CODE["BT"]),
            (cls == POOR, CODE["HN"]),
            (minority_area, CODE["DT"]),
            (attrs["very_difficult"][commune], CODE["DK"]),
            (attrs["island"][commune], CODE["XD"]),
            (cls == NEAR_POOR, CODE["CN"]),
            ((age >= 6) & (age <= 18) & (age < leave_school), CODE["HS"]),
            (student & (age >= 19) & (age <= 22), CODE["SV"]),
            (cls == FARM_AVERAGE, CODE["GB"]),
            (age >= 6, CODE["GD"]),
        ]
        best = np.full(total, NONE, dtype=np.int16)
        rank = np.full(total, 9, dtype=np.int8)
        for eligible, code in candidates:
            code = np.broadcast_to(np.asarray(code, dtype=np.int16), (total,))
            best = np.where(eligible, np.minimum(best, code), best)
            rank = np.where(eligible, np.minimum(rank, RANK[LEVEL[code]]), rank)

        # The part of the year the code applies to: after the TE card in the year a child turns 6,
        # after the unemployment-benefit card of someone who lost their job.
        start = np.where(age == 6, np.maximum(jan1(year), te_end + 1), jan1(year))
        unemployed = lost_job[:, yi] & (rng.random(total) < 0.55)
        benefit_end = add_months(start, rng.integers(3, 7, total)) - 1
        benefit = np.flatnonzero(unemployed & (start <= who.as_of))
        parts.add(benefit, CODE["TN"], LEVEL[CODE["TN"]], start[benefit], benefit_end[benefit])
        start = np.where(unemployed, benefit_end + 1, start)
        end = np.where((best == CODE["HS"]) & (age == 18), ymd(year, 9, 30), ymd(year, 12, 31))
        best = np.where((age < 6) | (start > who.as_of) | (start > end), NONE, best)

        # Whether the card was issued: lists are nearly complete for budget-funded codes; pupils,
        # students, near-poor and farm households (who pay a share) are missed more often.
        u = rng.random(total)
        household_u = rng.random(households.count)[hh]
        take_up = np.select(
            [best == CODE["HS"], best == CODE["SV"], best == CODE["CN"], best == CODE["GB"], np.isin(best, sector)],
            [attrs["hs"][commune], 0.95, attrs["cn"][commune], attrs["gb"][commune], 0.99],
            0.995,
        )
        decisive = np.select(
            [best == CODE["HS"], (best == CODE["CN"]) | (best == CODE["GB"])],
            [np.where(rng.random(total) < 0.3, u, pupil_u), household_u],
            u,
        )
        out.covered[:, yi] = (best != NONE) & (best != CODE["GD"]) & (decisive < take_up)
        out.code[:, yi] = best
        out.rank[:, yi] = rank
        out.start[:, yi] = start
        out.end[:, yi] = end
        out.prior_cover[:, yi] = unemployed | ((age == 6) & te_covered)
        if yi:
            out.prior_cover[:, yi] |= out.covered[:, yi - 1] & (out.end[:, yi - 1] >= start - 1)

        # The first SV card of a school leaver going to university runs from 01/10 of that year.
        freshers = np.flatnonzero(
            student & (age == 18) & (ymd(year, 10, 1) <= who.as_of) & (rng.random(total) < 0.95)
        )
        first_term = np.full(len(freshers), ymd(year, 10, 1))
        parts.add(freshers, CODE["SV"], LEVEL[CODE["SV"]], first_term, np.full(len(freshers), ymd(year, 12, 31)))
    return out


def _shares(pairs) -> np.ndarray:
    weights = np.array([weight for _, weight in pairs], dtype=float)
    return weights / weights.sum()


def _commune_traits(province: Province, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Behaviour that differs between communes: employment, pensions, take-up of each kind of card."""
    n = province.commune_count
    urban = np.array([c.urban for c in province.communes])
    mountain = np.array([c.mountain for c in province.communes])
    island = np.array([c.island for c in province.communes])
    very_difficult = np.array([c.very_difficult for c in province.communes])
    kind = np.select([urban, island, mountain], [0, 1, 2], 3)  # 3: lowland xã

    def by_kind(urban_range, island_value, mountain_range, lowland_range):
        values = np.empty(n)
        for index in range(n):
            choice = (urban_range, (island_value, island_value), mountain_range, lowland_range)[kind[index]]
            values[index] = rng.uniform(*choice)
        return values

    return {
        "urban": urban,
        "mountain": mountain,
        "island": island,
        "very_difficult": very_difficult,
        "employment": by_kind((0.36, 0.48), 0.55, (0.06, 0.14), (0.18, 0.30)),
        "pension": by_kind((0.30, 0.42), 0.30, (0.03, 0.08), (0.12, 0.22)),
        "te": by_kind((0.98, 0.998), 0.99, (0.96, 0.99), (0.975, 0.995)),
        "hs": by_kind((0.96, 0.995), 0.98, (0.92, 0.98), (0.94, 0.99)),
        "cn": by_kind((0.85, 0.97), 0.95, (0.85, 0.97), (0.80, 0.95)),
        "gb": by_kind((0.55, 0.85), 0.80, (0.55, 0.85), (0.50, 0.85)),
        # Household cards: renewal rate, and the share of households that never buy one.
        "gd": by_kind((0.90, 0.97), 0.97, (0.88, 0.96), (0.82, 0.96)),
        "never": by_kind((0.005, 0.03), 0.01, (0.005, 0.03), (0.01, 0.05)),
    }


def _merit_codes(birth_year: np.ndarray, male: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """People with merit, veterans, resistance participants and martyrs' relatives (-1: none)."""
    u = rng.random(len(birth_year))
    war_generation = birth_year <= 1957
    old_men = np.select(
        [u < 0.006, u < 0.046, u < 0.166, u < 0.216], [CODE["CC"], CODE["CK"], CODE["CB"], CODE["KC"]], -1
    )
    old_women = np.select(
        [u < 0.004, u < 0.014, u < 0.054, u < 0.084], [CODE["CC"], CODE["CK"], CODE["KC"], CODE["TS"]], -1
    )
    relatives = np.select([u < 0.02, u < 0.03], [CODE["TS"], CODE["TC"]], -1)
    return np.where(
        war_generation, np.where(male, old_men, old_women), np.where(birth_year <= 1972, relatives, -1)
    ).astype(np.int16)


def _classification_by_year(households: Households, years: list[int]) -> np.ndarray:
    """Classification of each household for each card year; years outside the decided ones take the
    nearest decision."""
    decided = households.classification_years
    index = [decided.index(min(max(year, decided[0]), decided[-1])) for year in years]
    return households.classification[:, index]


def _year_cards(parts: _Parts, codes: _YearCodes) -> None:
    """Calendar-year cards, and standing entitlements merged over consecutive years."""
    ny = codes.code.shape[1]
    cells = np.flatnonzero(codes.covered.ravel())  # person-major, year-minor order
    person = cells // ny
    code = codes.code.ravel()[cells]
    level = LEVEL_OF_RANK[codes.rank.ravel()[cells]]
    start = codes.start.ravel()[cells]
    end = codes.end.ravel()[cells]
    calendar = np.isin(code, [CODE[c] for c in CALENDAR])
    continues = np.zeros(len(cells), dtype=bool)
    continues[1:] = (
        (person[1:] == person[:-1])
        & (code[1:] == code[:-1])
        & (level[1:] == level[:-1])
        & ~calendar[1:]
        & (start[1:] == end[:-1] + 1)
    )
    first = np.flatnonzero(~continues)
    last = np.append(first[1:] - 1, len(cells) - 1)
    parts.add(person[first], code[first], level[first], start[first], end[last])


def _household_cards(
    parts: _Parts, who: _Person, province: Province, households: Households, attrs, codes: _YearCodes, rng
) -> None:
    """Household (GD) cards as a chain of payments, renewals, lapses and rejoins, for everyone in
    the years their code is GD ("the pool")."""
    total, ny = codes.code.shape
    hh = who.household
    pool = codes.code == CODE["GD"]
    window_start, prior_cover = codes.start, codes.prior_cover
    hamlet_effect = rng.normal(0, 0.035, len(province.hamlet_codes))
    renew = np.clip(attrs["gd"][who.commune] + hamlet_effect[households.hamlet[hh]], 0.4, 0.99)
    rejoin = renew - 0.15
    never = (rng.random(households.count) < attrs["never"][households.commune])[hh]
    member_of_pool = pool.any(axis=1) & ~never
    start_day = day(WINDOW_START)
    first_year = who.years[0]
    as_of_day = who.as_of

    # Next pool entry after each year (for people who leave the pool and come back).
    entry = np.where(pool, window_start, NEVER)
    next_entry = np.minimum.accumulate(entry[:, ::-1], axis=1)[:, ::-1]  # earliest entry from year yi on
    first_index = np.argmax(pool, axis=1)
    rows = np.arange(total)

    # Household-level anniversary: the day the household's cards run from.
    anniversary = rng.integers(start_day - 364, start_day + 1, households.count)[hh]
    starts_insured = (first_index == 0) & (window_start[:, 0] == start_day) & pool[:, 0]
    insured_now = starts_insured & (rng.random(total) < renew)

    attempt = np.where(insured_now, anniversary - 30, NEVER)  # a first card: valid 30 days after paying
    later = member_of_pool & ~insured_now
    lapse_start = start_day + (rng.exponential(300, total)).astype(np.int64)
    attempt = np.where(later & starts_insured, lapse_start, attempt)
    # Joining the pool from another card (a pupil leaving school, a household leaving the poor list):
    # covered until the day before, they pay on that day to continue; the others join anew.
    entering = later & ~starts_insured
    continuing = entering & prior_cover[rows, first_index]
    attempt = np.where(entering, window_start[rows, first_index] - continuing, attempt)
    previous = np.where(continuing, window_start[rows, first_index] - 1, -1)
    forced = insured_now.copy()
    active = member_of_pool.copy()

    for _ in range(200):
        due = np.flatnonzero(active & (attempt <= as_of_day))
        if not len(due):
            break
        when = np.maximum(attempt[due], previous[due] + 1)
        yi = np.clip(year_of(when) - first_year, 0, ny - 1)
        in_pool = pool[due, yi]

        # Out of the pool for now (another card covers them): come back at the next entry.
        out = due[~in_pool]
        if len(out):
            following = np.minimum(yi[~in_pool] + 1, ny - 1)
            back = np.where(yi[~in_pool] + 1 < ny, next_entry[out, following], NEVER)
            back_year = np.clip(year_of(np.minimum(back, as_of_day)) - first_year, 0, ny - 1)
            returning = (back < NEVER) & prior_cover[out, back_year]
            attempt[out] = back - returning
            previous[out] = np.where(returning, back - 1, previous[out])
            active[out] = back < NEVER

        payers = due[in_pool]
        if not len(payers):
            continue
        # Households decide together; some members on their own. Campaigns since 2022 (Chỉ thị
        # 52-CT/TW) make renewing a little more likely every year.
        household_u = rng.random(households.count)[hh[payers]]
        own = rng.random(len(payers)) < 0.15
        u = np.where(own, rng.random(len(payers)), household_u)
        on_time = previous[payers] >= attempt[payers]
        push = 0.008 * yi[in_pool]
        p = np.where(forced[payers], 1.0, np.where(on_time, renew[payers] + push, rejoin[payers] + push))
        pays = u < p
        forced_now = forced[payers]
        forced[payers] = False

        paying = payers[pays]
        months = np.where(forced_now[pays], 12, rng.choice([12, 6, 3], size=len(paying), p=[0.92, 0.06, 0.02]))
        valid_from, valid_to = _card_periods(attempt[paying], months, previous[paying])
        parts.add(paying, CODE["GD"], LEVEL[CODE["GD"]], valid_from, valid_to)
        previous[paying] = valid_to
        # The next payment falls on or before the last valid day (its exact day changes nothing).
        attempt[paying] = valid_to

        # Not paying: most try again some months later, a few give up for good.
        lapsing = payers[~pays]
        quits = rng.random(len(lapsing)) < 0.05
        active[lapsing[quits]] = False
        stays = lapsing[~quits]
        wait = 20 + rng.exponential(100, len(stays)).astype(np.int64)
        attempt[stays] = np.maximum(attempt[stays], previous[stays] + 1) + wait


def _card_periods(payment: np.ndarray, months: np.ndarray, previous: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``card_period`` of the domain for whole columns: called once per distinct case."""
    key = (payment * 100_000 + (previous + 1)) * 16 + months
    unique, inverse = np.unique(key, return_inverse=True)
    starts = np.empty(len(unique), dtype=np.int64)
    ends = np.empty(len(unique), dtype=np.int64)
    for i, k in enumerate(unique.tolist()):
        m = k % 16
        rest = k // 16
        prev = rest % 100_000 - 1
        pay = rest // 100_000
        valid_from, valid_to = card_period(to_date(pay), int(m), to_date(prev) if prev >= 0 else None, "GD")
        starts[i] = day(valid_from)
        ends[i] = day(valid_to)
    return starts[inverse], ends[inverse]


def _settle_overlaps(person, code, level, start, end):
    """One card at a time per person: a card ends the day before the next one starts (a budget card
    replaces the household card it overlaps); of two starting the same day the higher priority stays."""
    order = np.argsort((person << 24) | ((start + _DAY_OFFSET) << 7) | code)
    person, code, level, start, end = person[order], code[order], level[order], start[order], end[order]
    keep = np.ones(len(person), dtype=bool)
    keep[1:] = (person[1:] != person[:-1]) | (start[1:] != start[:-1])
    person, code, level, start, end = person[keep], code[keep], level[keep], start[keep], end[keep]
    next_same = np.append(person[:-1] == person[1:], False)
    next_start = np.append(start[1:], NEVER)
    end = np.where(next_same & (end >= next_start), next_start - 1, end)
    return person, code, level, start, end


def _cut_at_death_or_departure(people, person, code, level, start, end, rng):
    """No card after a death or after leaving the province; the card held then ends that day, except
    for a few (about 5 % of deaths, 10 % of departures) whose card runs on, as registries have them."""
    gone = np.minimum(people.death, people.left)
    runs_on = np.where(people.death < NEVER, rng.random(people.count) < 0.05, rng.random(people.count) < 0.10)
    last = gone[person]
    keep = start <= last
    end = np.where((end > last) & ~runs_on[person], last, end)
    return person[keep], code[keep], level[keep], start[keep], end[keep]


def _add_duplicates(person, code, level, start, end, as_of_day, rng):
    """About 0.2 % of the carded people also hold a second, overlapping household card (rows come
    sorted by person and start)."""
    last_row = np.flatnonzero(np.append(person[1:] != person[:-1], True))  # each person's latest card
    last_row = last_row[rng.random(len(last_row)) < 0.002]
    chosen = person[last_row]
    # A household card bought 15–120 days into it.
    dup_start = start[last_row] + rng.integers(15, 121, len(last_row))
    ok = (dup_start <= end[last_row]) & (dup_start <= as_of_day)
    chosen, dup_start = chosen[ok], dup_start[ok]
    dup_end = add_months(dup_start, 12) - 1
    return (
        np.concatenate([person, chosen]),
        np.concatenate([code, np.full(len(chosen), CODE["GD"], dtype=code.dtype)]),
        np.concatenate([level, np.full(len(chosen), LEVEL[CODE["GD"]], dtype=level.dtype)]),
        np.concatenate([start, dup_start]),
        np.concatenate([end, dup_end]),
    )


def _issuers(province, households, people, person, code, start, university, rng):
    """Issuing province (2 digits) and first-contact facility of each card."""
    hh = people.household[person]
    legacy = np.array([c.legacy2 for c in province.communes])
    station = np.array([int(c.station) for c in province.communes])
    urban = np.array([c.urban for c in province.communes])
    moved_before = start < households.moved[hh]
    commune = np.where(moved_before, households.origin_commune[hh], households.commune[hh])
    issuing = legacy[commune]
    before_arrival = people.in_migrant[person] & (start < people.arrived[person])
    issuing = np.where(before_arrival, people.origin_province[person], issuing)
    issuing = np.where(code == CODE["SV"], university[person], issuing)
    works_elsewhere = rng.random(people.count) < 0.08
    employee = np.isin(code, [CODE[c] for c, _ in EMPLOYEE_SECTORS])
    issuing = np.where(employee & works_elsewhere[person], people.origin_province[person], issuing)

    # The facility chosen when registering: the commune's health station or one of the hospitals of
    # the issuing province (cards issued elsewhere: that province's first hospital).
    hospital_pick = rng.random(people.count) < np.where(urban[households.commune[people.household]], 0.7, 0.35)
    hospital_number = rng.integers(1, 9, people.count)
    home = issuing == legacy[commune]
    facility = np.where(
        home,
        np.where(hospital_pick[person], issuing * 1000 + hospital_number[person], station[commune]),
        issuing * 1000 + 1,
    )
    return issuing.astype(np.int64), facility.astype(np.int64)
