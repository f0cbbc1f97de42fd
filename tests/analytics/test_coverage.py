"""Registry coverage against hand-worked expectations (design notes: coverage definitions).

As of D = 2026-06-30, in Phường Đồng Hới (18880, hamlets "Tổ 1" and "Tổ 2") and Phường Đồng Sơn:

person  hamlet  residence            death        cards                        resident?  insured?
A       Tổ 1    —                    —            ends on D                    yes        yes
B       Tổ 1    —                    —            starts D+1                   yes        no
C       Tổ 1    —                    died on D    covers D                     no         —
E       Tổ 2    —                    —            two overlapping, cover D     yes        yes (once)
F       Tổ 2    left D-1             —            covers D                     no         —
G       Tổ 2    arrives D+1          —            covers D                     no         —
H       Tổ 2    left on D            —            covers D                     yes        yes
I       Tổ 2    —                    —            none                         yes        no
M       Tổ 1    leaves Đồng Hới on D, arrives in Đồng Sơn on D; card covers D: resident of both communes
                on D, and counted once in the province.

Đồng Hới on D: residents A B E H I M = 6, insured A E H M = 4 → 66.67 %.
Tổ 1: A B M = 3, insured A M = 2 → 66.67 %; Tổ 2: E H I = 3, insured E H = 2 → 66.67 %.
Đồng Sơn: M = 1, insured 1 → 100.00 %. Province 44: 6 distinct people, 4 insured → 66.67 %.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from bhyt.analytics.coverage import UnknownUnit, coverage
from bhyt.analytics.engine import analytics
from bhyt.domain.identifiers import personal_id_century_digit
from bhyt.ingest.service import import_file
from tests.analytics.shared import shared_engine
from tests.conftest import DATABASES, write_csv
from tests.ingest.fixtures import CARD_HEADER, PERSON_HEADER

D = date(2026, 6, 30)
DONG_HOI, DONG_SON = "18880", "18871"


def pid(number: int, birth: date, sex: int) -> str:
    return f"045{personal_id_century_digit(birth.year, sex)}{birth.year % 100:02d}{number:06d}"


BIRTH = date(1990, 5, 5)
PEOPLE = {name: pid(index, BIRTH, 1) for index, name in enumerate("ABCEFGHIM", start=1)}


def person(name, commune=DONG_HOI, hamlet="Tổ 1", arrived="", left="", died=""):
    return [PEOPLE[name], f"Người {name}", BIRTH.isoformat(), "1", "", "", commune, hamlet, arrived, left, died]


def card(name, number, start, end):
    return [PEOPLE[name], f"45000000{number:02d}", "", "GD", "", start, end, ""]


def load_registry(engine, folder) -> None:
    persons = [
        person("A"), person("B"), person("C", died="2026-06-30"),
        person("E", hamlet="Tổ 2"), person("F", hamlet="Tổ 2", left="2026-06-29"),
        person("G", hamlet="Tổ 2", arrived="2026-07-01"), person("H", hamlet="Tổ 2", left="2026-06-30"),
        person("I", hamlet="Tổ 2"), person("M", left="2026-06-30"),
    ]
    moved = [person("M", commune=DONG_SON, hamlet="Khu phố 3", arrived="2026-06-30")]
    cards = [
        card("A", 1, "2025-07-01", "2026-06-30"),
        card("B", 2, "2026-07-01", "2027-06-30"),
        card("C", 3, "2026-01-01", "2026-12-31"),
        card("E", 4, "2026-01-01", "2026-12-31"),
        card("E", 4, "2026-06-01", "2027-05-31"),
        card("F", 6, "2026-01-01", "2026-12-31"),
        card("G", 7, "2026-01-01", "2026-12-31"),
        card("H", 8, "2026-01-01", "2026-12-31"),
        card("M", 9, "2026-01-01", "2026-12-31"),
    ]
    for kind, header, rows, name in (
        ("persons", PERSON_HEADER, persons, "p1.csv"),
        ("persons", PERSON_HEADER, moved, "p2.csv"),
        ("cards", CARD_HEADER, cards, "c.csv"),
    ):
        result = import_file(engine, kind, write_csv(folder / name, header, rows))
        assert result.ok, result.errors


@pytest.fixture(scope="module", params=DATABASES)
def registry(request, tmp_path_factory):
    """Read only: built once for the module."""
    with shared_engine(request.param, "coverage", tmp_path_factory) as engine:
        load_registry(engine, tmp_path_factory.mktemp("coverage_lists"))
        yield engine


def rows(engine, level, unit=None, as_of=D):
    with analytics(engine) as con:
        return {row.unit_code: (row.population, row.insured, row.coverage_pct) for row in coverage(con, as_of, level, unit)}


def test_commune_level(registry):
    result = rows(registry, "commune", DONG_HOI)
    assert result == {DONG_HOI: (6, 4, Decimal("66.67"))}


def test_every_commune_of_the_province_is_listed(registry):
    result = rows(registry, "commune", "44")
    assert result[DONG_SON] == (1, 1, Decimal("100.00"))
    assert len(result) == 78
    assert sum(1 for population, _, pct in result.values() if population == 0 and pct is None) == 76


def test_hamlet_level(registry):
    result = rows(registry, "hamlet", DONG_HOI)
    assert result == {f"{DONG_HOI}-001": (3, 2, Decimal("66.67")), f"{DONG_HOI}-002": (3, 2, Decimal("66.67"))}


def test_province_counts_a_person_once(registry):
    assert rows(registry, "province") == {"44": (6, 4, Decimal("66.67"))}


def test_the_day_after(registry):
    # On D+1: A's card has ended, B's has started; C dead; F, H, M gone from Đồng Hới; G arrived.
    result = rows(registry, "commune", DONG_HOI, as_of=date(2026, 7, 1))
    # residents A B E G I → insured B E G = 3 of 5
    assert result == {DONG_HOI: (5, 3, Decimal("60.00"))}


def test_unknown_or_too_small_unit(registry):
    with analytics(registry) as con:
        with pytest.raises(UnknownUnit):
            coverage(con, D, "commune", "99999")
        with pytest.raises(UnknownUnit):
            coverage(con, D, "province", DONG_HOI)


def test_an_import_after_a_question_is_seen_by_the_next(engine, tmp_path):
    load_registry(engine, tmp_path)
    assert rows(engine, "commune", DONG_SON)[DONG_SON] == (1, 1, Decimal("100.00"))
    newcomer = [pid(20, BIRTH, 1), "Người mới", BIRTH.isoformat(), "1", "", "", DONG_SON, "Khu phố 3", "", "", ""]
    result = import_file(engine, "persons", write_csv(tmp_path / "new.csv", PERSON_HEADER, [newcomer]))
    assert result.ok, result.errors
    # The snapshot is rebuilt: Đồng Sơn now has M and the uninsured newcomer.
    assert rows(engine, "commune", DONG_SON)[DONG_SON] == (2, 1, Decimal("50.00"))
