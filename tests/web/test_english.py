"""The English switch: every message `make messages` extracts (the templates' words and the N_() labels
of the Python modules) has an English translation in the catalogue, and a signed-in officer who picks
English reads the pages in English, down to the labels that come from Python, then can switch back."""

from __future__ import annotations

import re
from datetime import date
from functools import cache
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po
from sqlalchemy import select

from bhyt.domain.target_groups import TARGET_GROUPS
from bhyt.store.models import Person, PopulationFigure, Unit, User
from bhyt.web.i18n import LOCALE_DIR

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = LOCALE_DIR / "en" / "LC_MESSAGES" / "messages.po"
YEAR = date.today().year
# A letter only Vietnamese writes (the English pages may still show names, which are data).
VIETNAMESE_LETTER = re.compile("[àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ]", re.I)


@cache
def extracted_messages() -> frozenset[str]:
    """The message ids `make messages` finds: babel.cfg's mapping, the default keywords and N_."""
    with (ROOT / "babel.cfg").open() as config:
        method_map, options_map = parse_mapping_cfg(config)
    keywords = {**DEFAULT_KEYWORDS, "N_": None}
    return frozenset(message for _, _, message, _, _ in extract_from_dir(ROOT, method_map, options_map,
                                                                       keywords=keywords))


def english_catalogue():
    with CATALOGUE.open("rb") as source:
        return read_po(source, locale="en")


def test_every_extracted_message_has_an_english_translation():
    messages = extracted_messages()
    catalogue = english_catalogue()
    # The labels that reach the templates from Python data are among them.
    assert {"Tra cứu người, hộ", "Cán bộ xã", "Thôn", "Chưa đạt", "Hiện số định danh", "Danh sách thẻ BHYT",
            "Báo cáo quý", "Sổ đăng ký", "Ghi vào cơ sở dữ liệu", "Hộ cận nghèo", "Phân bổ"} <= messages
    untranslated = sorted(message for message in messages
                          if message not in catalogue or not catalogue[message].string.strip())
    assert not untranslated, f"{len(untranslated)} message(s) without English in {CATALOGUE.name}: {untranslated}"


def test_the_catalogue_is_tidy():
    catalogue = english_catalogue()
    assert not catalogue.fuzzy
    assert not [message.id for message in catalogue if message.id and message.fuzzy]
    assert not catalogue.obsolete
    assert "\n#:" not in CATALOGUE.read_text(encoding="utf-8")  # no source locations
    # Placeholders and the "%%" of newstyle gettext are kept exactly in every translation.
    assert not [(message.id, errors) for message, errors in catalogue.check()]
    assert extracted_messages() >= {message.id for message in catalogue if message.id}, "a message no page uses"


def test_a_few_translations_read_as_an_officer_expects():
    catalogue = english_catalogue()
    expected = {"Tỷ lệ bao phủ": "Coverage rate", "Còn phải vận động": "Still to enrol", "Thôn": "Hamlet",
                "Xã": "Commune", "Tỉnh": "Province", "Tỷ lệ bao phủ (%%)": "Coverage rate (%%)"}
    assert {message: catalogue[message].string for message in expected} == expected


def english_client(client_for, username: str):
    client = client_for(username)
    switched = client.get("/lang/en?next=/people", follow_redirects=False)
    assert switched.status_code == 303 and switched.headers["location"] == "/people"
    assert client.cookies.get("lang") == "en"
    return client


def test_an_officer_reads_every_page_in_english(client_for):
    client = english_client(client_for, "tinh")
    pages = {
        "/units/44": ['<h2>The last 12 months</h2>', '<span class="label">Coverage rate (registry)</span>',
                      '<span class="label">Still to enrol</span>', "<small>(Province · 44)</small>",
                      '<th scope="col">Status</th>', '<a href="/people">Find people and households</a>',
                      '<a href="/imports">Import lists</a>', '<a href="/targets">Target</a>',
                      '<a href="/reports">Reports</a>', "Province officer", '<button type="submit" class="link">Sign out'],
        "/people?by=name&q=nguyen": ['<h1>Find people and households <small>', '<h2 id="results-title">Result: ',
                                     '<option value="name" selected>Name</option>', '<th scope="col">Date of birth</th>'],
        "/imports": ["<h1>Import lists <small>", "<h2>Upload a file</h2>", "<h2>Recent imports</h2>",
                     '<option value="cards">Health insurance card list</option>'],
        f"/targets?year={YEAR}": [f"<h1>Target for {YEAR} <small>", "<h2>Progress against the target</h2>",
                                  "<h2>Set a target</h2>", "<h2>Cascade to the units below</h2>"],
        "/reports": ["<h1>Download a report</h1>", '<option value="annual">Annual report</option>',
                     '<option value="registry">Registry</option>'],
    }
    for path, headings in pages.items():
        html = client.get(path).text
        assert '<html lang="en">' in html, path
        assert [heading for heading in headings if heading not in html] == [], path
    # The menu offers the way back, in Vietnamese for whoever reads Vietnamese.
    assert '<a href="/lang/vi?next=/units/44" lang="vi">Tiếng Việt</a>' in client.get("/units/44").text


def test_the_audit_log_in_english_names_the_actions(client_for):
    client = english_client(client_for, "kiemtra")
    html = client.get("/audit?user=kiemtra").text
    assert '<html lang="en">' in html
    assert "<h1>Audit log</h1>" in html and '<th scope="col">Action</th>' in html
    assert '<option value="reveal_id">Reveal ID number</option>' in html
    assert re.search(r'data-action="login">\s*<td>[^<]*</td>\s*<td>kiemtra</td>\s*<td>Sign in</td>', html)


def test_switching_back_to_vietnamese(client_for):
    client = english_client(client_for, "xa")
    assert "<h2>The last 12 months</h2>" in client.get("/").text
    back = client.get("/lang/vi?next=/", follow_redirects=False)
    assert back.status_code == 303 and client.cookies.get("lang") == "vi"
    html = client.get("/").text
    assert '<html lang="vi">' in html and "<h2>Diễn biến 12 tháng</h2>" in html
    assert '<a href="/lang/en?next=/units/' in html


class _Text(HTMLParser):
    """The text a reader sees (and the labels a screen reader reads), without scripts."""

    def __init__(self):
        super().__init__()
        self.parts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        self._in_script = tag == "script"
        self.parts += [value for name, value in attrs if name in ("aria-label", "title") and value]

    def handle_endtag(self, tag):
        self._in_script = False

    def handle_data(self, data):
        if not self._in_script and data.strip():
            self.parts.append(data.strip())


@pytest.fixture(scope="module")
def data_values(web_engine) -> list[str]:
    """Names and sources the pages show as they are in the registry (longest first, so that a name
    inside another is removed after it), and the target groups' names from the domain's data file."""
    with web_engine.connect() as connection:
        values = set(connection.execute(select(Unit.name)).scalars())
        values |= set(connection.execute(select(User.display_name)).scalars())
        values |= set(connection.execute(select(PopulationFigure.source)).scalars())
        values |= set(connection.execute(select(Person.full_name)).scalars())
    values |= {group.name_vi for group in TARGET_GROUPS.values()}
    values.add("Tiếng Việt")  # the switch back names the language in its own words
    values.add("Nguyễn Văn An")  # the search hint's example of a name typed without marks
    return sorted(values, key=len, reverse=True)


def test_english_pages_have_no_vietnamese_words_of_their_own(client_for, data_values):
    client = english_client(client_for, "tinh")
    left = {}
    for path in ("/units/44", "/people?by=name&q=nguyen", "/imports", f"/targets?year={YEAR}", "/reports",
                 "/units/44/risk?all=true", "/units/44/forecast", "/units/44/breakdown?by=code",
                 "/units/44/breakdown?by=age", "/units/99999", f"/units/44/forecast?year={YEAR - 1}"):
        parser = _Text()
        parser.feed(client.get(path).text)
        for text in parser.parts:
            if text in data_values:
                continue
            for value in data_values:
                text = text.replace(value, "")
            if VIETNAMESE_LETTER.search(text):
                left.setdefault(path, []).append(text)
    assert left == {}


def test_sentences_built_from_figures_are_in_english(client_for):
    """Risk reasons, forecast assumptions, participant codes and error messages come from Python: in
    English they read in English, while a machine client without the switch keeps the Vietnamese."""
    client = english_client(client_for, "tinh")
    catalogue = english_catalogue()
    risk = f"/api/risk?as_of={date(YEAR, 1, 15)}&level=commune&unit=44&expiring_share=0&all=true"
    vietnamese = [row["reasons"] for row in client_for("tinh").get(risk).json()]
    english = [row["reasons"] for row in client.get(risk).json()]
    assert any(vietnamese) and len(english) == len(vietnamese)
    assert "Many cards about to expire, not yet renewed (≥ 0 % within 30 days)" in english[0]
    for reasons in english:
        assert not [reason for reason in reasons if VIETNAMESE_LETTER.search(reason)]
    assumptions = client.get(f"/api/forecast?year={YEAR}&unit=44").json()["assumptions"]
    assert assumptions[0].startswith("The population stays at ")
    assert not [line for line in assumptions if VIETNAMESE_LETTER.search(line)]
    assert catalogue["lượt hết hạn"].string in " ".join(assumptions)
    codes = client.get(f"/units/44/breakdown?by=code&as_of={date(YEAR, 1, 15)}").text
    assert "<td>Employees of enterprises</td>" in codes and "<td>Pupils</td>" in codes
    assert "There is no unit with code 99999." in client.get("/units/99999").text
    refused = client.post("/targets/set", data={"csrf_token": "forged", "page_unit": "44", "unit": "44",
                                                "year": YEAR, "value": "95"})
    assert refused.status_code == 403 and "The session has expired" in refused.text
