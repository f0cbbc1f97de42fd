"""The JSON API for machine clients (bearer token) and the pages' own scripts (session), every
endpoint scoped to the caller's unit. Figures come from the same analytics functions as the CLI, with
the CLI's defaults, so `GET /api/targets?year=2026` answers what `bhyt targets show --year 2026` prints."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import date
from decimal import Decimal
from typing import Iterator, Literal

import duckdb
from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, TypeAdapter
from sqlalchemy import select

from bhyt.analytics.coverage import CoverageRow, coverage, coverage_series
from bhyt.analytics.forecast import UnitForecast, forecast
from bhyt.analytics.renewals import GRACE_DAYS, MIN_OBSERVED
from bhyt.analytics.risk import EXPIRING_SHARE, MIN_FALL, RiskRow
from bhyt.analytics.targets import default_as_of, target_progress
from bhyt.store.models import Unit
from bhyt.web.accounts import Account
from bhyt.web.answers import risk_rows
from bhyt.web.auth import api_account
from bhyt.web.i18n import error_text, translated
from bhyt.web.scope import check_unit, home_unit

router = APIRouter(prefix="/api", tags=["api"])

LevelName = Literal["province", "commune", "hamlet"]
Breakdown = Literal["code", "group", "age", "sex"]
Source = Literal["registry", "official"]


class CoverageItem(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    unit_code: str
    unit_name: str
    population: int | None
    insured: int
    coverage_pct: Decimal | None
    key: str | None = None
    population_source: str | None = None
    population_year: int | None = None
    insured_source: str


_COVERAGE_LIST = TypeAdapter(list[CoverageItem])


class DatedCoverageItem(CoverageItem):
    date: date


class UnitItem(BaseModel):
    code: str
    name: str
    level: LevelName
    parent_code: str | None


class TargetItem(BaseModel):
    """One row of `bhyt targets show --format json`."""

    model_config = ConfigDict(from_attributes=True)

    unit_code: str
    unit_name: str
    population: int | None
    insured: int
    coverage_pct: Decimal | None
    target_pct: Decimal | None
    target_count: int | None
    still_to_enrol: int | None
    status: Literal["met", "near", "behind"] | None
    rank: int | None
    population_source: str | None
    population_year: int | None
    insured_source: str


class Expiring(BaseModel):
    days: int
    people: int
    pct: Decimal | None


class RiskItem(BaseModel):
    """One row of `bhyt risk --format json`, the cards running out grouped by window."""

    unit_code: str
    unit_name: str
    population: int
    insured: int
    coverage_pct: Decimal | None
    month_ago_pct: Decimal | None
    month_change: Decimal | None
    year_ago_pct: Decimal | None
    year_change: Decimal | None
    expiring: list[Expiring]
    projected_year_end_pct: Decimal | None
    target_pct: Decimal | None
    reasons: list[str]


class YearEnd(BaseModel):
    year: int
    insured: int
    coverage_pct: Decimal | None


class ForecastUnit(BaseModel):
    unit_code: str
    unit_name: str
    population: int
    insured: int
    coverage_pct: Decimal | None
    year_end: list[YearEnd]


class ForecastAnswer(BaseModel):
    """What `bhyt forecast --format json` prints: the unit first, then its children, and the assumptions."""

    as_of: date
    year: int
    horizon_year: int
    units: list[ForecastUnit]
    assumptions: list[str]


def scope_unit(request: Request, account: Account, unit: str | None) -> str | None:
    """The unit to answer for: the one asked (if the caller may see it) or the caller's own."""
    unit = unit or account.unit_code
    if unit is not None:
        check_unit(request.app.state.engine, account, unit)
    return unit


@contextmanager
def answering(request: Request) -> Iterator[duckdb.DuckDBPyConnection]:
    """A cursor on the server's shared analytics database; a question the analytics refuse (a level
    below the unit, a year already past…) is the caller's mistake: 422 with their message (one raised as a
    `Message`, in English for a browser that chose English)."""
    with request.app.state.analytics.connection() as con:
        try:
            yield con
        except ValueError as error:  # UnknownUnit, TargetError too
            raise HTTPException(422, error_text(error)) from None


@router.get("/coverage", response_model=list[CoverageItem], summary="Độ bao phủ theo đơn vị tại một ngày")
def api_coverage(
    request: Request,
    as_of: date,
    level: LevelName,
    unit: str | None = None,
    by: Breakdown | None = None,
    source: Source = "registry",
    account: Account = Depends(api_account),
):
    """Each unit of `level` inside `unit` (default: the caller's unit): population, insured people and
    coverage on `as_of`; the same numbers as `bhyt coverage`."""
    unit = scope_unit(request, account, unit)
    # Kept until the registry changes (official figures: until an import or target change too), as
    # machine clients and dashboards ask the same questions over and over; kept as the JSON answered.
    shared = request.app.state.analytics

    def answer() -> bytes:
        with shared.connection() as con:
            rows = coverage(con, as_of, level, unit, by=by, source=source)
        return _COVERAGE_LIST.dump_json([CoverageItem.model_validate(row) for row in rows])

    try:
        content = shared.kept(("coverage json", as_of, level, unit, by, source), answer, live=source != "registry")
    except ValueError as error:  # UnknownUnit too
        raise HTTPException(422, error_text(error)) from None
    return Response(content, media_type="application/json")


@router.get("/coverage/series", response_model=list[DatedCoverageItem],
            summary="Độ bao phủ theo tháng trong một khoảng thời gian")
def api_coverage_series(
    request: Request,
    start: date = Query(alias="from", description="Ngày bắt đầu (YYYY-MM-DD)."),
    end: date = Query(alias="to", description="Ngày kết thúc (YYYY-MM-DD)."),
    level: LevelName = "commune",
    unit: str | None = None,
    by: Breakdown | None = None,
    source: Source = "registry",
    account: Account = Depends(api_account),
):
    """Coverage at every month end from `from` to `to` and on `to` itself, as `bhyt coverage --series`."""
    unit = scope_unit(request, account, unit)
    with answering(request) as con:
        dated = coverage_series(con, start, end, level, unit, source, by)
    return [DatedCoverageItem(date=day, **_coverage_fields(row)) for day, row in dated]


def _coverage_fields(row: CoverageRow) -> dict:
    return CoverageItem.model_validate(row).model_dump()


@router.get("/units/{code}", response_model=list[UnitItem], summary="Một đơn vị và các cấp trên")
def api_unit(request: Request, code: str, account: Account = Depends(api_account)):
    """The unit and its ancestors, the province first."""
    return [UnitItem(code=unit.code, name=unit.name, level=unit.level, parent_code=unit.parent_code)
            for unit in check_unit(request.app.state.engine, account, code)]


@router.get("/units", response_model=list[UnitItem], summary="Các đơn vị trực thuộc một đơn vị")
def api_units(request: Request, parent: str | None = None, account: Account = Depends(api_account)):
    """The units directly under `parent` (default: the caller's unit), by code; for an account over the
    whole database without `parent`, the provinces."""
    engine = request.app.state.engine
    parent = scope_unit(request, account, parent)
    query = select(Unit.code, Unit.name, Unit.level, Unit.parent_code).order_by(Unit.code)
    query = query.where(Unit.level == "province") if parent is None else query.where(Unit.parent_code == parent)
    with engine.connect() as connection:
        return [UnitItem(code=code, name=name, level=level, parent_code=parent_code)
                for code, name, level, parent_code in connection.execute(query)]


@router.get("/targets", response_model=list[TargetItem], summary="Tiến độ so với chỉ tiêu")
def api_targets(
    request: Request,
    year: int,
    level: LevelName = "commune",
    unit: str | None = None,
    as_of: date | None = Query(None, description="Mặc định 31/12 của năm nếu đã qua, không thì hôm nay."),
    source: Source = "registry",
    group: str = Query("", description="Nhóm đối tượng (để trống: toàn dân)."),
    account: Account = Depends(api_account),
):
    """Every unit of `level` inside `unit` against its target for `year`: coverage, target, people still
    to enrol, status and rank; the same rows as `bhyt targets show --format json`."""
    unit = scope_unit(request, account, unit)
    with answering(request) as con:
        rows = target_progress(con, year, level, unit, as_of or default_as_of(year), source, group)
    return [TargetItem.model_validate(row) for row in rows]


@router.get("/risk", response_model=list[RiskItem], summary="Đơn vị có nguy cơ không đạt chỉ tiêu")
def api_risk(
    request: Request,
    as_of: date,
    level: Literal["commune", "hamlet"] = "commune",
    unit: str | None = None,
    every: bool = Query(False, alias="all", description="Cả đơn vị không có nguy cơ."),
    min_fall: Decimal = Query(MIN_FALL, ge=0, le=100, description="Giảm quá bấy nhiêu điểm phần trăm thì cảnh báo."),
    expiring_share: Decimal = Query(EXPIRING_SHARE, ge=0, le=100,
                                    description="Cảnh báo khi từ bấy nhiêu % người có thẻ hết hạn trong 30 ngày."),
    grace_days: int = Query(GRACE_DAYS, ge=0, description="Số ngày chờ gia hạn sau khi thẻ hết hạn."),
    account: Account = Depends(api_account),
):
    """The units of `level` inside `unit`, most at risk first, each with its reasons; only the flagged
    ones unless `all=true`. The same rows as `bhyt risk --format json`."""
    unit = scope_unit(request, account, unit)
    try:
        rows = risk_rows(request.app.state.analytics, as_of, level, unit, min_fall, expiring_share, grace_days)
    except ValueError as error:  # TargetError too
        raise HTTPException(422, error_text(error)) from None
    return [_risk_item(row) for row in rows if every or row.reasons]


def _risk_item(row: RiskRow) -> RiskItem:
    return RiskItem(
        unit_code=row.unit_code, unit_name=row.unit_name, population=row.population, insured=row.insured,
        coverage_pct=row.coverage_pct, month_ago_pct=row.month_ago_pct, month_change=row.month_change,
        year_ago_pct=row.year_ago_pct, year_change=row.year_change,
        expiring=[Expiring(days=days, people=people, pct=row.expiring_pct[days])
                  for days, people in row.expiring.items()],
        projected_year_end_pct=row.projected_pct, target_pct=row.target_pct,
        reasons=[translated(reason) for reason in row.reasons],
    )


@router.get("/forecast", response_model=ForecastAnswer, summary="Dự báo độ bao phủ đến cuối năm và năm 2030")
def api_forecast(
    request: Request,
    year: int,
    unit: str | None = Query(None, description="Mặc định: đơn vị của tài khoản."),
    as_of: date | None = Query(None, description="Ngày bắt đầu dự báo; mặc định hôm nay."),
    grace_days: int = Query(GRACE_DAYS, ge=0, description="Số ngày chờ gia hạn sau khi thẻ hết hạn."),
    min_observed: int = Query(MIN_OBSERVED, ge=0,
                              description="Dưới bấy nhiêu lượt quan sát ở đơn vị thì dùng tỷ lệ của cả tỉnh."),
    account: Account = Depends(api_account),
):
    """`unit` and its children projected to 31/12 of `year` and to 31/12/2030, with the assumptions;
    the same figures as `bhyt forecast --format json`."""
    unit = scope_unit(request, account, unit)
    as_of = as_of or date.today()
    with answering(request) as con:
        result = forecast(con, unit or home_unit(con, account), year, as_of, grace_days, min_observed)
    years = sorted({result.year, result.horizon_year})
    return ForecastAnswer(
        as_of=result.as_of, year=result.year, horizon_year=result.horizon_year,
        units=[_forecast_unit(item, years) for item in [result.unit, *result.children]],
        assumptions=[translated(line) for line in result.unit.projection.assumptions.lines()],
    )


def _forecast_unit(item: UnitForecast, years: list[int]) -> ForecastUnit:
    now = item.now
    ends = [(year, item.projection.year_end(year)) for year in years]
    return ForecastUnit(
        unit_code=item.unit_code, unit_name=item.unit_name, population=now.population, insured=now.insured_count,
        coverage_pct=now.coverage_pct,
        year_end=[YearEnd(year=year, insured=end.insured_count, coverage_pct=end.coverage_pct) for year, end in ends],
    )
