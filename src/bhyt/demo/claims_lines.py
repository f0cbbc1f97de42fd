"""The cost lines of the synthetic claims (XML2 drugs, XML3 services and supplies), as columns.

Each claim gets one examination, the tests and drugs its diagnosis calls for and, for a stay, one
bed day per day, daily drugs, supplies on the first day and the procedure of its diagnosis. Every
order falls inside the episode (order ≤ execution ≤ result ≤ discharge), one code is never billed
twice at the same time in a claim, every unit price is the facility's approved price, and an
outpatient prescription never runs past 30 days.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np

from bhyt.demo.claims_catalogue import BED, DAY_BED, EXAMS, INDEX, PROFILES, SUPPLIES, item_columns

NO_TIME = -1


@dataclass
class Lines:
    claim: np.ndarray
    item: np.ndarray  # index into ITEMS
    quantity: np.ndarray  # whole units
    ordered: np.ndarray  # NGAY_YL, minutes since 1970
    done: np.ndarray  # NGAY_TH_YL
    result: np.ndarray  # NGAY_KQ, or NO_TIME
    days: np.ndarray  # days of drugs a line prescribes (0 for services)
    price_factor: np.ndarray  # unit price ÷ approved price (1, or more where PRICE_ABOVE_APPROVED)

    @property
    def count(self) -> int:
        return len(self.claim)

    def take(self, index: np.ndarray) -> Lines:
        return Lines(*(getattr(self, f.name)[index] for f in fields(self)))

    def append(self, other: Lines) -> Lines:
        return Lines(*(np.concatenate([getattr(self, f.name), getattr(other, f.name)]) for f in fields(self)))


def lines_of(claim, item, quantity, ordered, done, result=None, days=None) -> Lines:
    n = len(claim)
    return Lines(
        claim=np.asarray(claim, dtype=np.int64),
        item=np.broadcast_to(np.asarray(item, dtype=np.int64), (n,)).copy(),
        quantity=np.broadcast_to(np.asarray(quantity, dtype=np.int64), (n,)).copy(),
        ordered=np.asarray(ordered, dtype=np.int64),
        done=np.asarray(done, dtype=np.int64),
        result=np.full(n, NO_TIME, dtype=np.int64) if result is None else np.asarray(result, dtype=np.int64),
        days=np.zeros(n, dtype=np.int64) if days is None else np.asarray(days, dtype=np.int64),
        price_factor=np.ones(n, dtype=np.float64),
    )


@dataclass
class ClaimFacts:
    """What the lines of each claim depend on."""

    profile: np.ndarray  # profile name of the main diagnosis
    chronic: np.ndarray  # main diagnosis is a long-term disease
    child: np.ndarray
    stay: np.ndarray  # inpatient or day treatment
    day_treatment: np.ndarray
    admitted: np.ndarray  # minutes
    length: np.ndarray  # days


def make_lines(facts: ClaimFacts, rng: np.random.Generator) -> Lines:
    parts = [_examinations(facts, rng), _tests(facts, rng), _drugs(facts, rng)]
    stays = np.flatnonzero(facts.stay)
    if len(stays):
        parts += [_beds(facts, stays), _supplies(facts, stays, rng), _procedures(facts, stays)]
    lines = parts[0]
    for part in parts[1:]:
        lines = lines.append(part)
    return lines.take(np.lexsort((lines.item, lines.ordered, lines.claim)))


def _examinations(facts: ClaimFacts, rng) -> Lines:
    claims = np.arange(len(facts.profile))
    surgical = np.isin(facts.profile, ["appendix", "fracture"])
    item = np.where(facts.child, EXAMS["child"], np.where(surgical, EXAMS["surgery"], EXAMS["adult"]))
    at = facts.admitted + rng.integers(3, 12, len(claims))
    return lines_of(claims, item, 1, at, at)


def _pick(facts: ClaimFacts, key: str, count: np.ndarray, rng) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Up to `count` distinct items of each claim's profile list `key`: (claim, item, rank)."""
    claims, items, ranks = [], [], []
    for name, profile in PROFILES.items():
        rows = np.flatnonzero(facts.profile == name)
        pool = np.array([INDEX[code] for code in profile.get(key, ())], dtype=np.int64)
        if not len(rows) or not len(pool):
            continue
        order = np.argsort(rng.random((len(rows), len(pool))), axis=1)
        take = np.minimum(count[rows], len(pool))
        mask = np.arange(len(pool))[None, :] < take[:, None]
        claims.append(np.repeat(rows, take))
        items.append(pool[order][mask])
        ranks.append(np.nonzero(mask)[1])
    if not claims:
        z = np.zeros(0, dtype=np.int64)
        return z, z, z
    return np.concatenate(claims), np.concatenate(items), np.concatenate(ranks)


def _tests(facts: ClaimFacts, rng) -> Lines:
    n = len(facts.profile)
    count = np.where(facts.stay, 3, rng.choice([0, 1, 2, 3], size=n, p=[0.35, 0.3, 0.2, 0.15]))
    claim, item, rank = _pick(facts, "tests", count, rng)
    ordered = facts.admitted[claim] + 20 + rank
    done = ordered + 10
    return lines_of(claim, item, 1, ordered, done, done + rng.integers(30, 90, len(claim)))


def _drugs(facts: ClaimFacts, rng) -> Lines:
    n = len(facts.profile)
    columns = item_columns()
    out = ~facts.stay
    count = np.where(out, rng.choice([0, 1, 2, 3], size=n, p=[0.1, 0.35, 0.35, 0.2]), 3)
    # Outpatient prescriptions: oral drugs for 3–10 days, 30 for a long-term disease.
    claim, item, _ = _pick(facts, "oral", np.where(out, count, 0), rng)
    days = np.where(facts.chronic[claim], 30, rng.choice([3, 5, 7, 10], size=len(claim)))
    daily = columns["per_dose"][item] * columns["per_day"][item]
    at = facts.admitted[claim] + 130
    prescribed = lines_of(claim, item, daily * days, at, at, days=days)
    # Stays: each drug once a day, every day of the stay.
    claim, item, _ = _pick(facts, "stay", np.where(out, 0, count), rng)
    length = facts.length[claim]
    claim, item = np.repeat(claim, length), np.repeat(item, length)
    offset = np.arange(len(claim)) - np.repeat(np.cumsum(length) - length, length)
    first = facts.admitted[claim]
    ordered = np.where(offset == 0, first + 70, (first // 1440 + offset) * 1440 + 8 * 60)
    daily = columns["per_dose"][item] * columns["per_day"][item]
    given = lines_of(claim, item, daily, ordered, ordered + 30, days=np.ones(len(claim), dtype=np.int64))
    return prescribed.append(given)


def _beds(facts: ClaimFacts, stays: np.ndarray) -> Lines:
    length = facts.length[stays]
    claim = np.repeat(stays, length)
    offset = np.arange(len(claim)) - np.repeat(np.cumsum(length) - length, length)
    first = facts.admitted[claim]
    ordered = np.where(offset == 0, first + 60, (first // 1440 + offset) * 1440 + 7 * 60)
    item = np.where(facts.day_treatment[claim], DAY_BED, BED)
    return lines_of(claim, item, 1, ordered, ordered)


def _supplies(facts: ClaimFacts, stays: np.ndarray, rng) -> Lines:
    count = rng.integers(1, 3, len(stays))
    claim = np.repeat(stays, count)
    rank = np.arange(len(claim)) - np.repeat(np.cumsum(count) - count, count)
    start = rng.integers(0, len(SUPPLIES), len(stays))
    item = np.array(SUPPLIES)[(np.repeat(start, count) + rank) % len(SUPPLIES)]
    at = facts.admitted[claim] + 65
    return lines_of(claim, item, rng.integers(1, 4, len(claim)), at, at)


def _procedures(facts: ClaimFacts, stays: np.ndarray) -> Lines:
    claim, item = [], []
    for name, profile in PROFILES.items():
        for code in profile.get("procedure", ()):
            rows = stays[facts.profile[stays] == name]
            claim.append(rows)
            item.append(np.full(len(rows), INDEX[code]))
    claim, item = np.concatenate(claim), np.concatenate(item)
    ordered = facts.admitted[claim] + 180
    return lines_of(claim, item, 1, ordered, ordered + 30, ordered + 120)
