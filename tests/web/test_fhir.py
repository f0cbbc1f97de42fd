"""FHIR R4 Patient and Coverage: valid resources (checked with fhir.resources' R4B models, which R4's
Patient, Coverage and Bundle share), the registry's values, the caller's scope and the audit log."""

from __future__ import annotations

from datetime import date

from fastapi.testclient import TestClient
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.capabilitystatement import CapabilityStatement
from fhir.resources.R4B.coverage import Coverage
from fhir.resources.R4B.operationoutcome import OperationOutcome
from fhir.resources.R4B.patient import Patient
from sqlalchemy import select

from bhyt.domain.participants import PARTICIPANT_CODES
from bhyt.store.models import AuditEntry, CardPeriod, Person, Residence, Unit
from bhyt.web import fhir_mapping
from bhyt.web.accounts import issue_api_token
from bhyt.web.fhir_mapping import CardRecord, PersonRecord, Place
from tests.web.conftest import unit_of

FHIR_JSON = "application/fhir+json"


def resident_of(engine, commune: str, inside: bool = True) -> int:
    """A person living in `commune` now (or, with inside=False, one who never lived there), with cards."""
    lived_there = select(Residence.person_id).where(Residence.commune_code == commune)
    query = (select(Residence.person_id).join(CardPeriod, CardPeriod.person_id == Residence.person_id)
             .where(Residence.left_on.is_(None)).order_by(Residence.person_id).limit(1))
    query = query.where(Residence.commune_code == commune) if inside else query.where(
        Residence.person_id.not_in(lived_there))
    with engine.connect() as connection:
        return connection.execute(query).scalar()


def test_patient_carries_the_registry_values(client_for, web_engine):
    commune = unit_of(web_engine, "xa")
    person_id = resident_of(web_engine, commune)
    answer = client_for("xa").get(f"/fhir/Patient/{person_id}")
    assert answer.status_code == 200 and answer.headers["content-type"].startswith(FHIR_JSON)
    patient = Patient.model_validate(answer.json())
    with web_engine.connect() as connection:
        person = connection.execute(select(Person).where(Person.id == person_id)).one()
        residence = connection.execute(select(Residence).where(Residence.person_id == person_id,
                                                               Residence.left_on.is_(None))).one()
        names = dict(connection.execute(select(Unit.code, Unit.name).where(
            Unit.code.in_([commune, residence.hamlet_code, "44"]))).all())
    assert patient.id == str(person_id)
    assert [(i.system, i.value) for i in patient.identifier] == [(fhir_mapping.PERSONAL_ID_SYSTEM, person.personal_id)]
    assert patient.name[0].text == person.full_name
    assert [patient.name[0].family, *patient.name[0].given] == person.full_name.split()
    assert patient.gender == {1: "male", 2: "female"}[person.sex]
    assert patient.birthDate == person.birth_date
    assert patient.deceasedDateTime is None
    home = patient.address[-1]
    assert (home.line, home.city, home.state, home.country) == (
        [names[residence.hamlet_code]], names[commune], f"Tỉnh {names['44']}", "VN")
    assert home.text == f"{names[residence.hamlet_code]}, {names[commune]}, Tỉnh {names['44']}"


def test_a_person_who_died_has_the_date_of_death(app, web_engine):
    with web_engine.connect() as connection:
        person_id, died = connection.execute(select(Person.id, Person.death_date).where(
            Person.death_date.is_not(None)).order_by(Person.id).limit(1)).one()
    client = TestClient(app, headers={"Authorization": f"Bearer {issue_api_token(web_engine, 'tinh')}"})
    patient = Patient.model_validate(client.get(f"/fhir/Patient/{person_id}").json())
    assert patient.deceasedDateTime == died


def test_coverage_bundle_lists_every_card_period(client_for, web_engine):
    person_id = resident_of(web_engine, unit_of(web_engine, "xa"))
    client = client_for("xa")
    answer = client.get(f"/fhir/Coverage?patient={person_id}")
    assert answer.status_code == 200 and answer.headers["content-type"].startswith(FHIR_JSON)
    bundle = Bundle.model_validate(answer.json())
    with web_engine.connect() as connection:
        cards = connection.execute(select(CardPeriod).where(CardPeriod.person_id == person_id)
                                   .order_by(CardPeriod.valid_from)).all()
    assert bundle.type == "searchset" and bundle.total == len(cards) > 0
    for entry, card in zip(bundle.entry, cards, strict=True):
        coverage = entry.resource
        assert entry.fullUrl == f"http://testserver/fhir/Coverage/{card.id}" and entry.search.mode == "match"
        assert coverage.status == "active"
        assert (coverage.period.start, coverage.period.end) == (card.valid_from, card.valid_to)
        assert coverage.beneficiary.reference == f"Patient/{person_id}"
        assert [payor.display for payor in coverage.payor] == ["Bảo hiểm xã hội Việt Nam"]
        assert [(c.type.coding[0].code, c.value) for c in coverage.class_fhir] == [("plan", card.participant_code)]
        assert coverage.identifier[0].system == fhir_mapping.BHXH_NUMBER_SYSTEM
        assert coverage.identifier[0].value == card.bhxh_number
        assert coverage.subscriberId == card.card_code
    as_reference = client.get(f"/fhir/Coverage?patient=Patient/{person_id}").json()
    assert as_reference["entry"] == answer.json()["entry"]
    one = client.get(f"/fhir/Coverage/{cards[0].id}")
    assert Coverage.model_validate(one.json()) and one.json() == answer.json()["entry"][0]["resource"]


def test_every_fhir_read_is_audited(client_for, web_engine):
    person_id = resident_of(web_engine, unit_of(web_engine, "xa"))
    client = client_for("xa")
    client.get(f"/fhir/Patient/{person_id}")
    client.get(f"/fhir/Coverage?patient={person_id}")
    with web_engine.connect() as connection:
        subjects = connection.execute(select(AuditEntry.subject).where(
            AuditEntry.username == "xa", AuditEntry.action == "view_person")).scalars().all()
    assert f"Patient/{person_id}" in subjects and f"Coverage?patient={person_id}" in subjects


def test_a_person_outside_the_caller_unit_is_refused(client_for, web_engine):
    commune = unit_of(web_engine, "xa")
    stranger = resident_of(web_engine, commune, inside=False)
    xa = client_for("xa")
    assert xa.get(f"/fhir/Patient/{stranger}").status_code == 403
    assert xa.get(f"/fhir/Coverage?patient={stranger}").status_code == 403
    with web_engine.connect() as connection:
        refused = connection.execute(select(AuditEntry.subject).where(
            AuditEntry.username == "xa", AuditEntry.action == "refused")).scalars().all()
        viewed = connection.execute(select(AuditEntry.subject).where(
            AuditEntry.username == "xa", AuditEntry.action == "view_person")).scalars().all()
    assert f"/fhir/Patient/{stranger}" in refused and f"Patient/{stranger}" not in viewed
    # A hamlet head sees the people of the hamlet only, not the rest of the commune.
    thon_hamlet = unit_of(web_engine, "thon")
    with web_engine.connect() as connection:
        neighbour = connection.execute(select(Residence.person_id).where(
            Residence.commune_code == commune, Residence.hamlet_code != thon_hamlet).limit(1)).scalar()
        own = connection.execute(select(Residence.person_id).where(Residence.hamlet_code == thon_hamlet)
                                 .limit(1)).scalar()
    thon = client_for("thon")
    assert thon.get(f"/fhir/Patient/{neighbour}").status_code == 403
    assert Patient.model_validate(thon.get(f"/fhir/Patient/{own}").json()).id == str(own)


def test_errors_are_operation_outcomes(app, client_for):
    client = client_for("tinh")
    missing = client.get("/fhir/Patient/999999999")
    assert missing.status_code == 404 and missing.headers["content-type"].startswith(FHIR_JSON)
    assert OperationOutcome.model_validate(missing.json()).issue[0].code == "not-found"
    assert client.get("/fhir/Patient/abc").status_code == 404
    assert client.get("/fhir/Coverage/999999999").status_code == 404
    no_patient = client.get("/fhir/Coverage")
    assert no_patient.status_code == 400
    assert OperationOutcome.model_validate(no_patient.json()).issue[0].code == "required"
    nobody = Bundle.model_validate(client.get("/fhir/Coverage?patient=999999999").json())
    assert nobody.total == 0 and not nobody.entry


def _outcome(answer, status: int, code: str) -> OperationOutcome:
    assert answer.status_code == status and answer.headers["content-type"].startswith(FHIR_JSON), answer.text
    outcome = OperationOutcome.model_validate(answer.json())
    assert [(issue.severity, issue.code) for issue in outcome.issue] == [("error", code)]
    assert outcome.issue[0].diagnostics
    return outcome


def test_refusals_are_operation_outcomes(app, web_engine, client_for):
    """Not signed in, a revoked or unknown token, a role or a unit out of reach, a path or method the
    server does not have: every answer under /fhir is an OperationOutcome a FHIR client can read."""
    nobody = TestClient(app)
    outcome = _outcome(nobody.get("/fhir/Patient/1"), 401, "login")
    assert "Bearer" in outcome.issue[0].diagnostics
    forged = TestClient(app, headers={"Authorization": "Bearer not-a-token"})
    _outcome(forged.get("/fhir/Coverage?patient=1"), 401, "login")
    stranger = resident_of(web_engine, unit_of(web_engine, "xa"), inside=False)
    _outcome(client_for("xa").get(f"/fhir/Patient/{stranger}"), 403, "forbidden")
    _outcome(client_for("tinh").get("/fhir/Observation/1"), 404, "not-found")
    _outcome(client_for("tinh").delete("/fhir/Patient/1"), 405, "not-supported")
    # The rest of the API keeps its plain JSON errors, and a page its error page.
    assert nobody.get("/api/units").json()["detail"]
    assert "Không có trang hoặc tài nguyên này." in client_for("tinh").get("/no-such-page").text


def test_metadata_is_a_capability_statement_of_what_is_served(app):
    answer = TestClient(app).get("/fhir/metadata")
    assert answer.status_code == 200 and answer.headers["content-type"].startswith(FHIR_JSON)
    statement = CapabilityStatement.model_validate(answer.json())
    assert (statement.status, statement.kind, statement.fhirVersion) == ("active", "instance", "4.0.1")
    assert FHIR_JSON in statement.format and statement.implementation.url == "http://testserver/fhir"
    (rest,) = statement.rest
    assert rest.mode == "server"
    served = {resource.type: ({i.code for i in resource.interaction}, {p.name for p in resource.searchParam or []})
              for resource in rest.resource}
    assert served == {"Patient": ({"read"}, set()), "Coverage": ({"read", "search-type"}, {"patient"})}
    # Every interaction it names is a route of the app.
    paths = set(app.openapi()["paths"])
    assert {"/fhir/Patient/{patient_id}", "/fhir/Coverage", "/fhir/Coverage/{coverage_id}"} <= paths


def test_mapping_of_a_person_who_moved_and_a_card_without_code():
    person = PersonRecord(7, "001090000001", "Lê  Thị Hoa", 2, date(1990, 3, 4), None)
    places = [Place(None, "Xã A", None, None, date(2024, 5, 31)),
              Place("Thôn 2", "Xã B", "Tỉnh C", date(2024, 6, 1), None)]
    patient = Patient.model_validate(fhir_mapping.patient(person, places))
    assert (patient.name[0].text, patient.name[0].family, patient.name[0].given) == ("Lê Thị Hoa", "Lê", ["Thị", "Hoa"])
    first, second = patient.address
    assert (first.text, first.line, first.period.start, first.period.end) == ("Xã A", None, None, date(2024, 5, 31))
    assert (second.text, second.period.start, second.period.end) == ("Thôn 2, Xã B, Tỉnh C", date(2024, 6, 1), None)
    card = CardRecord(3, 7, "0123456789", None, "GD", date(2026, 1, 1), date(2026, 12, 31))
    coverage = fhir_mapping.coverage(card)
    assert Coverage.model_validate(coverage).subscriberId is None and len(coverage["identifier"]) == 1
    assert (coverage["class"][0]["value"], coverage["class"][0]["name"]) == ("GD", PARTICIPANT_CODES["GD"].name_vi)
