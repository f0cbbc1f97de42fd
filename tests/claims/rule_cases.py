"""Hand-built claims for the assessment rules: each violation beside a near-identical clean claim, one
registry person each (so no two cases share a person and trip OVERLAP_STAY), money that adds up.

`build_world` writes the registry rows, the envelopes into a lake and the approved prices, and returns
the lake; `CASES` says, per claim, which findings (rule, bang, stt) it must give — none for a clean one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path

from sqlalchemy import Engine, insert

from bhyt.claims.lake import ClaimsLake
from bhyt.claims.reference import APPROVED_PRICES, import_reference
from bhyt.ingest.claims_service import ingest_claims
from bhyt.store.models import CardPeriod, Person
from tests.claims.envelopes import drug_line, envelope, episode, hoso, service_line
from tests.conftest import write_csv


@dataclass
class Case:
    ma_lk: str
    expected: set[tuple[str, str, int | None]]  # (rule_id, bang, stt)
    xml1: dict[str, str] = field(default_factory=dict)
    drugs: list[dict[str, str]] = field(default_factory=lambda: [{}])
    services: list[dict[str, str]] = field(default_factory=lambda: [{}])
    muc_huong: int = 100
    card_to: date = date(2026, 12, 31)
    card_level: int = 4
    death: date | None = None
    sex: int = 2
    birth: date = date(1985, 3, 15)
    person: int = 0  # set by CASES: the registry person of the claim
    share_person_with: str | None = None  # another case's claim whose person this claim belongs to
    extra_totals: dict[str, Decimal] = field(default_factory=dict)  # added to the XML1 totals


def _money(value: Decimal) -> str:
    return f"{value:.2f}"


def claim_files(case: Case) -> dict:
    """The claim's XML tables, every amount computed from SO_LUONG × unit price and MUC_HUONG."""
    n = case.person
    muc = Decimal(case.muc_huong)
    totals = {name: Decimal(0) for name in ("T_THUOC", "T_TONGCHI_BV", "T_TONGCHI_BH", "T_BNCCT", "T_BHTT")}
    drugs, services = [], []
    for table, specs, price_field in (("XML2", case.drugs, "DON_GIA"), ("XML3", case.services, "DON_GIA_BH")):
        for stt, spec in enumerate(specs, start=1):
            builder = drug_line if table == "XML2" else service_line
            texts = builder(case.ma_lk, str(stt), **spec)
            amount = Decimal(texts["SO_LUONG"]) * Decimal(texts[price_field])
            paid = (amount * muc / 100).quantize(Decimal("0.01"))
            texts.update(THANH_TIEN_BV=_money(amount), THANH_TIEN_BH=_money(amount), MUC_HUONG=str(case.muc_huong),
                         T_BHTT=_money(paid), T_BNCCT=_money(amount - paid))
            if table == "XML3":
                texts["DON_GIA_BV"] = texts["DON_GIA_BH"]
            else:
                totals["T_THUOC"] += amount
            totals["T_TONGCHI_BV"] += amount
            totals["T_TONGCHI_BH"] += amount
            totals["T_BHTT"] += paid
            totals["T_BNCCT"] += amount - paid
            (drugs if table == "XML2" else services).append(texts)
    for name, extra in case.extra_totals.items():
        totals[name] += extra
    xml1 = {"SO_CCCD": f"0791850{n:05d}", "MA_THE_BHYT": card_code(n), "GIOI_TINH": str(case.sex),
            "NGAY_SINH": case.birth.strftime("%Y%m%d") + "0000",
            **{name: _money(value) for name, value in totals.items()}, **case.xml1}
    return hoso(episode(case.ma_lk, **xml1), drugs, services)


def card_code(person: int) -> str:
    return f"GD479{person:010d}"


EXPENSIVE = {"DON_GIA_BH": "500000.000"}  # a visit above 15 % of the base salary: level 4 pays 80 %
OUTPATIENT = {"MA_LOAI_KCB": "01", "NGAY_RA": "202601051200"}


def _cases() -> list[Case]:
    def exam(stt_time: str) -> dict[str, str]:
        return {"MA_NHOM": "13", "NGAY_YL": stt_time}

    def long_drug(days: int) -> dict[str, str]:
        return {"LIEU_DUNG": f"1 viên/lần x 2 lần/ngày x {days} ngày", "SO_LUONG": f"{2 * days}.000"}

    return [
        Case("CLEAN", set()),
        # CARD_INVALID: the card ends on the discharge day (clean) or the day before.
        Case("CARD_ENDS_ON_DISCHARGE", set(), card_to=date(2026, 1, 6)),
        Case("CARD_ENDS_BEFORE", {("CARD_INVALID", "XML1", None)}, card_to=date(2026, 1, 5)),
        Case("CARD_ARMY", set(), xml1={"MA_THE_BHYT": "QN5797900000001"}),
        # BENEFIT_MISMATCH: level 4 pays 80 % of an expensive visit, 100 % of a cheap one.
        Case("BENEFIT_80", set(), services=[EXPENSIVE], muc_huong=80),
        Case("BENEFIT_95", {("BENEFIT_MISMATCH", "XML1", None)}, services=[EXPENSIVE], muc_huong=95),
        Case("BENEFIT_CHEAP_80", {("BENEFIT_MISMATCH", "XML1", None)}, muc_huong=80),
        # AFTER_DEATH: admitted on the day of death (clean) or the day after.
        Case("DIED_THAT_DAY", set(), death=date(2026, 1, 5)),
        Case("DIED_BEFORE", {("AFTER_DEATH", "XML1", None)}, death=date(2026, 1, 4)),
        # OVERLAP_STAY: a stay starting when the first ends (clean), or an hour before.
        Case("STAY_A", set()),
        Case("STAY_A_NEXT", set(), share_person_with="STAY_A",
             xml1={"NGAY_VAO": "202601061500", "NGAY_VAO_NOI_TRU": "202601061500", "NGAY_RA": "202601081000"},
             drugs=[{"NGAY_YL": "202601061600"}], services=[{"NGAY_YL": "202601061600"}]),
        Case("STAY_B", {("OVERLAP_STAY", "XML1", None)}),
        Case("STAY_B_NEXT", {("OVERLAP_STAY", "XML1", None)}, share_person_with="STAY_B",
             xml1={"NGAY_VAO": "202601061400", "NGAY_VAO_NOI_TRU": "202601061400", "NGAY_RA": "202601081000"},
             drugs=[{"NGAY_YL": "202601061600"}], services=[{"NGAY_YL": "202601061600"}]),
        # DUPLICATE_LINE: the same service at the same minute, or a minute apart.
        Case("DUPLICATE", {("DUPLICATE_LINE", "XML3", 2)}, services=[{}, {}]),
        Case("NOT_DUPLICATE", set(), services=[{}, {"NGAY_YL": "202601051016"}]),
        # MULTI_EXAM_INPATIENT: two examinations in a stay; the same two in an outpatient visit.
        Case("TWO_EXAMS_STAY", {("MULTI_EXAM_INPATIENT", "XML3", 2)},
             services=[exam("202601051015"), {**exam("202601060900"), "MA_DICH_VU": "02.1904.1904"}]),
        Case("TWO_EXAMS_OUTPATIENT", set(), xml1=OUTPATIENT,
             services=[exam("202601051015"), {**exam("202601051100"), "MA_DICH_VU": "02.1904.1904"}],
             drugs=[{"NGAY_YL": "202601051100"}]),
        # TOTALS_MISMATCH: one đồng is rounding; one đồng and a cent is not.
        Case("TOTALS_ONE_DONG", set(), extra_totals={"T_TONGCHI_BV": Decimal("1.00")}),
        Case("TOTALS_OFF", {("TOTALS_MISMATCH", "XML1", None)},
             extra_totals={"T_TONGCHI_BV": Decimal("1.01"), "T_BHTT": Decimal("50000")}),
        # DATE_ORDER: discharged before admission (one finding only), a line ordered before admission,
        # a line done before ordered; a line ordered at the admission minute is clean.
        Case("DISCHARGE_BEFORE", {("DATE_ORDER", "XML1", None)}, xml1={"NGAY_RA": "202601050900"}),
        Case("ORDER_BEFORE", {("DATE_ORDER", "XML2", 1)}, drugs=[{"NGAY_YL": "202601050959"}]),
        Case("DONE_BEFORE_ORDER", {("DATE_ORDER", "XML3", 1)},
             services=[{"NGAY_YL": "202601051015", "NGAY_TH_YL": "202601051010"}]),
        Case("ORDER_AT_ADMISSION", set(), drugs=[{"NGAY_YL": "202601051000"}]),
        # SEX_DIAGNOSIS: a male-only code for a woman (main or secondary), and for a man.
        Case("MALE_CODE_WOMAN", {("SEX_DIAGNOSIS", "XML1", None)}, xml1={"MA_BENH_CHINH": "N40"}),
        Case("MALE_CODE_WOMAN_KT", {("SEX_DIAGNOSIS", "XML1", None)}, xml1={"MA_BENH_KT": "I10;N45.9"}),
        Case("MALE_CODE_MAN", set(), sex=1, xml1={"MA_BENH_CHINH": "N40"}),
        # AGE_DIAGNOSIS: a perinatal code at 16 years and at 15 (the UNCERTAIN limit is 0–15).
        Case("PERINATAL_16", {("AGE_DIAGNOSIS", "XML1", None)}, birth=date(2010, 1, 5),
             xml1={"MA_BENH_CHINH": "P59.9", "MA_BENH_KT": ""}),
        Case("PERINATAL_15", set(), birth=date(2010, 1, 6), xml1={"MA_BENH_CHINH": "P59.9", "MA_BENH_KT": ""}),
        # PRICE_ABOVE_APPROVED: 40.17 is approved at 1,500 đồng at 79001.
        Case("PRICE_EQUAL", set(), drugs=[{"DON_GIA": "1500.000"}]),
        Case("PRICE_ABOVE", {("PRICE_ABOVE_APPROVED", "XML2", 1)}, drugs=[{"DON_GIA": "1501.000"}]),
        # LONG_PRESCRIPTION: 30 and 31 days for pneumonia; 31 days with hypertension as well.
        Case("DAYS_30", set(), xml1={**OUTPATIENT, "MA_BENH_KT": ""}, drugs=[long_drug(30)]),
        Case("DAYS_31", {("LONG_PRESCRIPTION", "XML2", 1)}, xml1={**OUTPATIENT, "MA_BENH_KT": ""},
             drugs=[long_drug(31)]),
        Case("DAYS_31_CHRONIC", set(), xml1={**OUTPATIENT, "MA_BENH_KT": "I10"}, drugs=[long_drug(31)]),
    ]


def _numbered(cases: list[Case]) -> list[Case]:
    people: dict[str, int] = {}
    for number, case in enumerate(cases, start=1):
        case.person = people[case.share_person_with] if case.share_person_with else number
        people[case.ma_lk] = case.person
    return cases


CASES = _numbered(_cases())


def build_world(engine: Engine, folder: Path) -> ClaimsLake:
    persons, cards = {}, []
    for case in CASES:
        persons[case.person] = {"id": case.person, "personal_id": f"0791850{case.person:05d}",
                                "full_name": f"Người bệnh {case.person}", "birth_date": case.birth, "sex": case.sex,
                                "death_date": case.death}
        if case.share_person_with is None:
            cards.append({"person_id": case.person, "bhxh_number": f"79{case.person:08d}",
                          "card_code": card_code(case.person), "participant_code": "GD",
                          "benefit_level": case.card_level, "valid_from": date(2026, 1, 1), "valid_to": case.card_to,
                          "first_contact_facility": "79001", "source": "test"})
    with engine.begin() as connection:
        connection.execute(insert(Person), list(persons.values()))
        connection.execute(insert(CardPeriod), cards)
    xml = folder / "claims.xml"
    xml.write_bytes(envelope([claim_files(case) for case in CASES]))
    lake = ClaimsLake(folder / "lake")
    report = ingest_claims([xml], lake)
    assert not report.errors, report.errors[:3]
    prices = write_csv(folder / "gia.csv", list(APPROVED_PRICES.columns),
                       [["79001", "XML2", "40.17", "Paracetamol 500 mg", "viên", "1500.000", "2026-01-01", ""]])
    import_reference(APPROVED_PRICES, prices, lake.root)
    return lake
