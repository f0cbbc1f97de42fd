"""Registry records as FHIR R4 resources: a person as Patient, each card period as Coverage, a person's
card periods as a searchset Bundle, an error as OperationOutcome, and what the server answers as its
CapabilityStatement. Pure functions from plain records to FHIR JSON (dicts), so the mapping is testable
without a server; the routes in `web.routes.fhir` load the records and check scope.

Identifier systems. Vietnam has published no FHIR NamingSystem for its personal ID or BHXH numbers yet,
so these URNs of this project name them; replace them by the national ones once those exist:
- PERSONAL_ID_SYSTEM: the 12-digit personal ID (số định danh cá nhân, on the citizen ID card);
- BHXH_NUMBER_SYSTEM: the 10-digit social insurance number (mã số BHXH), one per person for life;
- CARD_CODE_SYSTEM: the 15-character card code (mã thẻ BHYT), carried as Coverage.subscriberId too.
The participant code (mã đối tượng, QĐ 1351/QĐ-BHXH) is the value of Coverage.class "plan".

Choices that a reader of the output should know:
- Patient.id and Coverage.id are the registry's own row ids: the personal ID never appears in a URL.
- Coverage.status is "active" for every stored card period: FHIR's status says whether the record is
  in force (not withdrawn), not whether today lies in its period; Coverage.period says which days a
  card covers, both ends inclusive as on the card.
- A person's residences become addresses (use "home"), ended ones with period.end: the hamlet as the
  address line, the commune as city, the province as state, country VN.
- Vietnamese names are written family name first: the first word is HumanName.family, the rest given.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bhyt.domain.identifiers import SEX_FEMALE, SEX_MALE
from bhyt.domain.participants import PARTICIPANT_CODES

MEDIA_TYPE = "application/fhir+json"
PERSONAL_ID_SYSTEM = "urn:bhyt-toan-dan:sid:personal-id"
BHXH_NUMBER_SYSTEM = "urn:bhyt-toan-dan:sid:bhxh-number"
CARD_CODE_SYSTEM = "urn:bhyt-toan-dan:sid:card-code"
PAYOR = "Bảo hiểm xã hội Việt Nam"
# HL7 v2 table 0203, which FHIR R4 uses for Identifier.type.
_IDENTIFIER_TYPES = "http://terminology.hl7.org/CodeSystem/v2-0203"
_COVERAGE_CLASS = "http://terminology.hl7.org/CodeSystem/coverage-class"
_GENDERS = {SEX_MALE: "male", SEX_FEMALE: "female"}


@dataclass(frozen=True)
class PersonRecord:
    id: int
    personal_id: str
    full_name: str
    sex: int
    birth_date: date
    death_date: date | None


@dataclass(frozen=True)
class Place:
    """A residence with the names of its units, as an address is written."""

    hamlet: str | None
    commune: str
    province: str | None
    arrived_on: date | None
    left_on: date | None


@dataclass(frozen=True)
class CardRecord:
    id: int
    person_id: int
    bhxh_number: str
    card_code: str | None
    participant_code: str
    valid_from: date
    valid_to: date


def patient(person: PersonRecord, places: list[Place]) -> dict:
    resource = {
        "resourceType": "Patient",
        "id": str(person.id),
        "identifier": [{
            "use": "official",
            "type": {"coding": [{"system": _IDENTIFIER_TYPES, "code": "NI",
                                 "display": "National unique individual identifier"}],
                     "text": "Số định danh cá nhân"},
            "system": PERSONAL_ID_SYSTEM,
            "value": person.personal_id,
        }],
        "name": [_name(person.full_name)],
        "gender": _GENDERS.get(person.sex, "unknown"),
        "birthDate": person.birth_date.isoformat(),
    }
    if person.death_date is not None:
        resource["deceasedDateTime"] = person.death_date.isoformat()
    if places:
        resource["address"] = [_address(place) for place in places]
    return resource


def _name(full_name: str) -> dict:
    family, *given = full_name.split()
    name = {"use": "official", "text": " ".join(full_name.split()), "family": family}
    if given:
        name["given"] = given
    return name


def _address(place: Place) -> dict:
    parts = [part for part in (place.hamlet, place.commune, place.province) if part]
    address = {"use": "home", "type": "physical", "text": ", ".join(parts)}
    if place.hamlet:
        address["line"] = [place.hamlet]
    address["city"] = place.commune
    if place.province:
        address["state"] = place.province
    address["country"] = "VN"
    period = _period(place.arrived_on, place.left_on)
    if period:
        address["period"] = period
    return address


def coverage(card: CardRecord) -> dict:
    code = PARTICIPANT_CODES.get(card.participant_code)
    plan = {
        "type": {"coding": [{"system": _COVERAGE_CLASS, "code": "plan", "display": "Plan"}],
                 "text": "Mã đối tượng tham gia BHYT"},
        "value": card.participant_code,
    }
    if code is not None:
        plan["name"] = code.name_vi
    resource = {
        "resourceType": "Coverage",
        "id": str(card.id),
        "identifier": [{"use": "official", "system": BHXH_NUMBER_SYSTEM, "value": card.bhxh_number}],
        "status": "active",
        "beneficiary": {"reference": f"Patient/{card.person_id}"},
        "period": _period(card.valid_from, card.valid_to),
        "payor": [{"display": PAYOR}],
        "class": [plan],
    }
    if card.card_code:
        resource["identifier"].append({"use": "secondary", "system": CARD_CODE_SYSTEM, "value": card.card_code})
        resource["subscriberId"] = card.card_code
    return resource


def searchset(resources: list[dict], self_url: str, base_url: str) -> dict:
    """A searchset Bundle of `resources`, all of them matches; `base_url` ends with the FHIR base's '/'."""
    return {
        "resourceType": "Bundle",
        "type": "searchset",
        "total": len(resources),
        "link": [{"relation": "self", "url": self_url}],
        "entry": [{"fullUrl": f"{base_url}{resource['resourceType']}/{resource['id']}", "resource": resource,
                   "search": {"mode": "match"}} for resource in resources],
    }


def operation_outcome(code: str, message: str) -> dict:
    """An error as FHIR clients expect it; `code` from the issue-type value set (not-found, required…)."""
    return {"resourceType": "OperationOutcome",
            "issue": [{"severity": "error", "code": code, "diagnostics": message}]}


# The issue type of an HTTP error status (FHIR R4 issue-type value set); anything else is "exception".
ISSUE_TYPES = {400: "invalid", 401: "login", 403: "forbidden", 404: "not-found", 405: "not-supported",
               422: "invalid"}


def issue_type(status: int) -> str:
    return ISSUE_TYPES.get(status, "exception")


def capability_statement(base_url: str, software_version: str, published: date) -> dict:
    """What this server answers (FHIR R4 JSON): Patient read, Coverage read and search by patient, with
    a bearer token or the web session; `base_url` is the FHIR base, ending with '/'."""
    return {
        "resourceType": "CapabilityStatement",
        "status": "active",
        "date": published.isoformat(),
        "publisher": "BHYT Toàn Dân",
        "kind": "instance",
        "software": {"name": "BHYT Toàn Dân", "version": software_version},
        "implementation": {"description": "Sổ đăng ký BHYT: người (Patient) và kỳ thẻ (Coverage), chỉ đọc",
                           "url": base_url.rstrip("/")},
        "fhirVersion": "4.0.1",
        "format": [MEDIA_TYPE, "json"],
        "rest": [{
            "mode": "server",
            "security": {"description": "Mã truy cập (Authorization: Bearer …, lệnh bhyt users token) hoặc phiên "
                                        "đăng nhập web; mỗi người chỉ đọc được người trong đơn vị của mình."},
            "resource": [
                {"type": "Patient", "interaction": [{"code": "read"}]},
                {"type": "Coverage", "interaction": [{"code": "read"}, {"code": "search-type"}],
                 "searchParam": [{"name": "patient", "type": "reference",
                                  "documentation": "Mã người (Patient.id) hoặc Patient/{id}: mọi kỳ thẻ của người "
                                                   "đó."}]},
            ],
        }],
    }


def _period(start: date | None, end: date | None) -> dict:
    period = {}
    if start is not None:
        period["start"] = start.isoformat()
    if end is not None:
        period["end"] = end.isoformat()
    return period
