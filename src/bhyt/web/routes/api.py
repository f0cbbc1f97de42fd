"""The JSON API for machine clients (bearer token) and the pages' own scripts (session), every
endpoint scoped to the caller's unit. Figures come from the same analytics functions as the CLI."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Literal

from fastapi import APIRouter, Depends, HTTPException, Request
from pydantic import BaseModel

from bhyt.analytics.coverage import UnknownUnit, coverage
from bhyt.analytics.engine import analytics
from bhyt.web.accounts import Account
from bhyt.web.auth import api_account
from bhyt.web.scope import check_unit

router = APIRouter(prefix="/api", tags=["api"])

LevelName = Literal["province", "commune", "hamlet"]


class CoverageItem(BaseModel):
    unit_code: str
    unit_name: str
    population: int | None
    insured: int
    coverage_pct: Decimal | None
    key: str | None = None
    population_source: str | None = None
    population_year: int | None = None
    insured_source: str


class UnitItem(BaseModel):
    code: str
    name: str
    level: LevelName
    parent_code: str | None


def scope_unit(request: Request, account: Account, unit: str | None) -> str:
    """The unit to answer for: the one asked (if the caller may see it) or the caller's own."""
    unit = unit or account.unit_code
    if unit is not None:
        check_unit(request.app.state.engine, account, unit)
    return unit


@router.get("/coverage", response_model=list[CoverageItem], summary="Độ bao phủ theo đơn vị tại một ngày")
def api_coverage(
    request: Request,
    as_of: date,
    level: LevelName,
    unit: str | None = None,
    by: Literal["code", "group", "age", "sex"] | None = None,
    source: Literal["registry", "official"] = "registry",
    account: Account = Depends(api_account),
):
    """Each unit of `level` inside `unit` (default: the caller's unit): population, insured people and
    coverage on `as_of`; the same numbers as `bhyt coverage`."""
    unit = scope_unit(request, account, unit)
    with analytics(request.app.state.engine) as con:
        try:
            rows = coverage(con, as_of, level, unit, by=by, source=source)
        except (UnknownUnit, ValueError) as error:
            raise HTTPException(422, str(error)) from None
    return [CoverageItem(unit_code=row.unit_code, unit_name=row.unit_name, population=row.population,
                         insured=row.insured, coverage_pct=row.coverage_pct, key=row.key,
                         population_source=row.population_source, population_year=row.population_year,
                         insured_source=row.insured_source) for row in rows]


@router.get("/units/{code}", response_model=list[UnitItem], summary="Một đơn vị và các cấp trên")
def api_unit(request: Request, code: str, account: Account = Depends(api_account)):
    """The unit and its ancestors, the province first."""
    return [UnitItem(code=unit.code, name=unit.name, level=unit.level, parent_code=unit.parent_code)
            for unit in check_unit(request.app.state.engine, account, code)]
