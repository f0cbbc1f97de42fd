"""The JSON API gives the CLI's numbers: each endpoint against `bhyt … --format json` on the same
database (or the analytics function the CLI calls), scoped to the caller's unit, documented in OpenAPI."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from bhyt.analytics.coverage import coverage, coverage_series
from bhyt.analytics.engine import analytics
from bhyt.analytics.forecast import forecast
from bhyt.analytics.renewals import WITHIN_DAYS
from bhyt.analytics.targets import cascade_targets, set_target
from bhyt.store.models import Unit
from bhyt.web.accounts import issue_api_token
from tests.web.conftest import cli_json, unit_of

AS_OF = date(2026, 11, 22)


@pytest.fixture(scope="module")
def targets_set(web_engine):
    """A province target cascaded to the communes, so targets, still-to-enrol and status have values."""
    set_target(web_engine, "44", 2026, rate=Decimal("95"))
    with analytics(web_engine) as con:
        cascade_targets(web_engine, con, "44", 2026, AS_OF)


def bearer(app, engine, username: str) -> TestClient:
    return TestClient(app, headers={"Authorization": f"Bearer {issue_api_token(engine, username)}"})


def test_units_lists_the_children_of_a_unit_inside_the_caller_scope(app, web_engine, client_for):
    commune = unit_of(web_engine, "xa")
    with web_engine.connect() as connection:
        communes = connection.execute(select(Unit.code, Unit.name).where(Unit.parent_code == "44")
                                      .order_by(Unit.code)).all()
        hamlets = connection.execute(select(Unit.code).where(Unit.parent_code == commune)
                                     .order_by(Unit.code)).scalars().all()
    province = bearer(app, web_engine, "tinh").get("/api/units?parent=44").json()
    assert [(item["code"], item["name"]) for item in province] == [tuple(row) for row in communes]
    assert {item["level"] for item in province} == {"commune"} and {item["parent_code"] for item in province} == {"44"}
    xa = client_for("xa")
    own = xa.get("/api/units").json()  # no parent: the caller's own unit
    assert [item["code"] for item in own] == hamlets and len(hamlets) > 0
    assert xa.get("/api/units?parent=44").status_code == 403
    thon = client_for("thon")
    assert thon.get(f"/api/units?parent={unit_of(web_engine, 'thon')}").json() == []
    assert thon.get(f"/api/units?parent={commune}").status_code == 403
    assert xa.get("/api/units?parent=nowhere").status_code == 404


def test_targets_are_the_rows_of_targets_show(app, web_engine, targets_set, monkeypatch):
    answer = bearer(app, web_engine, "tinh").get(f"/api/targets?year=2026&level=commune&unit=44&as_of={AS_OF}")
    assert answer.status_code == 200
    expected = cli_json(web_engine, monkeypatch, "targets", "show", "--year", "2026", "--level", "commune",
                        "--unit", "44", "--as-of", AS_OF.isoformat())
    assert answer.json() == expected
    # The cascade gave every commune a target, so the figures are real, not empty.
    assert all(row["target_pct"] is not None and row["status"] in {"met", "near", "behind"} for row in expected)
    assert sum(row["still_to_enrol"] for row in expected) > 0


def test_targets_default_to_the_caller_unit_and_refuse_others(web_engine, targets_set, client_for, monkeypatch):
    commune = unit_of(web_engine, "xa")
    xa = client_for("xa")
    answer = xa.get(f"/api/targets?year=2026&level=hamlet&as_of={AS_OF}")
    assert answer.json() == cli_json(web_engine, monkeypatch, "targets", "show", "--year", "2026", "--level",
                                     "hamlet", "--unit", commune, "--as-of", AS_OF.isoformat())
    assert xa.get("/api/targets?year=2026&unit=44").status_code == 403
    # A level above the unit is a question the analytics refuse: 422 with their message.
    refused = xa.get("/api/targets?year=2026&level=province")
    assert refused.status_code == 422 and refused.json()["detail"]


def test_risk_is_the_rows_of_bhyt_risk(app, web_engine, targets_set, monkeypatch):
    client = bearer(app, web_engine, "tinh")
    every = client.get(f"/api/risk?as_of={AS_OF}&level=commune&unit=44&all=true").json()
    expected = cli_json(web_engine, monkeypatch, "risk", "--as-of", AS_OF.isoformat(), "--level", "commune",
                        "--unit", "44", "--all")
    flattened = []
    for item in every:
        row = {key: item[key] for key in ("unit_code", "unit_name", "population", "insured", "coverage_pct",
                                          "month_ago_pct", "month_change", "year_ago_pct", "year_change")}
        assert [window["days"] for window in item["expiring"]] == list(WITHIN_DAYS)
        for window in item["expiring"]:
            row[f"expiring_{window['days']}"] = window["people"]
            row[f"expiring_{window['days']}_pct"] = window["pct"]
        row |= {"projected_year_end_pct": item["projected_year_end_pct"], "target_pct": item["target_pct"],
                "reasons": "; ".join(item["reasons"])}
        flattened.append(row)
    assert flattened == expected
    flagged = client.get(f"/api/risk?as_of={AS_OF}&level=commune&unit=44").json()
    assert flagged == [item for item in every if item["reasons"]] and 0 < len(flagged) <= len(every)


def test_risk_thresholds_and_scope(web_engine, client_for):
    xa = client_for("xa")
    strict = xa.get(f"/api/risk?as_of={AS_OF}&level=hamlet&all=true&min_fall=100&expiring_share=100").json()
    # Nothing can fall more than 100 points, nor can more than 100 % of cards run out: only the
    # year-end projection below target can still flag a hamlet.
    assert all(item["reasons"] in ([], ["Dự báo cuối năm dưới chỉ tiêu"]) for item in strict)
    assert {item["unit_code"] for item in strict} == {
        row.unit_code for row in _hamlets(web_engine, unit_of(web_engine, "xa"))}
    assert xa.get(f"/api/risk?as_of={AS_OF}&unit=44").status_code == 403
    assert xa.get(f"/api/risk?as_of={AS_OF}&min_fall=101").status_code == 422


def _hamlets(engine, commune: str):
    with analytics(engine) as con:
        return coverage(con, AS_OF, "hamlet", commune)


def test_forecast_is_bhyt_forecast(app, web_engine, monkeypatch):
    answer = bearer(app, web_engine, "tinh").get(f"/api/forecast?unit=44&year=2026&as_of={AS_OF}").json()
    expected = cli_json(web_engine, monkeypatch, "forecast", "--unit", "44", "--year", "2026",
                        "--as-of", AS_OF.isoformat())
    assert answer["as_of"] == expected["as_of"] and (answer["year"], answer["horizon_year"]) == (2026, 2030)
    flattened = [
        {key: unit[key] for key in ("unit_code", "unit_name", "population", "insured", "coverage_pct")}
        | {f"{name}_{end['year']}": end[name] for end in unit["year_end"] for name in ("insured", "coverage_pct")}
        for unit in answer["units"]
    ]
    assert flattened == expected["units"]
    with analytics(web_engine) as con:
        lines = forecast(con, "44", 2026, AS_OF).unit.projection.assumptions.lines()
    assert answer["assumptions"] == lines and len(lines) > 3


def test_forecast_defaults_to_the_caller_unit(web_engine, client_for):
    commune = unit_of(web_engine, "xa")
    xa = client_for("xa")
    answer = xa.get(f"/api/forecast?year=2027&as_of={AS_OF}").json()
    with analytics(web_engine) as con:
        result = forecast(con, commune, 2027, AS_OF)
    own = answer["units"][0]
    end = result.unit.projection.year_end(2027)
    assert (own["unit_code"], own["insured"], own["year_end"][0]) == (
        commune, result.unit.now.insured_count,
        {"year": 2027, "insured": end.insured_count, "coverage_pct": f"{end.coverage_pct:.2f}"})
    assert [unit["unit_code"] for unit in answer["units"][1:]] == [child.unit_code for child in result.children]
    past = xa.get(f"/api/forecast?year=2025&as_of={AS_OF}")
    assert past.status_code == 422 and "đã qua" in past.json()["detail"]
    assert xa.get("/api/forecast?year=2026&unit=44").status_code == 403


def test_coverage_series_matches_the_engine(app, web_engine, client_for):
    start, end = date(2026, 1, 15), date(2026, 4, 10)
    answer = bearer(app, web_engine, "tinh").get(f"/api/coverage/series?from={start}&to={end}&level=commune&unit=44")
    with analytics(web_engine) as con:
        expected = coverage_series(con, start, end, "commune", "44")
    assert [(item["date"], item["unit_code"], item["population"], item["insured"], item["coverage_pct"])
            for item in answer.json()] == [
        (day.isoformat(), row.unit_code, row.population, row.insured,
         None if row.coverage_pct is None else f"{row.coverage_pct:.2f}") for day, row in expected]
    assert sorted({item["date"] for item in answer.json()}) == ["2026-01-31", "2026-02-28", "2026-03-31", "2026-04-10"]
    thon = client_for("thon")
    own = thon.get(f"/api/coverage/series?from={start}&to={end}&level=hamlet").json()
    assert {item["unit_code"] for item in own} == {unit_of(web_engine, "thon")} and len(own) == 4
    assert thon.get(f"/api/coverage/series?from={start}&to={end}&unit=44").status_code == 403
    backwards = thon.get(f"/api/coverage/series?from={end}&to={start}&level=hamlet")
    assert backwards.status_code == 422 and "trước ngày bắt đầu" in backwards.json()["detail"]


def test_every_endpoint_needs_a_caller(app):
    anonymous = TestClient(app)
    for path in ("/api/units?parent=44", "/api/targets?year=2026", f"/api/risk?as_of={AS_OF}",
                 "/api/forecast?year=2026", f"/api/coverage/series?from={AS_OF}&to={AS_OF}"):
        assert anonymous.get(path).status_code == 401, path


def test_openapi_documents_every_endpoint_with_its_model(app):
    schema = TestClient(app).get("/api/openapi.json").json()
    expected = {"/api/units": "UnitItem", "/api/targets": "TargetItem", "/api/risk": "RiskItem",
                "/api/coverage/series": "DatedCoverageItem", "/api/forecast": "ForecastAnswer"}
    for path, model in expected.items():
        content = schema["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
        assert model in json.dumps(content), path
    assert {"from", "to", "level", "unit"} <= {
        parameter["name"] for parameter in schema["paths"]["/api/coverage/series"]["get"]["parameters"]}
    assert "still_to_enrol" in schema["components"]["schemas"]["TargetItem"]["properties"]
