"""Households and people of the synthetic province, their births, deaths and moves.

Households are drawn first (1–8 people, mean about 3.6), each with a structure that Vietnamese
household books show: a couple with children, an older couple with a married son, his wife and
their children, a young couple living with a parent, an old person alone … Ages follow from the
structure (a head, a spouse a few years apart, children 21–33 years younger than their parents),
which gives the Vietnamese pyramid: about 23 % under 15 and about 9 % aged 65 and over.

Then the events of the years since 2022-01-01: births (children born since then are in the
registry from their birth date), deaths (about 0.6 % a year, mostly old people), people leaving
the province (about 1 % a year, mostly young adults), households arriving from elsewhere (about
1 % of the people a year since 2023) and a few households moving between communes.

Everything is whole-column numpy: no loop runs over people.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import numpy as np

from bhyt.demo import names
from bhyt.demo.dates import add_months, day, year_of
from bhyt.demo.places import Province
from bhyt.domain.identifiers import LEGACY_PROVINCES, SEX_FEMALE, SEX_MALE, personal_id_century_digit

NEVER = 10**7  # a day number far in the future: "no death", "has not left"
UNKNOWN = -(10**7)  # far in the past: "no arrival date"

WINDOW_START = date(2022, 1, 1)  # the registry's history starts here
IN_MIGRATION_START = date(2023, 1, 1)

RELATIONS = ("Chủ hộ", "Vợ", "Chồng", "Con", "Con dâu", "Con rể", "Bố", "Mẹ", "Cháu")
HEAD, WIFE, HUSBAND, CHILD, DAUGHTER_IN_LAW, SON_IN_LAW, FATHER, MOTHER, GRANDCHILD = range(len(RELATIONS))

SIZES = np.arange(1, 9)
SIZE_SHARES = np.array([0.10, 0.18, 0.22, 0.25, 0.13, 0.07, 0.03, 0.02])

# Household structures: one person, a couple, a parent with children, a grandparent with a grandchild,
# a couple with children, an older couple with a married child and grandchildren, a couple with a parent.
(SINGLE_YOUNG, SINGLE_OLD, COUPLE_YOUNG, COUPLE_OLD, SINGLE_PARENT, GRANDPARENT, NUCLEAR, ELDER_LED,
 WITH_PARENTS) = range(9)

CLASSIFICATIONS = ("ngheo", "can_ngheo", "nong_lam_ngu_diem_nghiep_tb", "khac")
POOR, NEAR_POOR, FARM_AVERAGE, OTHER = range(4)


@dataclass
class Households:
    commune: np.ndarray
    hamlet: np.ndarray
    size: np.ndarray
    start: np.ndarray  # index of the head in the person arrays
    number: np.ndarray  # sequence number inside the commune (household code)
    minority: np.ndarray
    arrived: np.ndarray  # in-migrant households: arrival day, else UNKNOWN
    moved: np.ndarray  # households that moved between communes: day of the move, else NEVER
    origin_commune: np.ndarray
    origin_hamlet: np.ndarray
    classification: np.ndarray  # (households, years) codes POOR … OTHER
    classification_years: list[int]

    @property
    def count(self) -> int:
        return len(self.commune)


@dataclass
class People:
    household: np.ndarray
    relation: np.ndarray
    sex: np.ndarray
    birth: np.ndarray
    family: np.ndarray
    middle: np.ndarray
    given: np.ndarray
    birth_province: np.ndarray  # pre-2025 province of birth registration, 1 … 96
    personal_id: np.ndarray  # the 12 digits as an integer
    bhxh: np.ndarray  # the 10 digits as an integer
    arrived: np.ndarray  # start of the residence in the first commune lived in since 2022
    death: np.ndarray
    left: np.ndarray  # left the province
    origin_province: np.ndarray  # where they lived before (in-migrants) or first worked (others born elsewhere)
    home_province: np.ndarray  # pre-2025 province of the commune they live in now
    in_migrant: np.ndarray
    # The nine digits after the leading 0 of a mobile number; 0 for someone without a phone.
    phone: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))

    @property
    def count(self) -> int:
        return len(self.household)


def make_households(province: Province, total: int, rng: np.random.Generator) -> tuple[Households, np.ndarray]:
    """Households with their commune and hamlet, sized to exactly ``total`` people, in commune, hamlet
    order; also the within-household position of every person."""
    estimate = int(total / 3.5 * 1.15) + 16
    size = rng.choice(SIZES, p=SIZE_SHARES, size=estimate)
    cumulative = np.cumsum(size)
    count = int(np.searchsorted(cumulative, total)) + 1
    size = size[:count].copy()
    size[-1] -= int(cumulative[count - 1] - total)

    planned = np.array([c.planned_population for c in province.communes])
    share = planned / planned.sum()
    targets = np.cumsum(share) * total
    start = np.cumsum(size) - size
    commune = np.minimum(np.searchsorted(targets, start, side="right"), province.commune_count - 1)

    hamlet = _pick_hamlets(province, commune, rng)
    order = np.lexsort((rng.random(count), hamlet, commune))
    commune, hamlet, size = commune[order], hamlet[order], size[order]
    start = np.cumsum(size) - size
    first_of_commune = np.searchsorted(commune, np.arange(province.commune_count))
    number = np.arange(count) - first_of_commune[commune] + 1

    minority_share = np.array([rng.uniform(0.45, 0.9) if c.mountain else 0.004 for c in province.communes])
    minority = rng.random(count) < minority_share[commune]
    households = Households(
        commune=commune.astype(np.int32),
        hamlet=hamlet.astype(np.int32),
        size=size.astype(np.int32),
        start=start.astype(np.int64),
        number=number.astype(np.int64),
        minority=minority,
        arrived=np.full(count, UNKNOWN, dtype=np.int64),
        moved=np.full(count, NEVER, dtype=np.int64),
        origin_commune=commune.astype(np.int32).copy(),
        origin_hamlet=hamlet.astype(np.int32).copy(),
        classification=np.empty((count, 0), dtype=np.int8),
        classification_years=[],
    )
    position = np.arange(total) - np.repeat(start, size)
    return households, position


def _pick_hamlets(province: Province, commune: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    # Each commune's hamlets share the interval [c, c + 1) by their weights.
    edges = np.empty(len(province.hamlet_weight))
    for c in province.communes:
        part = slice(c.hamlet_start, c.hamlet_start + c.hamlet_count)
        edges[part] = c.index + np.cumsum(province.hamlet_weight[part])
        edges[c.hamlet_start + c.hamlet_count - 1] = c.index + 1.0
    keys = commune + rng.random(len(commune))
    return np.minimum(np.searchsorted(edges, keys, side="right"), len(edges) - 1)


def make_people(
    province: Province, households: Households, position: np.ndarray, as_of: date, rng: np.random.Generator
) -> People:
    total = len(position)
    size = households.size
    count = households.count
    hh = np.repeat(np.arange(count), size)
    pos = position

    # Structure of each household.
    u = rng.random(count)
    structure = np.select(
        [size == 1, size == 2, size >= 3],
        [
            np.where(u < 0.4, SINGLE_YOUNG, SINGLE_OLD),
            np.select([u < 0.15, u < 0.50, u < 0.85], [COUPLE_YOUNG, COUPLE_OLD, SINGLE_PARENT], GRANDPARENT),
            np.where(
                size <= 5,
                np.select([u < 0.62, u < 0.90], [NUCLEAR, ELDER_LED], WITH_PARENTS),
                np.select([u < 0.3, u < 0.9], [NUCLEAR, ELDER_LED], WITH_PARENTS),
            ),
        ],
    )
    spouse = np.select(
        [structure == NUCLEAR, structure == ELDER_LED, structure == WITH_PARENTS],
        [rng.random(count) < 0.9, rng.random(count) < 0.8, True],
        np.isin(structure, (COUPLE_YOUNG, COUPLE_OLD)),
    )
    in_law = rng.random(count) < 0.85
    two_parents = (size >= 5) & (rng.random(count) < 0.5)
    son_line = rng.random(count) < 0.8  # the married child living with the old couple is a son

    s = structure[hh]
    has_spouse = spouse[hh]
    # Roles: position 0 is the head; then by structure.
    elder_j = pos - has_spouse.astype(np.int64)  # ELDER_LED: 1 = adult child, 2 = in-law, 3+ = grandchildren
    role = np.select(
        [
            pos == 0,
            (pos == 1) & has_spouse,
            s == GRANDPARENT,
            (s == ELDER_LED) & (elder_j == 1),
            (s == ELDER_LED) & (elder_j == 2) & in_law[hh],
            s == ELDER_LED,
            (s == WITH_PARENTS) & (pos == 2),
            (s == WITH_PARENTS) & (pos == 3) & two_parents[hh],
        ],
        [HEAD, WIFE, GRANDCHILD, CHILD, DAUGHTER_IN_LAW, GRANDCHILD, FATHER, MOTHER],
        CHILD,
    )

    # Head's age and sex.
    head_age = np.select(
        [
            structure == SINGLE_YOUNG,
            structure == SINGLE_OLD,
            structure == COUPLE_YOUNG,
            structure == COUPLE_OLD,
            structure == SINGLE_PARENT,
            structure == GRANDPARENT,
            structure == NUCLEAR,
            structure == ELDER_LED,
        ],
        [
            rng.uniform(19, 40, count),
            np.minimum(62 + rng.exponential(14.0, count), 102),
            rng.uniform(20, 34, count),
            np.minimum(52 + rng.exponential(12.0, count), 100),
            rng.uniform(32, 72, count),
            rng.uniform(55, 90, count),
            np.clip(rng.normal(40.5, 9.5, count), 22, 70),
            np.clip(rng.normal(62, 10, count), 46, 96),
        ],
        np.clip(rng.normal(40, 7, count), 25, 58),
    )
    male_share = np.select(
        [
            structure == SINGLE_YOUNG,
            structure == SINGLE_OLD,
            structure == SINGLE_PARENT,
            structure == GRANDPARENT,
            ~spouse,
        ],
        [0.6, 0.3, 0.3, 0.45, 0.25],
        0.85,
    )
    head_male = rng.random(count) < male_share

    # The adult child in ELDER_LED households and the parents in WITH_PARENTS ones.
    adult_child_age = np.maximum(head_age - np.clip(rng.normal(28, 5, count), 20, 42), 18 + rng.uniform(0, 6, count))
    parent_age = head_age + rng.uniform(23, 34, count)

    is_young = np.isin(role, (CHILD, GRANDCHILD)) & ~((s == ELDER_LED) & (role == CHILD))

    age = np.empty(total)
    sex = np.where(rng.random(total) < 0.52, SEX_MALE, SEX_FEMALE).astype(np.int8)
    h_age = head_age[hh]
    h_male = head_male[hh]
    head = role == HEAD
    age[head] = h_age[head]
    sex[head] = np.where(h_male[head], SEX_MALE, SEX_FEMALE)

    mate = role == WIFE
    age[mate] = h_age[mate] + np.where(h_male[mate], -1, 1) * rng.normal(3, 2.5, mate.sum())
    sex[mate] = np.where(h_male[mate], SEX_FEMALE, SEX_MALE)
    role = np.where(mate & ~h_male, HUSBAND, role)

    adult_child = (s == ELDER_LED) & (role == CHILD)
    age[adult_child] = adult_child_age[hh[adult_child]]
    sex[adult_child] = np.where(son_line[hh[adult_child]], SEX_MALE, SEX_FEMALE)
    law = role == DAUGHTER_IN_LAW
    age[law] = adult_child_age[hh[law]] + rng.normal(-2, 3, law.sum())
    sex[law] = np.where(son_line[hh[law]], SEX_FEMALE, SEX_MALE)
    role = np.where(law & ~son_line[hh], SON_IN_LAW, role)

    father = role == FATHER
    single_parent_is_mother = rng.random(total) < 0.65
    age[father] = parent_age[hh[father]]
    sex[father] = SEX_MALE
    lone_parent = father & ~two_parents[hh] & single_parent_is_mother
    sex[lone_parent] = SEX_FEMALE
    role = np.where(lone_parent, MOTHER, role)
    mother = role == MOTHER
    second = mother & ~lone_parent
    age[second] = parent_age[hh[second]] - rng.normal(3, 2, second.sum())
    sex[mother] = SEX_FEMALE

    # Each child was born when the parent was about 28 (18–45); parents too young for that had them
    # recently.
    parent_h = np.select(
        [structure == ELDER_LED, structure == GRANDPARENT], [adult_child_age, head_age - 27], head_age
    )
    young = is_young
    parent = parent_h[hh[young]]
    child_age = parent - np.clip(rng.normal(27.5, 5, young.sum()), 18, 44)
    too_young = child_age < 0
    child_age[too_young] = rng.random(too_young.sum()) * np.maximum(parent[too_young] - 18, 1)
    age[young] = child_age
    age = np.clip(age, 0, 104)

    as_of_day = day(as_of)
    birth = as_of_day - np.floor(age * 365.2425).astype(np.int64) - rng.integers(0, 2, total)
    birth = np.minimum(birth, as_of_day)
    birth_year = year_of(birth)

    # Names: the family name runs down the father's line.
    minority = households.minority[hh]
    family_line = np.where(
        households.minority,
        names.draw("family_minority", rng, count),
        names.draw("family_kinh", rng, count),
    )
    own_family = np.where(minority, names.draw("family_minority", rng, total), names.draw("family_kinh", rng, total))
    married_in = np.isin(role, (WIFE, DAUGHTER_IN_LAW, SON_IN_LAW, MOTHER)) | (head & (sex == SEX_FEMALE))
    daughter_line_grandchild = (role == GRANDCHILD) & (s == ELDER_LED) & ~son_line[hh]
    son_in_law_family = own_family[np.minimum(households.start + 2 + spouse.astype(np.int64), total - 1)]
    family = np.where(married_in, own_family, family_line[hh])
    family = np.where(daughter_line_grandchild, son_in_law_family[hh], family)
    middle, given = names.person_names(rng, sex, birth_year, minority)
    # "Hoàng Hoàng Bảo": a middle name equal to the family name becomes the plain Văn / Thị.
    plain = np.where(sex == SEX_MALE, names.WORDS.index("Văn"), names.WORDS.index("Thị"))
    middle = np.where(middle == family, plain, middle).astype(np.int32)

    people = People(
        household=hh.astype(np.int64),
        relation=role.astype(np.int8),
        sex=sex,
        birth=birth,
        family=family.astype(np.int32),
        middle=middle,
        given=given,
        birth_province=np.zeros(total, dtype=np.int64),
        personal_id=np.zeros(total, dtype=np.int64),
        bhxh=np.zeros(total, dtype=np.int64),
        arrived=np.full(total, UNKNOWN, dtype=np.int64),
        death=np.full(total, NEVER, dtype=np.int64),
        left=np.full(total, NEVER, dtype=np.int64),
        origin_province=np.zeros(total, dtype=np.int64),
        home_province=np.array([c.legacy2 for c in province.communes])[households.commune][hh],
        in_migrant=np.zeros(total, dtype=bool),
    )
    return people


def add_events(
    province: Province, households: Households, people: People, as_of: date, rng: np.random.Generator
) -> None:
    """Migration in and out, moves between communes and deaths since 2022, in place."""
    as_of_day = day(as_of)
    start_day = day(WINDOW_START)
    total = people.count
    hh = people.household

    # Households that arrived from another province since 2023: about 1 % of the people a year.
    in_start = day(IN_MIGRATION_START)
    in_years = max((as_of_day - in_start) / 365.25, 0.0)
    arriving = rng.random(households.count) < 0.0105 * in_years
    households.arrived = np.where(arriving, rng.integers(in_start, as_of_day + 1, households.count), UNKNOWN)

    # A few households move to another commune of the province (about 0.4 % a year).
    years = (as_of_day - start_day) / 365.25
    moving = ~arriving & (rng.random(households.count) < 0.004 * years)
    households.moved = np.where(moving, rng.integers(start_day, as_of_day + 1, households.count), NEVER)
    weights = np.array([c.planned_population for c in province.communes])
    origin = rng.choice(province.commune_count, size=households.count, p=weights / weights.sum())
    origin = np.where(origin == households.commune, (origin + 1) % province.commune_count, origin)
    households.origin_commune = np.where(moving, origin, households.commune).astype(np.int32)
    first_hamlet = np.array([c.hamlet_start for c in province.communes])[households.origin_commune]
    hamlet_count = np.array([c.hamlet_count for c in province.communes])[households.origin_commune]
    origin_hamlet = first_hamlet + (rng.random(households.count) * hamlet_count).astype(np.int64)
    households.origin_hamlet = np.where(moving, origin_hamlet, households.hamlet).astype(np.int32)

    # Where people were born and where they lived before.
    commune_legacy = people.home_province
    others = np.array(sorted(int(code) for code in LEGACY_PROVINCES if int(code) not in province.legacy2))
    other_weight = np.where(np.isin(others, (1, 79, 48, 46)), 3.0, 1.0)
    elsewhere = others[rng.choice(len(others), size=total, p=other_weight / other_weight.sum())]
    sibling = np.array(province.legacy2)[rng.integers(0, len(province.legacy2), total)]
    in_migrant = arriving[hh]
    people.in_migrant = in_migrant
    u = rng.random(total)
    born_elsewhere = np.where(in_migrant, u < 0.6, u < 0.03)
    people.birth_province = np.where(born_elsewhere, elsewhere, np.where(u < 0.08, sibling, commune_legacy))
    people.origin_province = np.where(born_elsewhere, people.birth_province, elsewhere)

    # Start of residence: birth for the locally born, some adult age for the others, arrival for in-migrants.
    adult_move = people.birth + (rng.uniform(18, 35, total) * 365.25).astype(np.int64)
    some_day_before = people.birth + (rng.random(total) * np.maximum(start_day - 1 - people.birth, 0)).astype(np.int64)
    settled = np.where(born_elsewhere, np.where(adult_move < start_day, adult_move, some_day_before), people.birth)
    settled = np.maximum(settled, people.birth)
    arrival = households.arrived[hh]
    people.arrived = np.where(in_migrant, np.maximum(arrival, people.birth), settled)

    # Deaths: Gompertz hazard by age, scaled to about 0.6 % a year.
    exposure_start = np.maximum(np.maximum(people.birth, start_day), np.where(in_migrant, people.arrived, start_day))
    exposure = np.maximum(as_of_day - exposure_start, 0) / 365.25
    age = (as_of_day - people.birth) / 365.25
    hazard = np.exp(0.088 * (age - 80.0)) + np.where(age < 1.5, 0.2, 0.0)
    scale = 0.0072 * exposure.sum() / max(float((hazard * exposure).sum()), 1e-9)
    dies = rng.random(total) < 1 - np.exp(-hazard * scale * exposure)
    death = exposure_start + (rng.random(total) * (as_of_day - exposure_start)).astype(np.int64)

    # Leaving the province: about 1 % a year, mostly young adults going to work elsewhere.
    leave_rate = np.select([age < 15, age < 18, age < 36, age < 55], [0.004, 0.008, 0.026, 0.008], 0.002)
    may_leave = ~in_migrant & (households.moved[hh] == NEVER) & (people.relation != HEAD)
    leave_rate = np.where(may_leave, leave_rate, 0.0)
    leave_scale = 0.0105 * exposure.sum() / max(float((leave_rate * exposure).sum()), 1e-9)
    leaves = rng.random(total) < 1 - np.exp(-leave_rate * leave_scale * exposure)
    leaving = exposure_start + (rng.random(total) * (as_of_day - exposure_start)).astype(np.int64)

    # Whichever comes first; the registry does not learn of deaths after someone has left.
    leave_first = leaves & (~dies | (leaving < death))
    people.left = np.where(leave_first, leaving, NEVER)
    people.death = np.where(dies & ~leave_first, death, NEVER)


def assign_identifiers(province: Province, people: People, rng: np.random.Generator) -> None:
    """Personal IDs that pass the domain rules and lifelong BHXH numbers, both unique, in place.

    Personal ID: birth-registration province (3 digits), century/sex digit, 2-digit birth year,
    6-digit sequence. BHXH number: province of first issue (2 digits) and an 8-digit sequence.
    """
    total = people.count
    birth_year = year_of(people.birth)
    # The domain decides the century/sex digit; there are only a couple of hundred (year, sex) pairs.
    pairs, inverse = np.unique(birth_year * 10 + people.sex, return_inverse=True)
    digit = np.array([int(personal_id_century_digit(int(p // 10), int(p % 10))) for p in pairs])[inverse]
    prefix = people.birth_province * 1000 + digit * 100 + birth_year % 100
    sequence = _scrambled_sequence(prefix, 1_000_000, rng)
    people.personal_id = prefix * 1_000_000 + sequence

    # The BHXH number was first issued where the person lived then: the birth province for most,
    # the province they came from for in-migrants and half of those born elsewhere.
    born_elsewhere = ~np.isin(people.birth_province, province.legacy2)
    first_issue = np.where(
        people.in_migrant,
        people.origin_province,
        np.where(born_elsewhere & (rng.random(total) < 0.5), people.home_province, people.birth_province),
    )
    people.bhxh = first_issue * 100_000_000 + _issued_sequence(first_issue, people.personal_id, 100_000_000, rng)


# The two digits after 0 of the mobile networks' prefixes (Viettel 032–039, 086, 096–098; VinaPhone
# 081–085, 088, 091, 094; MobiFone 070, 076–079, 089, 090, 093; Vietnamobile 052, 056, 058, 092;
# Gmobile 059, 099).
MOBILE_PREFIXES = np.array([32, 33, 34, 35, 36, 37, 38, 39, 86, 96, 97, 98, 81, 82, 83, 84, 85, 88, 91, 94,
                            70, 76, 77, 78, 79, 89, 90, 93, 52, 56, 58, 92, 59, 99])
ADULT_AGE = 18
ADULTS_WITH_PHONE = 0.85


def assign_phones(people: People, as_of: date, rng: np.random.Generator) -> None:
    """A mobile number for most adults (aged 18 on `as_of`), in place: a network prefix and seven
    random digits. Nobody under 18 has one, so a household's reminder goes to a grown-up."""
    adult = add_months(people.birth, 12 * ADULT_AGE) <= day(as_of)
    has_phone = adult & (rng.random(people.count) < ADULTS_WITH_PHONE)
    number = rng.choice(MOBILE_PREFIXES, people.count) * 10_000_000 + rng.integers(0, 10_000_000, people.count)
    people.phone = np.where(has_phone, number, 0).astype(np.int64)


def _scrambled_sequence(group: np.ndarray, space: int, rng: np.random.Generator) -> np.ndarray:
    """A distinct number below ``space`` for every member of each group, in no visible order."""
    order = np.lexsort((rng.random(len(group)), group))
    sorted_group = group[order]
    first = np.searchsorted(sorted_group, sorted_group, side="left")
    rank = np.empty(len(group), dtype=np.int64)
    rank[order] = np.arange(len(group)) - first
    if len(group) and rank.max() >= space:
        raise ValueError("Quá nhiều người cho một dãy số định danh; hãy giảm số người của tỉnh mô phỏng.")
    # Multiplying by a number coprime with the space permutes 0 … space-1; each group starts elsewhere.
    multiplier = 7_919 * 1_000_003 % space
    while np.gcd(multiplier, space) != 1:
        multiplier += 1
    groups, which = np.unique(group, return_inverse=True)
    offset = rng.integers(0, space, len(groups))[which]
    return (rank * multiplier + offset) % space


def _issued_sequence(group: np.ndarray, order_key: np.ndarray, space: int, rng: np.random.Generator) -> np.ndarray:
    """Numbers issued one after another with gaps inside each group, rising with ``order_key``."""
    order = np.lexsort((order_key, group))
    sorted_group = group[order]
    groups, first, counts = np.unique(sorted_group, return_index=True, return_counts=True)
    widest = np.maximum(np.minimum(60, (0.9 * space) // counts), 1).astype(np.int64)
    which = np.repeat(np.arange(len(groups)), counts)
    gaps = 1 + (rng.random(len(group)) * widest[which]).astype(np.int64)
    running = np.cumsum(gaps)
    within = running - np.repeat(running[first] - gaps[first], counts)
    room = np.maximum(space - within[np.append(first[1:], len(group)) - 1] - 1, 1)
    start = (rng.random(len(groups)) * room).astype(np.int64)
    if len(group) and (counts > 0.9 * space).any():
        raise ValueError("Quá nhiều người cho một dãy mã số BHXH; hãy giảm số người của tỉnh mô phỏng.")
    sequence = np.empty(len(group), dtype=np.int64)
    sequence[order] = start[which] + within - 1
    return sequence


def classify_households(
    province: Province, households: Households, years: list[int], rng: np.random.Generator
) -> None:
    """Poor / near-poor / average-living farm household / other, one decision a year, in place.

    A household's living standard is a latent score that drifts a little each year; the commune's
    poverty lines on that score make poorer rural and mountain communes poorer.
    """
    from statistics import NormalDist

    normal = NormalDist()
    count = households.count
    poor = np.empty(province.commune_count)
    near = np.empty(province.commune_count)
    farm = np.empty(province.commune_count)
    # Shares of poor, near-poor and average-living farm households (ranges by kind of commune).
    for c in province.communes:
        if c.urban:
            ranges = ((0.005, 0.015), (0.01, 0.025), (0.02, 0.02))
        elif c.mountain:
            ranges = ((0.10, 0.22), (0.08, 0.14), (0.06, 0.12))
        elif c.island:
            ranges = ((0.01, 0.01), (0.02, 0.02), (0.15, 0.15))
        else:
            ranges = ((0.015, 0.045), (0.03, 0.07), (0.08, 0.17))
        poor[c.index], near[c.index], farm[c.index] = (rng.uniform(low, high) for low, high in ranges)
    poor_line = np.array([normal.inv_cdf(p) for p in poor])[households.commune]
    near_line = np.array([normal.inv_cdf(p + q) for p, q in zip(poor, near)])[households.commune]
    farming = rng.random(count) < (farm / (1 - poor - near))[households.commune]

    hamlet_shift = rng.normal(0, 0.25, len(province.hamlet_codes))[households.hamlet]
    score = rng.normal(0, 1, count) * np.sqrt(1 - 0.25**2) + hamlet_shift
    result = np.empty((count, len(years)), dtype=np.int8)
    for i, _ in enumerate(years):
        if i:
            score = 0.92 * score + np.sqrt(1 - 0.92**2) * rng.normal(0, 1, count) + 0.04
        result[:, i] = np.select(
            [score < poor_line, score < near_line, farming], [POOR, NEAR_POOR, FARM_AVERAGE], OTHER
        )
    households.classification = result
    households.classification_years = list(years)
