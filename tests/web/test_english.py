"""The English switch: every message `make messages` extracts (the templates' words and the N_() labels
of the Python modules) has an English translation in the catalogue, and a signed-in officer who picks
English reads the pages in English, down to the labels that come from Python, then can switch back."""

from __future__ import annotations

import copy
import io
import re
from contextlib import contextmanager
from datetime import date, timedelta
from decimal import Decimal
from functools import cache
from html import unescape
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po
from fastapi.testclient import TestClient
from python_calamine import CalamineWorkbook
from sqlalchemy import insert, or_, select, update

from bhyt.analytics.coverage import coverage
from bhyt.analytics.renewals import renewal_counts
from bhyt.analytics.target_groups import group_coverage
from bhyt.analytics.targets import target_progress
from bhyt.analytics.worklists.common import ListedPerson
from bhyt.analytics.worklists.duplicates import CARDS, PEOPLE, DuplicateRow
from bhyt.analytics.worklists.entitled import EntitlementEvent, NewlyEligibleRow
from bhyt.analytics.worklists.entitlements import entitlements_on
from bhyt.analytics.worklists.insured import ExpiringRow, LapsedRow, UninsuredRow
from bhyt.analytics.worklists.reductions import DeceasedRow, MovedOutRow
from bhyt.domain.contributions import Quote, state_support_share
from bhyt.domain.legal_data import LegalDataError, effective_on
from bhyt.domain.participants import PARTICIPANT_CODES, UnknownParticipantCode, participant
from bhyt.domain.target_groups import TARGET_GROUPS
from bhyt.reports.periodic import GROUP_NAMES
from bhyt.store import registry_version
from bhyt.store.models import CardPeriod, Household, Person, PopulationFigure, Residence, Unit, User
from bhyt.web.accounts import MAX_FAILED_LOGINS, add_user
from bhyt.web.i18n import LOCALE_DIR, current_language, error_text, translated
from bhyt.web.scope import UnitInfo
from bhyt.web.worklist_views import ListQuery, QueryError, list_rows
from bhyt.worklist_tables import PARTICIPANT_LISTS, REMINDER_LISTS, ListName
from tests.reports.xlsx import cells
from tests.web.conftest import csrf_of, sign_in, unit_of

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
    inside another is removed after it)."""
    with web_engine.connect() as connection:
        values = set(connection.execute(select(Unit.name)).scalars())
        values |= set(connection.execute(select(User.display_name)).scalars())
        values |= set(connection.execute(select(PopulationFigure.source)).scalars())
        values |= set(connection.execute(select(Person.full_name)).scalars())
    values.add("Tiếng Việt")  # the switch back names the language in its own words
    values.add("Nguyễn Văn An")  # the search hint's example of a name typed without marks
    return sorted(values, key=len, reverse=True)


def without(values: list[str], text: str) -> str:
    """`text` with the data values removed."""
    for value in values:
        text = text.replace(value, "")
    return text


def test_english_pages_have_no_vietnamese_words_of_their_own(client_for, data_values):
    client = english_client(client_for, "tinh")
    left = {}
    for path in ("/units/44", "/people?by=name&q=nguyen", "/imports", f"/targets?year={YEAR}", "/reports",
                 "/units/44/risk?all=true", "/units/44/forecast", "/units/44/breakdown?by=code",
                 "/units/44/breakdown?by=group", "/units/44/breakdown?by=age", "/units/99999", f"/units/44/forecast?year={YEAR - 1}"):
        parser = _Text()
        parser.feed(client.get(path).text)
        for text in parser.parts:
            if text in data_values:
                continue
            text = without(data_values, text)
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


# Luật BHYT Điều 12's groups as the English page names them.
GROUPS_IN_ENGLISH = {"1": "Paid by employees and employers", "2": "Paid by the social insurance agency",
                     "3": "Paid by the state budget", "4": "Contribution supported by the state budget",
                     "5": "Self-paying (enrolled by household)"}


def group_names(html: str) -> dict[str, str]:
    """The breakdown table's groups: key → the name shown beside it."""
    return dict(re.findall(r'<tr data-key="(\d)">\s*<th scope="row">\d</th>\s*<td>([^<]*)</td>', html))


def test_the_statutory_groups_are_in_english_on_the_web_only(client_for, tmp_path):
    """The breakdown by group names the groups in the reader's language; the periodic report downloaded from
    the English page keeps the Vietnamese names of the official layout, as `bhyt report` writes them."""
    path = f"/units/44/breakdown?by=group&as_of={date(YEAR, 1, 15)}"
    english = english_client(client_for, "tinh")
    assert group_names(english.get(path).text) == GROUPS_IN_ENGLISH
    assert group_names(client_for("tinh").get(path).text) == GROUP_NAMES
    report = english.get("/reports/download", params={"kind": "annual", "year": YEAR, "unit": "44"})
    assert report.status_code == 200, report.text
    (tmp_path / "annual.xlsx").write_bytes(report.content)
    texts = {cell for row in cells(tmp_path / "annual.xlsx", "Theo nhóm") for cell in row}
    assert set(GROUP_NAMES.values()) <= texts and not set(GROUPS_IN_ENGLISH.values()) & texts


def alert(html: str) -> str:
    """The error a form page shows."""
    return unescape(re.search(r'<p class="error" role="alert" id="form-error">([^<]*)</p>', html).group(1))


def test_target_errors_are_in_the_readers_language(client_for):
    """TargetError's messages, from the domain and the analytics, on the targets page and in the API: English
    for a reader who chose it, down to the label inside the sentence; Vietnamese by default."""
    english, vietnamese = english_client(client_for, "tinh"), client_for("tinh")
    expected = {
        english: ["The target year is not valid: 1999.", "The target rate must be from 0 to 100 (%), not 150.",
                  "Unit '44' has no target for 2090 yet: set this unit's target first."],
        vietnamese: ["Năm chỉ tiêu không hợp lệ: 1999.", "Tỷ lệ chỉ tiêu phải từ 0 đến 100 (%), không phải 150.",
                     "Đơn vị '44' chưa có chỉ tiêu năm 2090: hãy đặt chỉ tiêu cho đơn vị này trước."],
    }
    for client, (bad_year, bad_rate, no_target) in expected.items():
        page = client.get("/targets?year=1999&unit=44")
        assert page.status_code == 400 and alert(page.text) == bad_year
        assert client.get("/api/targets?year=1999&unit=44").json() == {"detail": bad_year}
        token = csrf_of(client.get("/targets?unit=44").text)
        refused = client.post("/targets/set", data={"csrf_token": token, "page_unit": "44", "unit": "44",
                                                    "year": YEAR, "measure": "rate", "value": "150"})
        assert refused.status_code == 400 and alert(refused.text) == bad_rate
        refused = client.post("/targets/cascade", data={"csrf_token": token, "unit": "44", "year": 2090})
        assert refused.status_code == 400 and alert(refused.text) == no_target


def test_visit_errors_are_in_the_readers_language(client_for, web_engine):
    """VisitError's messages on the visit form and the visits page, English for a reader who chose it and
    Vietnamese by default; the values inside (dates, codes) are the same in both."""
    commune = unit_of(web_engine, "xa")
    with web_engine.connect() as connection:
        household, hamlet = connection.execute(select(Household.code, Household.hamlet_code).where(
            Household.commune_code == commune, Household.hamlet_code.is_not(None)).order_by(Household.code)).first()
    today = date.today()
    expected = {
        english_client(client_for, "xa"): [
            f"The follow-up date 01/01/2020 is before the visit date {today:%d/%m/%Y}.",
            "The outcome 'maybe' is not valid; choose one of: joined, promised, refused, not_home, other.",
            "Write the name of the officer to put in charge."],
        client_for("xa"): [
            f"Ngày hẹn thăm lại 01/01/2020 trước ngày thăm {today:%d/%m/%Y}.",
            "Kết quả 'maybe' không hợp lệ; chọn một trong: joined, promised, refused, not_home, other.",
            "Cần ghi tên cán bộ được giao."],
    }
    for client, (early_follow_up, bad_outcome, no_officer) in expected.items():
        fields = {"csrf_token": csrf_of(client.get(f"/visits/new?household={household}").text),
                  "household": household, "visited_on": today.isoformat(), "officer": "Lan", "outcome": "promised"}
        refused = client.post("/visits", data={**fields, "follow_up": "2020-01-01"})
        assert refused.status_code == 400 and alert(refused.text) == early_follow_up
        refused = client.post("/visits", data={**fields, "outcome": "maybe"})
        assert refused.status_code == 400 and alert(refused.text) == bad_outcome
        refused = client.post("/visits/assign", data={"csrf_token": fields["csrf_token"], "unit": commune,
                                                      "hamlet": hamlet, "officer": " "})
        assert refused.status_code == 400 and alert(refused.text) == no_officer


def group_options(html: str, select_id: str) -> dict[str, str]:
    """The target groups a select of the targets page offers: code → the name shown."""
    choices = re.search(rf'<select id="{select_id}" name="group">(.*?)</select>', html, re.S).group(1)
    return dict(re.findall(r'<option value="(\w+)"[^>]*>([^<]*)</option>', unescape(choices)))


def test_the_target_groups_are_named_in_the_readers_language(client_for):
    english = {code: group.name_en for code, group in TARGET_GROUPS.items()}
    vietnamese = {code: group.name_vi for code, group in TARGET_GROUPS.items()}
    assert english["tre_em_duoi_6"] == "Children under 6"
    for client, names in ((english_client(client_for, "tinh"), english), (client_for("tinh"), vietnamese)):
        html = client.get(f"/targets?year={YEAR}&unit=44").text
        assert group_options(html, "view-group") == names
        assert group_options(html, "target-group") == names


def test_unknown_target_groups_and_units_are_in_the_readers_language(client_for, web_engine):
    """UnknownTargetGroup on the targets page and in the API, UnknownUnit (a unit below the level asked)
    in the API."""
    hamlet = unit_of(web_engine, "thon")
    known = ", ".join(TARGET_GROUPS)
    expected = {
        english_client(client_for, "tinh"): [
            f"Participant group 'khac' is not in the list of target groups ({known}).",
            f"Unit '{hamlet}' is at hamlet level, below the commune level asked for."],
        client_for("tinh"): [
            f"Nhóm đối tượng 'khac' không có trong danh mục nhóm chỉ tiêu ({known}).",
            f"Đơn vị '{hamlet}' là cấp hamlet, nhỏ hơn cấp commune được hỏi."],
    }
    for client, (no_group, below) in expected.items():
        page = client.get(f"/targets?year={YEAR}&unit=44&group=khac")
        assert page.status_code == 400 and alert(page.text) == no_group
        refused = client.post("/targets/set", data={"csrf_token": csrf_of(page.text), "page_unit": "44", "unit": "44",
                                                    "year": YEAR, "measure": "rate", "value": "95", "group": "khac"})
        assert refused.status_code == 400 and alert(refused.text) == no_group
        answer = client.get(f"/api/targets?year={YEAR}&unit=44&group=khac")
        assert answer.status_code == 422 and answer.json() == {"detail": no_group}
        for path in (f"/api/targets?year={YEAR}&level=commune&unit={hamlet}",
                     f"/api/coverage?as_of={date(YEAR, 1, 15)}&level=commune&unit={hamlet}"):
            answer = client.get(path)
            assert answer.status_code == 422 and answer.json() == {"detail": below}, path


@contextmanager
def reading(language: str):
    """What runs inside is answered as for a reader of `language`, as the web app's middleware sets it."""
    token = current_language.set(language)
    try:
        yield
    finally:
        current_language.reset(token)


def test_work_list_errors_are_in_the_readers_language(client_for, web_engine, app):
    """A start date after the day asked, refused by the báo tăng list itself, on its page and in the API;
    a number of days the list refuses, as list_rows passes it on."""
    commune = unit_of(web_engine, "xa")
    query = f"unit={commune}&as_of={YEAR}-01-10&since={YEAR}-02-01"
    expected = {english_client(client_for, "xa"): f"The start date 01/02/{YEAR} is after the date 10/01/{YEAR}.",
                client_for("xa"): f"Ngày bắt đầu 01/02/{YEAR} sau ngày tính 10/01/{YEAR}."}
    for client, late_start in expected.items():
        page = client.get(f"/worklists/newly-eligible?{query}")
        assert page.status_code == 400 and alert(page.text) == late_start
        answer = client.get(f"/api/worklists/newly-eligible?{query}")
        assert answer.status_code == 422 and answer.json() == {"detail": late_start}
    # The pages and the API refuse such a number before asking the list; list_rows still reads its refusal.
    too_many = ListQuery(ListName.expiring, [UnitInfo(commune, "", "commune", None)], date(YEAR, 1, 10), 400, None)
    for language, message in (("en", "The number of days must be from 1 to 366 (got 400)."),
                              ("vi", "Số ngày phải từ 1 đến 366 (nhận 400).")):
        with reading(language), pytest.raises(QueryError) as refused:
            list_rows(app.state.analytics, too_many)
        assert str(refused.value) == message


def test_an_unknown_participant_code_is_in_the_readers_language():
    with pytest.raises(UnknownParticipantCode) as unknown:
        participant(" zz ")
    expected = {"en": "Participant code 'zz' is not in the list of health insurance participant codes.",
                "vi": "Mã đối tượng 'zz' không có trong danh mục mã đối tượng tham gia BHYT."}
    for language, message in expected.items():
        with reading(language):
            assert error_text(unknown.value) == message


def sign_in_error(html: str) -> str:
    return unescape(re.search(r'<p class="error" role="alert">([^<]*)</p>', html).group(1))


def test_a_refused_sign_in_is_in_the_readers_language(app, web_engine):
    """Wrong passwords, then the lockout they lead to, on the sign-in page of a reader who chose English
    and of one who did not."""
    add_user(web_engine, "khoa-thu", "mat-khau-dung", "auditor")
    english, vietnamese = TestClient(app), TestClient(app)
    try:
        english.get("/lang/en?next=/login")
        refused = sign_in(vietnamese, "khoa-thu", "mat-khau-sai")
        assert refused.status_code == 401 and sign_in_error(refused.text) == "Sai tên đăng nhập hoặc mật khẩu."
        for _ in range(MAX_FAILED_LOGINS - 1):
            refused = sign_in(english, "khoa-thu", "mat-khau-sai")
            assert refused.status_code == 401 and sign_in_error(refused.text) == "Wrong username or password."
        with web_engine.connect() as connection:
            locked_until = connection.execute(select(User.locked_until).where(User.username == "khoa-thu")).scalar()
        expected = {
            english: f"The account is locked after too many failed sign-ins; try again after {locked_until:%H:%M}.",
            vietnamese: f"Tài khoản tạm khoá vì đăng nhập sai nhiều lần; thử lại sau {locked_until:%H:%M}.",
        }
        for client, locked in expected.items():
            refused = sign_in(client, "khoa-thu", "mat-khau-dung")
            assert refused.status_code == 401 and sign_in_error(refused.text) == locked
    finally:
        english.close()
        vietnamese.close()


def test_legal_data_not_in_force_is_in_the_readers_language(client_for, web_engine):
    """Work lists asked for a day before the legal tables start: the overview, the list page and the API name
    the missing rule, in English for a reader who chose it; the Vietnamese is the sentence the CLI prints."""
    commune = unit_of(web_engine, "xa")
    expected = {
        english_client(client_for, "xa"): ["No rule on the household contribution rates is in force on 10/01/2018.",
                                           "No rule on card validity (break_months) is in force on 01/06/2014."],
        client_for("xa"): ["Không có quy định về mức đóng theo hộ gia đình có hiệu lực vào ngày 10/01/2018.",
                           "Không có quy định về thời hạn thẻ (break_months) có hiệu lực vào ngày 01/06/2014."],
    }
    for client, (no_ladder, no_card_validity) in expected.items():
        overview = client.get(f"/worklists?unit={commune}&as_of=2018-01-10")
        assert overview.status_code == 400 and alert(overview.text) == no_ladder
        for path, message in ((f"uninsured?unit={commune}&as_of=2018-01-10", no_ladder),
                              (f"lapsed?unit={commune}&as_of=2014-06-01", no_card_validity)):
            page = client.get(f"/worklists/{path}")
            assert page.status_code == 400 and alert(page.text) == message, path
            answer = client.get(f"/api/worklists/{path}")
            assert answer.status_code == 422 and answer.json() == {"detail": message}, path


def test_legal_data_errors_name_the_parameter_in_the_readers_language():
    """The parameter inside the sentence is translated too; the Vietnamese is what the CLI prints."""
    with pytest.raises(LegalDataError) as no_support:
        state_support_share("HS", date(2018, 11, 30))
    with pytest.raises(LegalDataError) as overlap:
        effective_on([{"effective_from": "", "effective_to": ""}] * 2, date(2021, 5, 1))
    expected = {
        "en": ["No rule on the contribution support for participant code HS is in force on 30/11/2018.",
               "2 rules on the parameter are in force together on 01/05/2021; the periods of the parameter table "
               "overlap."],
        "vi": ["Không có quy định về mức hỗ trợ đóng cho đối tượng HS có hiệu lực vào ngày 30/11/2018.",
               "Có 2 quy định về tham số cùng có hiệu lực vào ngày 01/05/2021; bảng tham số bị chồng lấn thời gian."],
    }
    for language, messages in expected.items():
        with reading(language):
            assert [error_text(no_support.value), error_text(overlap.value)] == messages
    assert [str(no_support.value), str(overlap.value)] == expected["vi"]  # as the CLI prints them


def test_forecast_and_coverage_refusals_are_in_the_readers_language(client_for):
    """A past forecast year, a grace period the renewal rates refuse, official figures by age, a series that
    ends before it starts: the API answers 422 in the reader's language; the forecast page refuses the past
    year with the same sentence."""
    today = date.today()
    expected = {
        english_client(client_for, "tinh"): [
            f"The forecast year {YEAR - 1} is already past on {today:%d/%m/%Y}.",
            "The renewal grace period must be from 0 to 365 days (got 400).",
            "The official population and the aggregate figures are not broken down by age or sex: use the registry "
            "source.",
            f"The end date 01/01/{YEAR} is before the start date 01/02/{YEAR}."],
        client_for("tinh"): [
            f"Năm dự báo {YEAR - 1} đã qua so với ngày tính {today:%d/%m/%Y}.",
            "Thời gian chờ gia hạn phải từ 0 đến 365 ngày (nhận 400).",
            "Dân số chính thức và số liệu tổng hợp không chia theo tuổi, giới tính: hãy dùng nguồn registry.",
            f"Ngày kết thúc 01/01/{YEAR} trước ngày bắt đầu 01/02/{YEAR}."],
    }
    for client, (past, long_grace, by_age, backwards) in expected.items():
        for path, message in (
                (f"/api/forecast?year={YEAR - 1}&unit=44", past),
                (f"/api/forecast?year={YEAR}&unit=44&grace_days=400", long_grace),
                (f"/api/risk?as_of={date(YEAR, 1, 15)}&unit=44&grace_days=400", long_grace),
                (f"/api/coverage?as_of={date(YEAR, 1, 15)}&level=commune&unit=44&source=official&by=age", by_age),
                (f"/api/coverage/series?from={YEAR}-02-01&to={YEAR}-01-01&level=commune&unit=44", backwards)):
            answer = client.get(path)
            assert answer.status_code == 422 and answer.json() == {"detail": message}, path
        page = client.get(f"/units/44/forecast?year={YEAR - 1}")
        assert page.status_code == 400 and f'<p role="alert">{past}</p>' in page.text


def test_coverage_arguments_are_refused_in_the_readers_language(app):
    """The level, breakdown and source the API's types already hold to, refused by the analytics as the CLI
    may ask: the targets, the target groups and the renewal rates refuse a level or a source in the same
    words as the coverage."""
    day = date(YEAR, 1, 15)
    refused = []
    with app.state.analytics.connection() as con:
        for ask in (lambda: coverage(con, day, "xa", "44"), lambda: coverage(con, day, "commune", "44", by="tuoi"),
                    lambda: coverage(con, day, "commune", "44", source="bhxh"),
                    lambda: target_progress(con, YEAR, "xa", "44"),
                    lambda: target_progress(con, YEAR, "commune", "44", source="bhxh"),
                    lambda: group_coverage(con, day, "xa", "44", "tre_em_duoi_6"),
                    lambda: renewal_counts(con, day, "xa", "44")):
            with pytest.raises(ValueError) as error:
                ask()
            refused.append(error.value)
    levels, sources = ("The level must be one of: province, commune, hamlet.",
                       "The source must be one of: registry, official.")
    vi_levels, vi_sources = ("Cấp phải là một trong: province, commune, hamlet.",
                             "Nguồn phải là một trong: registry, official.")
    expected = {
        "en": [levels, "The breakdown must be one of: code, group, age, sex.", sources, levels, sources, levels,
               levels],
        "vi": [vi_levels, "Cách chia phải là một trong: code, group, age, sex.", vi_sources, vi_levels, vi_sources,
               vi_levels, vi_levels],
    }
    for language, messages in expected.items():
        with reading(language):
            assert [error_text(error) for error in refused] == messages
    assert [str(error) for error in refused] == expected["vi"]  # as the CLI prints them


def card_codes(html: str) -> list[tuple[str, str]]:
    """The participant codes of a person page's cards, each with the name its title gives."""
    table = re.search(r'<table class="data" id="cards">(.*?)</table>', html, re.S).group(1)
    return [(code, unescape(name)) for name, code in re.findall(r'<abbr title="([^"]*)">(\w+)</abbr>', table)]


def test_a_person_page_names_the_participant_codes_in_the_readers_language(client_for, web_engine):
    with web_engine.connect() as connection:
        person_id = connection.execute(select(CardPeriod.person_id).order_by(CardPeriod.id)).first()[0]
    english, vietnamese = english_client(client_for, "tinh"), client_for("tinh")
    codes = card_codes(vietnamese.get(f"/people/{person_id}").text)
    assert codes and codes == [(code, PARTICIPANT_CODES[code].name_vi) for code, _ in codes]
    assert card_codes(english.get(f"/people/{person_id}").text) == [
        (code, PARTICIPANT_CODES[code].name_en) for code, _ in codes]
    for client, person, household in ((english, "This person is not in the registry.",
                                       "This household is not in the registry."),
                                      (vietnamese, "Không có người này trong sổ đăng ký.",
                                       "Không có hộ này trong sổ đăng ký.")):
        for path, message in (("/people/0", person), ("/households/0", household)):
            missing = client.get(path)
            assert missing.status_code == 404 and f'<p role="alert">{message}</p>' in missing.text, path


def shown_reasons(html: str) -> list[str]:
    """The reasons of a work-list page's rows (the one wrapped column)."""
    return [unescape(reason) for reason in re.findall(r'<td class="wrap">([^<]*)</td>', html)]


def add_a_death_and_a_double(engine) -> None:
    """The demo has, today, nobody dead with a valid card and nobody recorded twice: one of each, for the
    báo giảm and duplicates lists."""
    today = date.today()
    resident = (select(Person.id, Person.full_name, Person.birth_date, Person.sex, Person.household_id,
                       Residence.commune_code, Residence.hamlet_code, Residence.arrived_on)
                .join(Residence, Residence.person_id == Person.id)
                .where(Residence.left_on.is_(None), Person.death_date.is_(None), Person.household_id.is_not(None),
                       or_(Residence.arrived_on.is_(None), Residence.arrived_on < today - timedelta(days=10)))
                .order_by(Person.id))
    with engine.begin() as connection:
        died = connection.execute(resident.where(Person.id.in_(
            select(CardPeriod.person_id).where(CardPeriod.valid_to > today)))).first()
        connection.execute(update(Person).where(Person.id == died.id).values(death_date=today - timedelta(days=10)))
        twin = connection.execute(resident.where(Person.id != died.id)).first()
        double = connection.execute(insert(Person).values(
            personal_id="044099999999", full_name=twin.full_name, birth_date=twin.birth_date, sex=twin.sex,
            household_id=twin.household_id)).inserted_primary_key[0]
        connection.execute(insert(Residence).values(person_id=double, commune_code=twin.commune_code,
                                                    hamlet_code=twin.hamlet_code, arrived_on=twin.arrived_on))
        registry_version.bump(connection)


# Cells of the work lists that the web shows in the reader's language besides the reason: English → Vietnamese.
TRANSLATED_CELLS = {
    "reason": {},
    "phan_loai_ho": {"poor household": "hộ nghèo", "near-poor household": "hộ cận nghèo",
                     "farming, forestry, fishing or salt-making household with an average living standard":
                         "hộ nông, lâm, ngư, diêm nghiệp có mức sống trung bình",
                     "other household": "hộ khác"},
    "loai": {"Overlapping cards": "Thẻ chồng thời gian", "Same person twice": "Trùng người"},
}


def test_work_list_reasons_are_in_the_readers_language_and_the_files_stay_vietnamese(client_for, web_engine,
                                                                                       data_values):
    """Every work list: the page and the API give the reasons in English to a reader who chose it, the rest
    of each row unchanged (names of places inside a reason stay as the registry has them); the CSV and XLSX
    files, the reminders and the D03-TS list stay Vietnamese, the same as for any other reader (and as
    `bhyt worklist` writes them)."""
    add_a_death_and_a_double(web_engine)
    english, vietnamese = english_client(client_for, "tinh"), client_for("tinh")
    query = f"unit=44&as_of={date.today()}&days=366&since={YEAR - 1}-01-01"
    english_of = {}
    for name in (name.value for name in ListName):
        rows = {client: client.get(f"/api/worklists/{name}?{query}").json() for client in (english, vietnamese)}
        assert rows[vietnamese] and len(rows[english]) == len(rows[vietnamese]), name
        assert [{**row, **dict.fromkeys(TRANSLATED_CELLS, "")} for row in rows[english]] == [
            {**row, **dict.fromkeys(TRANSLATED_CELLS, "")} for row in rows[vietnamese]]
        for cell in set(TRANSLATED_CELLS) - {"reason"}:
            shown = {client: {row[cell] for row in found if cell in row} - {None} for client, found in rows.items()}
            assert shown[english] <= set(TRANSLATED_CELLS[cell]) and shown[vietnamese] <= set(
                TRANSLATED_CELLS[cell].values()), (name, cell)
            assert [row[cell] for row in rows[english] if cell in row] == [
                {vietnamese: english for english, vietnamese in TRANSLATED_CELLS[cell].items()}.get(row[cell])
                for row in rows[vietnamese] if cell in row]
        reasons = {client: [row["reason"] for row in found] for client, found in rows.items()}
        english_of |= dict(zip(reasons[vietnamese], reasons[english]))
        assert reasons[english] != reasons[vietnamese], name
        assert not [reason for reason in reasons[english] if VIETNAMESE_LETTER.search(without(data_values, reason))]
        for client in (english, vietnamese):
            assert shown_reasons(client.get(f"/worklists/{name}?{query}").text) == reasons[client][:100], name
        files = {client: client.get(f"/worklists/{name}/export?{query}&format=csv").content
                 for client in (english, vietnamese)}
        assert files[english] == files[vietnamese]
        assert reasons[vietnamese][0] in files[english].decode("utf-8-sig")
        sheets = {client: CalamineWorkbook.from_filelike(io.BytesIO(
            client.get(f"/worklists/{name}/export?{query}&format=xlsx").content)).get_sheet_by_index(0).to_python()
            for client in (english, vietnamese)}
        assert sheets[english] == sheets[vietnamese] and sheets[english][4][-1] == reasons[vietnamese][0]
        if ListName(name) in REMINDER_LISTS:
            reminders = {client: client.get(f"/worklists/{name}/export?{query}&format=reminders").content
                         for client in (english, vietnamese)}
            assert reminders[english] == reminders[vietnamese] and reminders[english], name
        if ListName(name) in PARTICIPANT_LISTS:
            d03 = {client: CalamineWorkbook.from_filelike(io.BytesIO(client.get(
                f"/worklists/{name}/export?{query}&format=participants").content)).get_sheet_by_index(0).to_python()
                for client in (english, vietnamese)}
            assert d03[english] == d03[vietnamese], name
    birth = re.compile(r"Sinh ngày ([\d/]+): thuộc diện Trẻ em dưới 6 tuổi \(TE\); mã được cấp: TE \((.*)\)")
    births = [(found, english) for found, english in ((birth.fullmatch(reason), english)
                                                      for reason, english in english_of.items()) if found]
    held = {"chưa có thẻ": "no card yet", "đã có thẻ TE": "holds a TE card"}
    assert births and {found.group(2) for found, _ in births} <= set(held)
    assert [english for _, english in births] == [
        f"Born on {found.group(1)}: entitled as Children under 6 (TE); code to issue: TE ({held[found.group(2)]})"
        for found, _ in births]
    assert english_of["Thuộc diện Trẻ em dưới 6 tuổi nhưng chưa có thẻ: lập danh sách cấp thẻ TE"] == (
        "Entitled as Children under 6 but without a card: put on the list for a TE card")


def test_a_reason_of_several_events_reads_in_english():
    """Events joined, the entitlements named from entitlements.csv, the card held: each part in the reader's
    language, the Vietnamese the CLI prints; a copy of the reason translates the same."""
    rules = {rule.rule: rule for rule in entitlements_on(date(2026, 5, 20))}
    assert all(rule.label_vi and rule.label_en for rule in rules.values())
    person = ListedPerson(1, "001", "Lê Văn A", date(2020, 5, 20), 1, "HO1", "Lê Văn B", "H1", "Thôn 1")
    row = NewlyEligibleRow(person, (
        EntitlementEvent(date(2026, 5, 20), False, rules["tre_em_duoi_6"], "age"),
        EntitlementEvent(date(2026, 5, 20), True, rules["hoc_sinh_theo_tuoi"], "age"),
        EntitlementEvent(date(2026, 1, 1), True, rules["ho_ngheo"], "household")), "HN", "TE")
    expected = {
        "vi": "Tròn 6 tuổi ngày 20/05/2026: hết diện TE; Tròn 6 tuổi ngày 20/05/2026: thuộc diện Học sinh (theo tuổi "
              "đi học, lớp 1–12) (HS); Hộ được xếp loại năm 2026 (từ 01/01/2026): thuộc diện Người thuộc hộ nghèo "
              "(HN); mã được cấp: HN (đã có thẻ TE)",
        "en": "Turned 6 on 20/05/2026: no longer entitled to TE; Turned 6 on 20/05/2026: entitled as Pupils (by school "
              "age, grades 1–12) (HS); Household classified for 2026 (from 01/01/2026): entitled as Members of poor "
              "households (HN); code to issue: HN (holds a TE card)",
    }
    assert row.reason == expected["vi"]
    for language, reason in expected.items():
        with reading(language):
            assert translated(row.reason) == translated(copy.deepcopy(row.reason)) == reason


def test_the_reasons_of_every_list_read_in_english():
    """Each kind of reason the uninsured, expiring, lapsed, báo giảm and duplicates lists give: English in
    English, down to the household class and the entitlement inside, the Vietnamese the CLI prints and the
    files write; the commune's own name of a visit reason, and a destination's name, are shown as written."""
    rules = {rule.rule: rule for rule in entitlements_on(date(2026, 11, 20))}
    person = ListedPerson(1, "001", "Lê Văn A", date(1980, 5, 20), 1, "HO1", "Lê Văn A", "H1", "Thôn 1")
    quote = Quote(Decimal(1366200), Decimal(0), Decimal(0), Decimal(1366200))
    rows = [
        UninsuredRow(person, "can_ngheo", date(2025, 12, 31), "GD", "CN", (rules["ho_can_ngheo"].label,), None, quote,
                     Decimal(0), visit_reason="Không đủ tiền đóng", visit_reason_on=date(2026, 10, 1)),
        UninsuredRow(person, "khac", None, None, "GD", (), 2, quote, Decimal(0)),
        ExpiringRow(person, "GD", date(2026, 12, 5), 15),
        LapsedRow(person, "GD", date(2026, 8, 31), 30, date(2026, 11, 30), 30),
        DeceasedRow(person, date(2026, 8, 15), "GD", date(2026, 12, 31)),
        MovedOutRow(person, date(2026, 6, 30), "19000", "Phường Đồng Sơn", "GD", date(2026, 12, 31)),
        MovedOutRow(person, date(2026, 6, 30), None, None, "GD", date(2026, 12, 31)),
        DuplicateRow(person, CARDS, 1, ("4500000011", "4500000012"), ("GD", "GD"), date(2026, 7, 1),
                     date(2026, 12, 31)),
        DuplicateRow(person, CARDS, 2, ("4500000011", "4500000011"), ("HS", "GD"), date(2026, 7, 1),
                     date(2026, 12, 31)),
        DuplicateRow(person, PEOPLE, 3, same_household=True),
        DuplicateRow(person, PEOPLE, 4),
    ]
    expected = {
        "vi": ["Thẻ GD hết hạn 31/12/2025; Hộ cận nghèo; thuộc diện Người thuộc hộ cận nghèo: cấp thẻ CN; lý do chưa "
               "tham gia (lần thăm 01/10/2026): Không đủ tiền đóng",
               "Chưa từng có thẻ BHYT; Hộ khác; tham gia theo hộ gia đình (GD), thành viên thứ 2",
               "Thẻ GD hết hạn 05/12/2026 (còn 15 ngày), chưa có thẻ nối tiếp",
               "Thẻ GD hết hạn 31/08/2026 (30 ngày trước), chưa gia hạn; đóng đến hết 30/11/2026 thì thẻ có giá trị "
               "ngay, sau đó phải chờ 30 ngày",
               "Đã mất ngày 15/08/2026, thẻ GD còn hạn đến 31/12/2026: báo giảm",
               "Đã chuyển đi đến Phường Đồng Sơn ngày 30/06/2026, thẻ GD còn hạn đến 31/12/2026: báo giảm",
               "Đã chuyển đi ngày 30/06/2026, thẻ GD còn hạn đến 31/12/2026: báo giảm",
               "Hai thẻ (GD, GD) với hai mã số BHXH khác nhau cùng hiệu lực 01/07/2026–31/12/2026: báo giảm thẻ thừa",
               "Hai thẻ khác mã đối tượng (HS, GD) cùng hiệu lực 01/07/2026–31/12/2026: giữ mã ưu tiên, báo giảm thẻ "
               "kia",
               "Có thể trùng người (nhóm 3): cùng họ tên, cùng ngày sinh, cùng hộ, khác số định danh",
               "Có thể trùng người (nhóm 4): cùng họ tên, cùng ngày sinh, cùng xã, khác số định danh"],
        "en": ["GD card expired on 31/12/2025; Near-poor household; entitled as Members of near-poor households: issue "
               "a CN card; reason for not joining (visit of 01/10/2026): Không đủ tiền đóng",
               "Never had a health insurance card; Other household; join by household (GD), household member no. 2",
               "GD card expires on 05/12/2026 (15 days left), no card to follow it yet",
               "GD card expired on 31/08/2026 (30 days ago), not renewed; paid by 30/11/2026 the card is valid at "
               "once, after that it waits 30 days",
               "Died on 15/08/2026, GD card valid until 31/12/2026: report for removal",
               "Moved to Phường Đồng Sơn on 30/06/2026, GD card valid until 31/12/2026: report for removal",
               "Moved away on 30/06/2026, GD card valid until 31/12/2026: report for removal",
               "Two cards (GD, GD) under two different social insurance numbers, both valid 01/07/2026–31/12/2026: "
               "report the extra card for removal",
               "Two cards with different participant codes (HS, GD), both valid 01/07/2026–31/12/2026: keep the "
               "priority code, report the other card for removal",
               "Possibly the same person (group 3): same name, same date of birth, same household, different ID "
               "numbers",
               "Possibly the same person (group 4): same name, same date of birth, same commune, different ID "
               "numbers"],
    }
    assert [row.reason for row in rows] == expected["vi"]
    for language, reasons in expected.items():
        with reading(language):
            assert [translated(row.reason) for row in rows] == reasons
            assert [translated(copy.deepcopy(row.reason)) for row in rows] == reasons
