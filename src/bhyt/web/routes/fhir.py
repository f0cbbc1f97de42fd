"""FHIR R4 read endpoints: a person as Patient, their card periods as Coverage, and the server's
CapabilityStatement at /fhir/metadata. Each answer names a person, so it is scoped like the pages (the
person must live, or have lived, in the caller's unit) and written to the audit log as a view of one
person; every error under /fhir is an OperationOutcome (`fhir_error`, used by the app's error handlers
too). The mapping itself is in `web.fhir_mapping`."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse
from sqlalchemy import Engine, select

from bhyt.store.models import CardPeriod, Person, Residence, Unit
from bhyt.web import fhir_mapping
from bhyt.web.accounts import Account
from bhyt.web.audit import record
from bhyt.web.auth import api_account, permitted
from bhyt.web.fhir_mapping import CardRecord, PersonRecord, Place
from bhyt.web.scope import OutOfScope, lineage

router = APIRouter(prefix="/fhir", tags=["fhir"])


class FhirResponse(JSONResponse):
    media_type = fhir_mapping.MEDIA_TYPE


def fhir_error(status: int, message: str) -> FhirResponse:
    return FhirResponse(fhir_mapping.operation_outcome(fhir_mapping.issue_type(status), message), status_code=status)


@router.get("/metadata", response_class=FhirResponse, summary="FHIR R4 CapabilityStatement: máy chủ trả lời gì")
def metadata(request: Request):
    """Open without sign-in, as FHIR clients read it first: it names no person."""
    return FhirResponse(fhir_mapping.capability_statement(f"{request.base_url}fhir/", request.app.version,
                                                          date.today()))


def fhir_reader(account: Account = Depends(api_account)) -> Account:
    """Patient shows the personal ID in full: only a role that may reveal IDs reads FHIR."""
    return permitted("reveal_id", account)


@router.get("/Patient/{patient_id}", response_class=FhirResponse, summary="FHIR R4 Patient: một người")
def read_patient(request: Request, patient_id: str, account: Account = Depends(fhir_reader)):
    engine = request.app.state.engine
    found = _visible_person(engine, account, patient_id)
    if found is None:
        return _not_found(f"Không có người mã {patient_id} trong phạm vi của bạn.")
    person, places, unit_code = found
    _audit(request, account, unit_code, f"Patient/{person.id}")
    return FhirResponse(fhir_mapping.patient(person, places))


@router.get("/Coverage", response_class=FhirResponse, summary="FHIR R4 Coverage: các kỳ thẻ của một người")
def search_coverage(
    request: Request,
    patient: str | None = Query(None, description="Mã người (Patient.id), hoặc Patient/{id}."),
    account: Account = Depends(fhir_reader),
):
    """A searchset Bundle of the person's card periods, the earliest first."""
    if not patient:
        return FhirResponse(fhir_mapping.operation_outcome(
            "required", "Cần tham số patient (mã người hoặc Patient/{id})."), status_code=400)
    patient_id = patient.removeprefix("Patient/")
    engine = request.app.state.engine
    found = _visible_person(engine, account, patient_id)
    cards = []
    if found is not None:
        person, _, unit_code = found
        cards = _cards(engine, CardPeriod.person_id == person.id)
        _audit(request, account, unit_code, f"Coverage?patient={person.id}")
    base = f"{request.base_url}fhir/"
    return FhirResponse(fhir_mapping.searchset([fhir_mapping.coverage(card) for card in cards], str(request.url), base))


@router.get("/Coverage/{coverage_id}", response_class=FhirResponse, summary="FHIR R4 Coverage: một kỳ thẻ")
def read_coverage(request: Request, coverage_id: str, account: Account = Depends(fhir_reader)):
    engine = request.app.state.engine
    cards = _cards(engine, CardPeriod.id == int(coverage_id)) if coverage_id.isdigit() else []
    found = _visible_person(engine, account, str(cards[0].person_id)) if cards else None
    if found is None:
        return _not_found(f"Không có kỳ thẻ mã {coverage_id} trong phạm vi của bạn.")
    _audit(request, account, found[2], f"Coverage/{coverage_id}")
    return FhirResponse(fhir_mapping.coverage(cards[0]))


def _visible_person(engine: Engine, account: Account, patient_id: str) -> tuple[PersonRecord, list[Place], str | None] | None:
    """The person, their places and the unit they live in now, if the account may see them; None if
    there is no such person (or, for an account with a unit, the person has no residence at all);
    OutOfScope if they live outside the account's unit."""
    if not patient_id.isdigit():
        return None
    with engine.connect() as connection:
        row = connection.execute(select(
            Person.id, Person.personal_id, Person.full_name, Person.sex, Person.birth_date, Person.death_date,
        ).where(Person.id == int(patient_id))).first()
        if row is None:
            return None
        residences = connection.execute(
            select(Residence.commune_code, Residence.hamlet_code, Residence.arrived_on, Residence.left_on)
            .where(Residence.person_id == row.id)
        ).all()
        # Earliest first; a residence without an arrival date is the oldest known.
        residences.sort(key=lambda r: (r.arrived_on is not None, r.arrived_on, r.left_on is None))
        places = _places(connection, residences)
    units = [r.hamlet_code or r.commune_code for r in residences]
    staying = [unit for r, unit in zip(residences, units) if r.left_on is None]
    current = (staying or units or [None])[-1]
    if account.unit_code is not None:
        if not units:
            return None
        if not any(account.unit_code in {u.code for u in lineage(engine, unit)} for unit in units):
            raise OutOfScope(current)
    return PersonRecord(*row), places, current


def _places(connection, residences) -> list[Place]:
    codes = {code for r in residences for code in (r.commune_code, r.hamlet_code) if code}
    names = {code: (name, parent) for code, name, parent in connection.execute(
        select(Unit.code, Unit.name, Unit.parent_code).where(Unit.code.in_(codes)))}
    provinces = {code: (name, kind) for code, name, kind in connection.execute(
        select(Unit.code, Unit.name, Unit.kind).where(Unit.code.in_({parent for _, parent in names.values() if parent})))}
    places = []
    for r in residences:
        commune, province_code = names[r.commune_code]
        province = provinces.get(province_code)
        places.append(Place(
            hamlet=names[r.hamlet_code][0] if r.hamlet_code else None,
            commune=commune,
            province=_with_kind(*province) if province else None,
            arrived_on=r.arrived_on,
            left_on=r.left_on,
        ))
    return places


def _with_kind(name: str, kind: str) -> str:
    """Provinces are stored by bare name ("Quảng Trị"); an address writes "Tỉnh Quảng Trị"."""
    return name if name.lower().startswith(kind.lower()) else f"{kind.capitalize()} {name}"


def _cards(engine: Engine, condition) -> list[CardRecord]:
    with engine.connect() as connection:
        rows = connection.execute(select(
            CardPeriod.id, CardPeriod.person_id, CardPeriod.bhxh_number, CardPeriod.card_code,
            CardPeriod.participant_code, CardPeriod.valid_from, CardPeriod.valid_to,
        ).where(condition).order_by(CardPeriod.valid_from, CardPeriod.id)).all()
    return [CardRecord(*row) for row in rows]


def _audit(request: Request, account: Account, unit_code: str | None, subject: str) -> None:
    record(request.app.state.engine, account.username, "view_person", unit_code=unit_code, subject=subject,
           detail={"via": "FHIR"}, client=request.client.host if request.client else None)


def _not_found(message: str) -> FhirResponse:
    return fhir_error(404, message)
