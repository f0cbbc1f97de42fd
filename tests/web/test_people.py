"""Person and household search: diacritics-blind names, exact IDs and household codes, only inside the
account's unit, masked IDs, one page at a time; the person and household pages; the audited reveal.

Expected values are worked out here from the registry's rows in Python (names folded with
unicodedata, residence and card dates compared by hand), not by the module under test."""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from html import unescape

import pytest
from sqlalchemy import select

from bhyt.store.models import CardPeriod, Household, Person, Residence, Unit
from bhyt.web.people_search import PAGE_SIZE
from tests.web.conftest import audit_entries, csrf_of, unit_of

TODAY = date.today()


def plain(text: str) -> str:
    """Lower case without marks, by Unicode's own decomposition (đ has none: it is a letter)."""
    stripped = "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))
    return stripped.replace("đ", "d").replace("Đ", "D").lower()


@dataclass(frozen=True)
class Registry:
    persons: dict  # id → row
    residences: list
    cards: list
    households: dict  # id → code
    unit_names: dict  # code → name
    provinces: dict  # commune code → province code

    def living_in(self, code: str) -> set[int]:
        """People whose residence in `code` (a province, commune or hamlet) has not ended before today."""
        return {r.person_id for r in self.residences
                if code in (r.hamlet_code, r.commune_code, self.provinces[r.commune_code])
                and (r.left_on is None or r.left_on >= TODAY)}


@pytest.fixture(scope="module")
def reg(web_engine) -> Registry:
    """The registry's rows, read once: the pages under test only read them."""
    with web_engine.connect() as connection:
        return Registry(
            persons={row.id: row for row in connection.execute(select(Person))},
            residences=connection.execute(select(Residence)).all(),
            cards=connection.execute(select(CardPeriod)).all(),
            households=dict(connection.execute(select(Household.id, Household.code)).all()),
            unit_names=dict(connection.execute(select(Unit.code, Unit.name)).all()),
            provinces=dict(connection.execute(
                select(Unit.code, Unit.parent_code).where(Unit.level == "commune")).all()),
        )


def result_rows(html: str) -> dict[int, list[str]]:
    """Person id → the text of each cell of its row in the results table."""
    rows = {}
    for person_id, body in re.findall(r'<tr data-person="(\d+)">(.*?)</tr>', html, re.S):
        cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", body, re.S)
        rows[int(person_id)] = [" ".join(unescape(re.sub(r"<[^>]+>", "", cell)).split()) for cell in cells]
    return rows


def total_of(html: str) -> int:
    return int(re.search(r"Kết quả: ([\d.]+) người", html).group(1).replace(".", ""))


def current_card_text(cards, person_id: int) -> str:
    held = [card for card in cards if card.person_id == person_id]
    covering = [card for card in held if card.valid_from <= TODAY <= card.valid_to]
    if covering:
        card = max(covering, key=lambda card: card.valid_to)
        return f"{card.card_code}, đến {card.valid_to:%d/%m/%Y}"
    if held:
        return f"chưa có thẻ (thẻ cũ hết hạn {max(card.valid_to for card in held):%d/%m/%Y})"
    return "chưa có thẻ"


def test_a_name_typed_without_marks_finds_the_person_with_the_row_filled_in(client_for, web_engine, reg):
    commune = unit_of(web_engine, "xa")
    mine = sorted(reg.living_in(commune))
    person = next(p for p in (reg.persons[i] for i in mine)
                  if plain(p.full_name) != p.full_name.lower() and p.household_id)
    typed = plain(person.full_name)  # e.g. "nguyen van son"
    page = client_for("xa").get("/people", params={"q": typed})
    assert page.status_code == 200
    rows = result_rows(page.text)
    expected = {i for i in mine if typed in plain(reg.persons[i].full_name)}
    assert set(rows) == expected and total_of(page.text) == len(expected)
    # The exact match comes first, before names that only contain it.
    assert plain(reg.persons[next(iter(rows))].full_name) == typed
    residence = next(r for r in reg.residences if r.person_id == person.id and r.commune_code == commune)
    assert rows[person.id] == [
        person.full_name, f"{person.birth_date:%d/%m/%Y}", {1: "Nam", 2: "Nữ"}[person.sex],
        person.personal_id[:4] + "******" + person.personal_id[-2:], reg.households[person.household_id],
        reg.unit_names[residence.hamlet_code], current_card_text(reg.cards, person.id),
    ]
    assert person.personal_id not in page.text
    assert page.headers["cache-control"] == "no-store"


def test_upper_case_and_marks_in_the_query_do_not_matter(client_for, web_engine, reg):
    name = reg.persons[min(reg.living_in(unit_of(web_engine, "xa")))].full_name
    client = client_for("xa")
    found = [set(result_rows(client.get("/people", params={"q": q}).text))
             for q in (name, name.upper(), plain(name), unicodedata.normalize("NFD", name))]
    assert found[0] and all(ids == found[0] for ids in found)


def test_a_commune_officer_never_finds_people_of_another_commune(client_for, web_engine, reg):
    mine = reg.living_in(unit_of(web_engine, "xa"))
    stranger = reg.persons[min(reg.living_in("44") - mine)]
    client = client_for("xa")
    by_name = result_rows(client.get("/people", params={"q": stranger.full_name}).text)
    assert stranger.id not in by_name and set(by_name) <= mine
    by_id = client.get("/people", params={"q": stranger.personal_id, "by": "personal_id"})
    assert result_rows(by_id.text) == {} and total_of(by_id.text) == 0


def test_a_hamlet_head_finds_only_the_people_of_his_hamlet(client_for, web_engine, reg):
    mine = reg.living_in(unit_of(web_engine, "thon"))
    page = client_for("thon").get("/people", params={"q": "n"})
    expected = {i for i in mine if "n" in plain(reg.persons[i].full_name)}
    assert expected and set(result_rows(page.text)) == expected and total_of(page.text) == len(expected)


def test_a_personal_id_finds_exactly_that_person(client_for, web_engine, reg):
    person = reg.persons[max(reg.living_in(unit_of(web_engine, "xa")))]
    client = client_for("xa")
    for by in ("personal_id", "name"):  # twelve digits in the name box are taken as an ID too
        page = client.get("/people", params={"q": person.personal_id, "by": by})
        assert list(result_rows(page.text)) == [person.id]
        # The searcher typed it, so the box keeps it; the results show it masked.
        assert person.personal_id not in page.text.split('id="people"')[1]
    wrong = client.get("/people", params={"q": "04401234", "by": "personal_id"})
    assert wrong.status_code == 400 and "Số định danh cá nhân gồm đúng 12 chữ số." in wrong.text


def test_a_household_code_lists_its_members_living_in_scope(client_for, web_engine, reg):
    mine = reg.living_in(unit_of(web_engine, "xa"))
    household_id = next(reg.persons[i].household_id for i in sorted(mine) if reg.persons[i].household_id)
    page = client_for("xa").get("/people", params={"q": reg.households[household_id], "by": "household"})
    expected = {i for i, p in reg.persons.items() if p.household_id == household_id and i in mine}
    assert expected and set(result_rows(page.text)) == expected


def test_wildcards_in_a_name_are_taken_literally(client_for):
    page = client_for("tinh").get("/people", params={"q": "%"})
    assert total_of(page.text) == 0


def test_results_come_a_page_at_a_time(client_for, reg):
    expected = {i for i in reg.living_in("44") if "nguyen van" in plain(reg.persons[i].full_name)}
    pages = -(-len(expected) // PAGE_SIZE)
    assert pages > 1
    client = client_for("tinh")
    shown = [client.get("/people", params={"q": "nguyen van", "page": number}).text for number in range(1, pages + 1)]
    assert total_of(shown[0]) == len(expected) and f"Trang 1 / {pages}" in shown[0]
    last = len(expected) - PAGE_SIZE * (pages - 1)
    assert [len(result_rows(page)) for page in shown] == [PAGE_SIZE] * (pages - 1) + [last]
    everyone = [person_id for page in shown for person_id in result_rows(page)]
    assert len(everyone) == len(set(everyone)) and set(everyone) == expected
    assert 'rel="next"' in shown[0] and 'rel="next"' not in shown[-1]


def test_every_list_shown_is_in_the_audit_log(client_for, web_engine):
    client = client_for("xa")
    before = len(audit_entries(web_engine, "xa", "view_people"))
    page = client.get("/people", params={"q": "thi"})
    entries = audit_entries(web_engine, "xa", "view_people")
    assert len(entries) == before + 1
    last = entries[-1]
    assert (last.subject, last.unit_code) == ("thi", unit_of(web_engine, "xa"))
    assert json.loads(last.detail)["person_ids"] == list(result_rows(page.text))
    client.get("/people")  # the empty form shows nobody: nothing to log
    assert len(audit_entries(web_engine, "xa", "view_people")) == before + 1


def test_the_person_page_shows_residences_and_cards_with_the_id_masked(client_for, web_engine, reg):
    person = reg.persons[min(reg.living_in(unit_of(web_engine, "xa")))]
    page = client_for("xa").get(f"/people/{person.id}")
    assert page.status_code == 200
    assert person.full_name in page.text and person.personal_id not in page.text
    masked = person.personal_id[:4] + "******" + person.personal_id[-2:]
    assert f'<span id="personal-id" class="masked-id">{masked}</span>' in page.text
    card_rows = re.findall(r"<tr[^>]*>\s*<td>([^<]*)</td>", page.text.split('id="cards"')[1])
    held = sorted((c for c in reg.cards if c.person_id == person.id), key=lambda c: c.valid_from, reverse=True)
    assert card_rows == [c.card_code for c in held]
    living = page.text.split('id="residences"')[1].split("</table>")[0]
    assert living.count("<tr") - 1 == sum(1 for r in reg.residences if r.person_id == person.id)
    assert audit_entries(web_engine, "xa", "view_person")[-1].subject == str(person.id)


def test_another_commune_person_page_is_refused_and_logged(client_for, web_engine, reg):
    stranger = reg.persons[min(reg.living_in("44") - reg.living_in(unit_of(web_engine, "xa")))]
    client = client_for("xa")
    response = client.get(f"/people/{stranger.id}")
    assert response.status_code == 403 and stranger.full_name not in response.text
    assert audit_entries(web_engine, "xa", "refused")[-1].subject == f"/people/{stranger.id}"
    assert client.get("/people/999999999").status_code == 404


def test_revealing_an_id_needs_a_post_with_the_csrf_token_and_is_audited(client_for, web_engine, reg):
    person = reg.persons[min(reg.living_in(unit_of(web_engine, "thon")))]
    client = client_for("thon")
    page = client.get(f"/people/{person.id}")
    before = len(audit_entries(web_engine, "thon", "reveal_id"))
    assert client.get(f"/people/{person.id}/reveal").status_code == 405
    forged = client.post(f"/people/{person.id}/reveal", data={"csrf_token": "forged"})
    assert forged.status_code == 403 and person.personal_id not in forged.text
    assert len(audit_entries(web_engine, "thon", "reveal_id")) == before
    shown = client.post(f"/people/{person.id}/reveal", data={"csrf_token": csrf_of(page.text)})
    assert shown.status_code == 200
    assert f'<span id="personal-id" class="revealed-id">{person.personal_id}</span>' in shown.text
    assert shown.headers["cache-control"] == "no-store"
    entries = audit_entries(web_engine, "thon", "reveal_id")
    assert len(entries) == before + 1 and entries[-1].subject == str(person.id)
    # The next view is masked again.
    assert person.personal_id not in client.get(f"/people/{person.id}").text


def test_an_id_outside_the_scope_cannot_be_revealed(client_for, web_engine, reg):
    neighbour = min(reg.living_in(unit_of(web_engine, "xa")) - reg.living_in(unit_of(web_engine, "thon")))
    client = client_for("thon")
    token = csrf_of(client.get("/people").text)
    refused = client.post(f"/people/{neighbour}/reveal", data={"csrf_token": token})
    assert refused.status_code == 403 and reg.persons[neighbour].personal_id not in refused.text


def test_the_household_page_lists_every_member(client_for, web_engine, reg):
    person = next(reg.persons[i] for i in sorted(reg.living_in(unit_of(web_engine, "xa")))
                  if reg.persons[i].household_id)
    page = client_for("xa").get(f"/households/{person.household_id}")
    code = reg.households[person.household_id]
    assert page.status_code == 200 and code in page.text
    members = {i for i, p in reg.persons.items() if p.household_id == person.household_id}
    assert set(result_rows(page.text)) == members
    assert all(reg.persons[i].personal_id not in page.text for i in members)
    entry = audit_entries(web_engine, "xa", "view_people")[-1]
    assert entry.subject == f"hộ {code}" and sorted(json.loads(entry.detail)["person_ids"]) == sorted(members)


def test_a_hamlet_head_cannot_open_a_household_of_another_hamlet(client_for, web_engine):
    hamlet = unit_of(web_engine, "thon")
    with web_engine.connect() as connection:
        other = connection.execute(select(Household.id).where(
            Household.commune_code == unit_of(web_engine, "xa"), Household.hamlet_code != hamlet)).scalar()
    assert client_for("thon").get(f"/households/{other}").status_code == 403


def test_the_menu_offers_the_search(client_for):
    assert 'href="/people">Tra cứu người, hộ</a>' in client_for("thon").get("/people").text


def test_a_query_that_cannot_be_run_is_explained_on_the_page(client_for):
    client = client_for("xa")
    long = client.get("/people", params={"q": "a" * 101})
    assert long.status_code == 400 and "Nội dung tìm kiếm dài quá 100 ký tự." in long.text
    kind = client.get("/people", params={"q": "an", "by": "address"})
    assert kind.status_code == 400 and "Cách tìm phải là theo họ tên, số định danh hoặc mã hộ." in kind.text
    assert total_of(client.get("/people", params={"q": "nguyen", "page": 0}).text) > 0
