"""Synthetic QĐ 130 claims for the demo province's people, with known rule violations: ``write_demo_claims``.

Each claim is one GIAMDINHHS envelope (one MA_LK per file) with XML1, XML2 (when drugs were given)
and XML3 inside, for a person of the registry on a card of theirs, at a facility of the province
(the commune health stations and hospitals that cards name as first-contact facilities). Beside the
envelopes the folder holds ``labels.csv`` (which claims carry which violation, and on which line)
``gia_phe_duyet.csv`` (every facility's approved unit prices, for the price rule) and ``co_so_kcb.csv``
(the facilities' tiers, for the benefit rule).

Clean claims trigger no rule: they lie inside their card's validity and before any death, one
person's stays are two days apart, totals are the sums of the lines, prices are the approved ones,
diagnoses fit the patient's sex and age, outpatient prescriptions are at most 30 days, MUC_HUONG is
the card's rate (100 for levels 3 and 4 at a commune health station or when the visit costs less
than 15 % of the base salary, Luật BHYT Điều 22 khoản 1). A share of the claims (``share`` of the
visits for each rule, at least one) carries one violation each, made as follows:

- CARD_INVALID: the stay is moved into a gap of the holder's cards (after the card billed ran out,
  or before it began); the claim shows that card's code and dates.
- AFTER_DEATH: the stay is given to a person who died in the period, after the death, on a card
  that ran on past the death where the registry has one; otherwise the card ended at the death and
  the claim carries CARD_INVALID too.
- OVERLAP_STAY: a second inpatient or day-treatment stay inside a stay of 3 days or more of the same
  person; both claims are labelled.
- DUPLICATE_LINE: a laboratory or imaging line billed a second time with the same order time
  (the second line is labelled).
- MULTI_EXAM_INPATIENT: an inpatient stay bills a second examination (ENT consultation) the day after
  admission (the added line).
- TOTALS_MISMATCH: XML1 T_TONGCHI_BV, T_TONGCHI_BH, T_BHTT and T_BHTT_GDV are raised by the same
  amount above the sums of the lines.
- DATE_ORDER: half of them are discharged before their admission time (same day), the other half
  have one line ordered and done before the admission time (that line).
- SEX_DIAGNOSIS, AGE_DIAGNOSIS: the main diagnosis becomes a code the rules' list (icd_limits) ties to
  the other sex (a disease of the other sex's genital organs), or to an age range the patient is well
  outside (a perinatal P code for a patient aged 19 or more).
- PRICE_ABOVE_APPROVED: one line's unit price is 10–50 % above the facility's approved price.
- LONG_PRESCRIPTION: an outpatient examination for a disease off the rules' list of long-term
  diseases (no secondary diagnosis) prescribes one oral drug for 45, 60 or 90 days (that line;
  LIEU_DUNG says the days).
- BENEFIT_MISMATCH: every line's MUC_HUONG is a rate the card can never give (95 for levels 1, 2, 4
  and 5; 80 for level 3), the money split following it.

The same seed, registry, visits and share give byte-identical files.
"""

from __future__ import annotations

import csv
import shutil
import tempfile
import time
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Callable

import numpy as np
import pyarrow as pa
from sqlalchemy import Engine

from bhyt.analytics.engine import new_connection
from bhyt.demo import claims_catalogue as catalogue
from bhyt.demo.claims_catalogue import ClaimsRefused
from bhyt.demo.claims_episodes import (
    INPATIENT,
    VISIT_TYPES,
    Episodes,
    Injected,
    Registry,
    RegistryTooSmall,
    draw_episodes,
    move_after_death,
    move_card_invalid,
    move_overlap,
    read_holders,
    read_registry,
)
from bhyt.demo.claims_lines import ClaimFacts, Lines, lines_of, make_lines
from bhyt.demo.claims_xml import write_envelopes
from bhyt.demo.dates import to_date
from bhyt.demo.places import HOSPITALS_PER_LEGACY_PROVINCE, legacy_codes_of
from bhyt.demo.province import DEFAULT_AS_OF, DEFAULT_PROVINCE, DEFAULT_SEED
from bhyt.domain.contributions import base_salary
from bhyt.domain.participants import BENEFIT_RATES

RULES = (
    "CARD_INVALID", "BENEFIT_MISMATCH", "AFTER_DEATH", "OVERLAP_STAY", "DUPLICATE_LINE", "MULTI_EXAM_INPATIENT",
    "TOTALS_MISMATCH", "DATE_ORDER", "SEX_DIAGNOSIS", "AGE_DIAGNOSIS", "PRICE_ABOVE_APPROVED", "LONG_PRESCRIPTION",
)
DEFAULT_SHARE = 0.01
DEFAULT_FIRST = date(DEFAULT_AS_OF.year, 1, 1)
DEFAULT_LAST = DEFAULT_AS_OF
# Levels 3 and 4 are paid at 100 % at commune level and when one visit costs less than 15 % of the
# base salary (Luật BHYT Điều 22 khoản 1; brief §1.3).
LOW_COST_SHARE = Decimal("0.15")
# MUC_HUONG no card of a level can give (BENEFIT_MISMATCH).
WRONG_RATE = {1: 95, 2: 95, 3: 80, 4: 95, 5: 95}
LABELS_FILE, PRICES_FILE, FACILITIES_FILE = "labels.csv", "gia_phe_duyet.csv", "co_so_kcb.csv"

Progress = Callable[[str, float], None]


@dataclass(frozen=True)
class ClaimsSummary:
    folder: Path
    claims: int
    lines: int
    labels: dict[str, int]
    seconds: float

    @property
    def rate(self) -> float:
        return self.claims / self.seconds if self.seconds else 0.0


def write_demo_claims(
    engine: Engine,
    visits: int,
    folder: Path,
    seed: int = DEFAULT_SEED,
    province: str = DEFAULT_PROVINCE,
    share: float = DEFAULT_SHARE,
    first: date = DEFAULT_FIRST,
    last: date = DEFAULT_LAST,
    progress: Progress | None = None,
) -> ClaimsSummary:
    """Write `visits` claims of the registry's people treated from `first` to `last` into `folder`
    (created; refused when it exists and is not empty). Nothing is left behind on failure."""
    started = time.perf_counter()
    report = progress or (lambda _step, _fraction: None)
    counts = _rule_counts(visits, share)
    folder = Path(folder)
    if folder.exists() and any(folder.iterdir()):
        raise ClaimsRefused(f"Thư mục {folder} đã có tệp; hãy chọn một thư mục mới hoặc trống.")
    streams = [np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(6)]

    report("Đọc thẻ BHYT trong sổ đăng ký", 0.0)
    registry = read_registry(engine, province, first, last)
    report("Chọn người, ngày khám, loại khám", 0.1)
    episodes = draw_episodes(registry, visits, first, last, streams[0])
    injected = Injected({})
    used = _inject_episodes(registry, episodes, counts, first, last, streams[1], injected)

    report("Chẩn đoán, cơ sở khám, thuốc và dịch vụ", 0.2)
    holders = read_holders(engine, registry.card_id[episodes.card])
    pools = catalogue.diagnosis_pools(sex_violations=counts["SEX_DIAGNOSIS"] > 0,
                                      age_violations=counts["AGE_DIAGNOSIS"] > 0)
    claims, meta = _claim_columns(registry, episodes, holders, province, pools, streams[2])
    facts = ClaimFacts(
        profile=meta.profile, chronic=meta.chronic, child=meta.age < 15, stay=episodes.visit_type > 0,
        day_treatment=episodes.visit_type == 2, admitted=episodes.admitted, length=episodes.length,
    )
    lines = make_lines(facts, streams[3])
    prices = catalogue.approved_prices(meta.facilities, streams[4])
    lines, line_labels = _inject_lines(episodes, claims, meta, lines, counts, used, pools, streams[5], injected)
    lines, position = _ordered(lines)
    drugs, services, stt = _money(claims, meta, lines, prices, counts, used, streams[5], injected)
    labels = _labels(claims["ma_lk"], injected, line_labels, position, stt, lines)

    report("Ghi hồ sơ XML", 0.35)
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}-", dir=folder.parent))
    try:
        con = new_connection()
        try:
            con.register("claims", pa.table(claims))
            con.register("drug_lines", drugs)
            con.register("service_lines", services)
            con.register("items", _items_table())
            write_envelopes(con, staging, visits, lambda done: report("Ghi hồ sơ XML", 0.35 + 0.6 * done / visits))
        finally:
            con.close()
        _write_labels(staging / LABELS_FILE, labels)
        _write_prices(staging / PRICES_FILE, meta.facilities, prices, first)
        _write_facilities(staging / FACILITIES_FILE, meta)
        if folder.exists():
            folder.rmdir()
        staging.rename(folder)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    report("Xong", 1.0)
    tally: dict[str, int] = {}
    for _, rule, _, _ in labels:
        tally[rule] = tally.get(rule, 0) + 1
    return ClaimsSummary(folder, visits, lines.count, tally, round(time.perf_counter() - started, 2))


def _rule_counts(visits: int, share: float) -> dict[str, int]:
    if visits < 1:
        raise ClaimsRefused(f"Số lượt khám phải từ 1 trở lên (nhận được {visits}).")
    if not 0 <= share <= 0.05:
        raise ClaimsRefused(f"Tỷ lệ vi phạm mỗi quy tắc phải từ 0 đến 0,05 (nhận được {share}).")
    counts = {rule: max(1, round(share * visits)) if share > 0 else 0 for rule in RULES}
    # Each violation takes claims of its own (OVERLAP_STAY two); half the claims stay clean.
    if sum(counts.values()) + counts["OVERLAP_STAY"] > visits // 2:
        raise ClaimsRefused(f"{visits} lượt khám là quá ít cho {len(RULES)} loại vi phạm; hãy tăng --visits.")
    return counts


def _inject_episodes(registry: Registry, episodes: Episodes, counts: dict[str, int], first: date, last: date,
                     rng: np.random.Generator, injected: Injected) -> np.ndarray:
    """Move episodes for the episode-level rules; returns the claims they used."""
    order = rng.permutation(episodes.count)
    used = np.zeros(episodes.count, dtype=bool)

    def take(wanted: int, eligible: np.ndarray | None = None) -> np.ndarray:
        pool = order[~used[order]] if eligible is None else order[~used[order] & eligible[order]]
        if len(pool) < wanted:
            raise RegistryTooSmall("Không đủ lượt khám phù hợp để tạo đủ số hồ sơ vi phạm; hãy tăng --visits.")
        chosen = pool[:wanted]
        used[chosen] = True
        return chosen

    n = counts["OVERLAP_STAY"]
    long_stays = (episodes.visit_type == VISIT_TYPES.index(INPATIENT)) & (episodes.length >= 3)
    if n:
        move_overlap(episodes, take(n, long_stays), take(n), rng, injected)
    if counts["AFTER_DEATH"]:
        move_after_death(registry, episodes, take(counts["AFTER_DEATH"]), first, last, rng, injected)
    if counts["CARD_INVALID"]:
        candidates = order[~used[order]]
        move_card_invalid(registry, episodes, candidates, first, last, counts["CARD_INVALID"], rng, injected)
        used[injected.claims["CARD_INVALID"]] = True
    return used


@dataclass
class ClaimMeta:
    """What the generator knows of each claim beyond its XML1 columns."""

    profile: np.ndarray
    chronic: np.ndarray
    age: np.ndarray  # whole years at admission
    sex: np.ndarray
    level: np.ndarray  # the card's benefit level
    station: np.ndarray  # treated at a commune health station
    facility: np.ndarray  # index into facilities
    facilities: list[str]
    visit_type: np.ndarray


def _province_facilities(province: str, first_contact: list[str]) -> tuple[set[str], set[str]]:
    """(hospitals, health stations) of the province: the hospitals of its pre-2025 provinces and the
    stations that cards name as first-contact facility."""
    legacy = [f"{code:02d}" for code in legacy_codes_of(province)]
    hospitals = {f"{code}{n:03d}" for code in legacy for n in range(1, HOSPITALS_PER_LEGACY_PROVINCE + 1)}
    stations = {code for code in set(first_contact) if code[:2] in legacy and int(code[2:]) > 100}
    return hospitals, stations


def _claim_columns(registry: Registry, episodes: Episodes, holders: dict[str, list], province: str,
                   pools: catalogue.DiagnosisPools, rng: np.random.Generator):
    n = episodes.count
    cards = episodes.card
    dkbd = registry.first_contact.take(pa.array(cards)).to_pylist()
    hospitals, stations = _province_facilities(province, registry.first_contact.unique().to_pylist())
    main_hospital = f"{legacy_codes_of(province)[0]:02d}001"
    stay = episodes.visit_type > 0
    emergency = rng.random(n) < 0.2
    facility, doituong, noi_di, referral = [], [], [], []
    for index, (card_facility, in_stay) in enumerate(zip(dkbd, stay)):
        if card_facility in hospitals or (card_facility in stations and not in_stay):
            facility.append(card_facility), doituong.append("1.1"), noi_di.append(None), referral.append(None)
        elif card_facility in stations and not emergency[index]:  # referred to the provincial hospital
            facility.append(f"{card_facility[:2]}001"), doituong.append("1.3"), noi_di.append(card_facility)
            referral.append(f"{index + 1:06d}/GCT")
        else:  # an emergency, or a card registered outside the province
            hospital = f"{card_facility[:2]}001" if card_facility in stations else main_hospital
            facility.append(hospital), doituong.append("2"), noi_di.append(None), referral.append(None)
    facilities = sorted(set(facility))
    facility_index = np.searchsorted(np.array(facilities), np.array(facility))

    first_day = episodes.first_day
    birth = registry.birth[cards]
    age = ((first_day - birth) / 365.2425).astype(np.int64)
    band = np.select([age < 15, age < 40], [catalogue.CHILD, catalogue.ADULT], catalogue.OLDER)
    main: list[catalogue.Diagnosis] = [pools.bands[catalogue.CHILD][0]] * n
    for b, pool in pools.bands.items():
        for in_stay, options in ((False, pool), (True, tuple(d for d in pool if d.inpatient))):
            rows_of = np.flatnonzero((band == b) & (stay == in_stay))
            for row, pick in zip(rows_of, rng.integers(0, len(options), len(rows_of))):
                main[row] = options[pick]
    extra_count = np.where(band == catalogue.OLDER, rng.choice([0, 1, 2], size=n, p=[0.5, 0.3, 0.2]), 0)
    extra_order = np.argsort(rng.random((n, len(pools.comorbidities))), axis=1)
    secondary = []
    for row in range(n):
        codes = [pools.comorbidities[k] for k in extra_order[row] if pools.comorbidities[k] != main[row].code]
        secondary.append(";".join(codes[: extra_count[row]]) or None)

    admitted = episodes.admitted
    discharged = np.where(stay, (first_day + episodes.length) * 1440 + rng.integers(570, 960, n),
                          admitted + rng.integers(150, 240, n))
    discharge_dates = discharged // 1440
    weight = np.where(age < 15, 3.2 + 2.6 * np.minimum(age, 14), rng.uniform(45, 72, n))
    persons = registry.person[cards]
    claims = {
        "claim": np.arange(n),
        "ma_lk": [f"{facility[i]}{_ymd(first_day[i])}{i + 1:07d}" for i in range(n)],
        "ma_bn": [f"BN{p:09d}" for p in persons],
        "ho_ten": holders["full_name"],
        "so_cccd": holders["personal_id"],
        "ngay_sinh": [_ymd(b) + "0000" for b in birth],
        "gioi_tinh": registry.sex[cards].astype(np.int64),
        "dia_chi": holders["address"],
        "ma_tinh": [province] * n,
        "ma_xa": holders["commune_code"],
        "ma_the": holders["card_code"],
        "ma_dkbd": dkbd,
        "gt_the_tu": [_ymd(d) for d in registry.valid_from[cards]],
        "gt_the_den": [_ymd(d) for d in registry.valid_to[cards]],
        "ly_do_vv": np.where(stay, "Vào viện điều trị", "Khám bệnh").tolist(),
        "ly_do_vnt": [main[i].name if stay[i] else None for i in range(n)],
        "chan_doan": [d.name for d in main],
        "ma_benh_chinh": [d.code for d in main],
        "ma_benh_kt": secondary,
        "ma_doituong_kcb": doituong,
        "ma_noi_di": noi_di,
        "giay_chuyen_tuyen": referral,
        "vao": admitted.copy(),
        "vao_noi_tru": np.where(stay, admitted + 40, -1),
        "ra": discharged,
        "so_ngay_dtri": np.where(stay, episodes.length + 1, 0),
        "pp_dieu_tri": np.where(stay, "Điều trị nội khoa", "Khám, kê đơn điều trị ngoại trú").tolist(),
        "ket_qua_dtri": np.where(stay, 2, 1),
        "ttoan": discharged + rng.integers(10, 120, n),
        "nam_qt": (discharge_dates.astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64) + 1970),
        "thang_qt": discharge_dates.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64) % 12 + 1,
        "ma_loai_kcb": [VISIT_TYPES[t] for t in episodes.visit_type],
        "ma_khoa": np.where(stay, "K03", "K01").tolist(),
        "ma_cskcb": facility,
        "can_nang": [f"{w:.2f}" for w in weight],
        "ma_hsba": [f"BA{i + 1:08d}" if stay[i] else None for i in range(n)],
        "ma_ttdv": [f"TT{f}" for f in facility],
    }
    meta = ClaimMeta(
        profile=np.array([d.profile for d in main]),
        chronic=np.array([d.code in pools.long_term for d in main]),
        age=age,
        sex=registry.sex[cards],
        level=registry.level[cards],
        station=np.array([f in stations for f in facility]),
        facility=facility_index,
        facilities=facilities,
        visit_type=episodes.visit_type,
    )
    return claims, meta


def _ymd(days: int) -> str:
    return to_date(int(days)).strftime("%Y%m%d")


def _inject_lines(episodes: Episodes, claims: dict, meta: ClaimMeta, lines: Lines, counts: dict[str, int],
                  used: np.ndarray, pools: catalogue.DiagnosisPools, rng: np.random.Generator, injected: Injected):
    """The line- and diagnosis-level violations; returns the lines and [(rule, claim, line index)]."""
    order = rng.permutation(episodes.count)
    kinds = np.array([item.kind for item in catalogue.ITEMS])
    line_kind = kinds[lines.item]
    labelled: list[tuple[str, int, int]] = []
    added: list[Lines] = []
    total = lines.count

    def take(rule: str, eligible: np.ndarray) -> np.ndarray:
        pool = order[~used[order] & eligible[order]]
        if len(pool) < counts[rule]:
            raise RegistryTooSmall(f"Không đủ lượt khám phù hợp để tạo hồ sơ vi phạm {rule}; hãy tăng --visits.")
        chosen = pool[: counts[rule]]
        used[chosen] = True
        for claim in chosen:
            injected.add(rule, claim)
        return chosen

    def first_line(claim: int, mask: np.ndarray) -> int:
        lo, hi = np.searchsorted(lines.claim, [claim, claim + 1])
        return lo + int(np.flatnonzero(mask[lo:hi])[0])

    def has(mask: np.ndarray) -> np.ndarray:
        return np.bincount(lines.claim[mask], minlength=episodes.count) > 0

    inpatient = (meta.visit_type == 1) & (episodes.length >= 1)
    for claim in take("MULTI_EXAM_INPATIENT", inpatient):
        at = (episodes.first_day[claim] + 1) * 1440 + 9 * 60
        added.append(_one(claim, catalogue.CONSULT_EXAM, 1, at, at))
        labelled.append(("MULTI_EXAM_INPATIENT", claim, total + len(added) - 1))

    tests = np.isin(line_kind, ["lab", "imaging"])
    for claim in take("DUPLICATE_LINE", has(tests)):
        line = first_line(claim, tests)
        added.append(lines.take(np.array([line])))
        labelled.append(("DUPLICATE_LINE", claim, total + len(added) - 1))

    for claim in take("PRICE_ABOVE_APPROVED", np.ones(episodes.count, dtype=bool)):
        lo, hi = np.searchsorted(lines.claim, [claim, claim + 1])
        line = int(rng.integers(lo, hi))
        lines.price_factor[line] = rng.uniform(1.1, 1.5)
        labelled.append(("PRICE_ABOVE_APPROVED", claim, line))

    oral = (line_kind == "drug") & (lines.days > 1)
    acute_exam = (meta.visit_type == 0) & ~meta.chronic
    for claim in take("LONG_PRESCRIPTION", acute_exam & has(oral)):
        line = first_line(claim, oral)
        days = int(rng.choice([45, 60, 90]))
        lines.quantity[line] = lines.quantity[line] // lines.days[line] * days
        lines.days[line] = days
        claims["ma_benh_kt"][claim] = None
        labelled.append(("LONG_PRESCRIPTION", claim, line))

    not_exam = line_kind != "exam"
    for number, claim in enumerate(take("DATE_ORDER", has(not_exam))):
        admitted = int(claims["vao"][claim])
        if number % 2 == 0:  # discharged before the admission time, the same day
            claims["ra"][claim] = admitted - int(rng.integers(20, 60))
        else:  # one line ordered and done before the admission
            line = first_line(claim, not_exam)
            lines.ordered[line] = admitted - int(rng.integers(60, 120))
            lines.done[line] = lines.ordered[line] + 10
            labelled.append(("DATE_ORDER", claim, line))

    other_sex = {1: 2, 2: 1}  # the rule does not check GIOI_TINH 3 (undetermined)
    for claim in take("SEX_DIAGNOSIS", np.isin(meta.sex, list(other_sex))):
        pool = pools.sex_only[other_sex[int(meta.sex[claim])]]
        _set_main(claims, claim, pool[int(rng.integers(0, len(pool)))])
    misfits = pools.age_misfits(meta.age)
    for claim in take("AGE_DIAGNOSIS", misfits.any(axis=1)):
        pool = [pools.age_only[k] for k in np.flatnonzero(misfits[claim])]
        _set_main(claims, claim, pool[int(rng.integers(0, len(pool)))])

    for part in added:
        lines = lines.append(part)
    return lines, labelled


def _one(claim: int, item: int, quantity: int, ordered: int, done: int) -> Lines:
    return lines_of([claim], item, quantity, [ordered], [done])


def _set_main(claims: dict, claim: int, diagnosis: catalogue.Diagnosis) -> None:
    claims["ma_benh_chinh"][claim] = diagnosis.code
    claims["chan_doan"][claim] = diagnosis.name
    if claims["ly_do_vnt"][claim] is not None:
        claims["ly_do_vnt"][claim] = diagnosis.name


def _ordered(lines: Lines) -> tuple[Lines, np.ndarray]:
    """Lines by claim, table (drugs first), order time and item; and where each old line went."""
    drug = np.array([item.table == "XML2" for item in catalogue.ITEMS])[lines.item]
    order = np.lexsort((np.arange(lines.count), lines.item, lines.ordered, ~drug, lines.claim))
    position = np.empty(lines.count, dtype=np.int64)
    position[order] = np.arange(lines.count)
    return lines.take(order), position


def _money(claims: dict, meta: ClaimMeta, lines: Lines, prices: np.ndarray, counts: dict[str, int],
           used: np.ndarray, rng: np.random.Generator, injected: Injected):
    """Unit prices, the cost split of every line, MUC_HUONG and the XML1 totals (cents); the BENEFIT
    and TOTALS violations. Returns the drug and service lines as Arrow tables, and each line's STT."""
    n = len(claims["ma_lk"])
    columns = catalogue.item_columns()
    kind = columns["kind"][lines.item]
    drug = columns["xml2"][lines.item]
    approved = prices[meta.facility[lines.claim], lines.item]
    raised = np.ceil(approved * lines.price_factor / 10).astype(np.int64) * 10
    unit_price = np.where(lines.price_factor > 1, np.maximum(raised, approved + 10), approved)
    bh_vnd = lines.quantity * unit_price

    def per_claim(values: np.ndarray, mask: np.ndarray | None = None) -> np.ndarray:
        weights = values if mask is None else np.where(mask, values, 0)
        return np.bincount(lines.claim, weights=weights, minlength=n).round().astype(np.int64)

    bh_total = per_claim(bh_vnd)
    threshold = _low_cost_thresholds(claims["ra"])
    rate = np.array([0] + [int(BENEFIT_RATES[level]) for level in range(1, 6)])[meta.level]
    full = np.isin(meta.level, [3, 4]) & (meta.station | (bh_total < threshold))
    muc = np.where(full, 100, rate)
    order = rng.permutation(n)
    benefit = order[~used[order]][: counts["BENEFIT_MISMATCH"]]
    used[benefit] = True
    for claim in benefit:
        muc[claim] = WRONG_RATE[int(meta.level[claim])]
        injected.add("BENEFIT_MISMATCH", claim)

    line_muc = muc[lines.claim]
    bv = bh_vnd * 100
    bhtt = bh_vnd * line_muc
    bncct = bv - bhtt
    bntt = np.zeros(lines.count, dtype=np.int64)
    claims.update(
        t_thuoc=per_claim(bv, drug), t_vtyt=per_claim(bv, kind == "supply"), t_tongchi_bv=per_claim(bv),
        t_tongchi_bh=per_claim(bv), t_bntt=per_claim(bntt), t_bncct=per_claim(bncct), t_bhtt=per_claim(bhtt),
        t_bhtt_gdv=per_claim(bhtt),
    )
    # Raised totals must not move a claim across the low-cost threshold its MUC_HUONG rests on.
    steady = np.isin(meta.level, [1, 2, 5]) | meta.station | (bh_total >= threshold)
    eligible = ~used & steady
    totals = order[eligible[order]][: counts["TOTALS_MISMATCH"]]
    if len(totals) < counts["TOTALS_MISMATCH"]:
        raise RegistryTooSmall("Không đủ lượt khám phù hợp để tạo hồ sơ vi phạm TOTALS_MISMATCH; hãy tăng --visits.")
    used[totals] = True
    for claim in totals:
        extra = int(rng.integers(50, 500)) * 100_000  # 50,000–500,000 VND, in cents
        for total in ("t_tongchi_bv", "t_tongchi_bh", "t_bhtt", "t_bhtt_gdv"):
            claims[total][claim] += extra
        injected.add("TOTALS_MISMATCH", claim)

    first_of_table = np.flatnonzero(np.concatenate([[True], (lines.claim[1:] != lines.claim[:-1])
                                                    | (drug[1:] != drug[:-1])]))
    run = np.diff(np.append(first_of_table, lines.count))
    stt = np.arange(lines.count) - np.repeat(first_of_table, run) + 1
    doctor = np.array([f"{(f * 10 + c % 7) + 1:06d}/QT-CCHN" for c, f in enumerate(meta.facility)], dtype=object)
    facility = np.array(meta.facilities, dtype=object)[meta.facility]
    machines = np.array([item.machine for item in catalogue.ITEMS], dtype=object)[lines.item]
    performed = np.isin(kind, ["lab", "imaging", "function", "procedure", "surgery"])
    stay = meta.visit_type[lines.claim] > 0
    table = pa.table({
        "claim": lines.claim, "stt": stt, "item": lines.item, "quantity": lines.quantity, "unit_price": unit_price,
        "bv": bv, "bh": bv, "bntt": bntt, "bncct": bncct, "bhtt": bhtt, "muc_huong": line_muc,
        "ordered": lines.ordered, "done": lines.done, "result": lines.result, "days": lines.days,
        "ma_khoa": np.where(stay & (kind != "exam"), "K03", "K01"),
        "ma_bac_si": doctor[lines.claim],
        "ma_giuong": np.where(np.isin(kind, ["bed", "day_bed"]),
                              np.char.add("H", np.char.zfill((lines.claim % 40 + 1).astype(str), 3)), None),
        "nguoi_thuc_hien": np.where(performed, doctor[lines.claim], None),
        "ma_may": np.where(machines != "", machines + ".1." + facility[lines.claim] + ".1", None),
    })
    return table.filter(pa.array(drug)), table.filter(pa.array(~drug)), stt


def _low_cost_thresholds(discharged: np.ndarray) -> np.ndarray:
    """15 % of the base salary on each claim's discharge day, in VND."""
    days = np.asarray(discharged) // 1440
    unique, inverse = np.unique(days, return_inverse=True)
    values = np.array([int(base_salary(to_date(d)) * LOW_COST_SHARE) for d in unique], dtype=np.int64)
    return values[inverse]


def _labels(ma_lk: list[str], injected: Injected, line_labels, position: np.ndarray, stt: np.ndarray,
            lines: Lines) -> list[tuple[str, str, str, str]]:
    by_line = {(rule, claim): line for rule, claim, line in line_labels}
    drug = np.array([item.table == "XML2" for item in catalogue.ITEMS])[lines.item]
    rows = []
    for rule, claims in injected.claims.items():
        for claim in claims:
            line = by_line.get((rule, claim))
            if line is None:
                rows.append((ma_lk[claim], rule, "", ""))
            else:
                where = position[line]
                rows.append((ma_lk[claim], rule, "XML2" if drug[where] else "XML3", str(stt[where])))
    return sorted(rows)


def _items_table() -> pa.Table:
    items = catalogue.ITEMS
    return pa.table({
        "item": np.arange(len(items)),
        "code": [i.code for i in items], "name": [i.name for i in items], "unit": [i.unit for i in items],
        "grp": [i.group for i in items], "strength": [i.strength for i in items], "route": [i.route for i in items],
        "form": [i.form for i in items], "per_dose": [i.per_dose for i in items],
        "per_day": [i.per_day for i in items], "kind": [i.kind for i in items],
        "registration": [f"VD-{20000 + 37 * n}-23" if i.table == "XML2" else None for n, i in enumerate(items)],
        "tender": [f"125/QĐ-SYT;G1;N{n % 5 + 1};2025" for n in range(len(items))],
    })


def _write_labels(path: Path, labels) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["ma_lk", "rule_id", "bang", "stt"])
        writer.writerows(labels)


def _write_prices(path: Path, facilities: list[str], prices: np.ndarray, first: date) -> None:
    """The approved price list: one row per facility and item, valid from `first` with no end."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["ma_cskcb", "bang", "ma", "ten", "don_vi_tinh", "don_gia", "tu_ngay", "den_ngay"])
        for f, facility in enumerate(facilities):
            for i, item in enumerate(catalogue.ITEMS):
                writer.writerow([facility, item.table, item.code, item.name, item.unit, f"{prices[f, i]}.000",
                                 first.isoformat(), ""])


def _write_facilities(path: Path, meta: ClaimMeta) -> None:
    """The facilities' tiers, in the layout `bhyt claims facilities` imports: the commune health stations
    are primary tier (ban_dau), where levels 3 and 4 are paid in full; the demo's hospitals are put at
    the basic tier (co_ban), which pays by the card's level like the specialised tier."""
    station = {meta.facilities[f]: bool(s) for f, s in zip(meta.facility, meta.station)}
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["ma_cskcb", "ten", "cap"])
        for code in meta.facilities:
            if station.get(code):
                writer.writerow([code, f"Trạm y tế {code}", "ban_dau"])
            else:
                writer.writerow([code, f"Bệnh viện {code}", "co_ban"])
