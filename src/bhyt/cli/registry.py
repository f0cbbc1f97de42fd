"""Commands that build and fill the system of record: init, demo, import, and the contribution quote."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Optional

import typer
from sqlalchemy import Engine, select

from bhyt.cli.app import app, import_app
from bhyt.cli.common import console, errors, fail, parse_date, progress
from bhyt.domain.contributions import base_salary, household_quotes
from bhyt.ingest.service import import_file
from bhyt.store.db import default_engine
from bhyt.store.migrate import upgrade
from bhyt.store.models import Person
from bhyt.store.units import seed_admin_units


@app.command()
def init() -> None:
    """Tạo hoặc nâng cấp cơ sở dữ liệu và nạp danh mục 34 tỉnh, 3.321 xã (2025)."""
    engine = default_engine()
    upgrade(engine)
    added = seed_admin_units(engine)
    console.print(f"Cơ sở dữ liệu sẵn sàng: {engine.url.render_as_string(hide_password=True)}")
    console.print(f"Đơn vị hành chính mới nạp: {added}")


demo_app = typer.Typer(help="Dữ liệu mô phỏng: tỉnh (bhyt demo) và hồ sơ XML 130 (bhyt demo claims).")
app.add_typer(demo_app, name="demo")


@demo_app.callback(invoke_without_command=True)
def demo(
    context: typer.Context,
    province: Annotated[str, typer.Option(help="Mã tỉnh (2 chữ số) làm nền cho tỉnh mô phỏng.")] = "44",
    persons: Annotated[Optional[int], typer.Option(help="Số người (mặc định: cỡ thật của tỉnh).")] = None,
    seed: Annotated[int, typer.Option(help="Hạt giống ngẫu nhiên: cùng hạt giống, cùng dữ liệu.")] = 20260701,
    if_absent: Annotated[bool, typer.Option("--if-absent", help="Không làm gì nếu đã có dữ liệu.")] = False,
) -> None:
    """Dựng một tỉnh mô phỏng (thôn, hộ, người, thẻ, dân số) để dùng thử."""
    if context.invoked_subcommand is not None:
        return
    from bhyt.demo.province import DemoRefused, build_demo

    engine = default_engine()
    upgrade(engine)
    seed_admin_units(engine)
    if if_absent and _has_persons(engine):
        console.print("Cơ sở dữ liệu đã có dữ liệu: giữ nguyên, không dựng lại tỉnh mô phỏng.")
        _demo_accounts(engine, province)
        _demo_lake(engine, province)
        return
    with progress() as bar:
        task = bar.add_task("Dựng tỉnh mô phỏng", total=1.0)

        def step(description: str, fraction: float) -> None:
            bar.update(task, description=description, completed=fraction)

        try:
            summary = build_demo(engine, province_code=province, persons=persons, seed=seed, progress=step)
        except DemoRefused as error:
            raise fail(str(error)) from None
    console.print(
        f"Tỉnh {summary.province_code}: {summary.communes} xã, {summary.hamlets} thôn, "
        f"{summary.households:,} hộ, {summary.persons:,} người, {summary.card_periods:,} kỳ thẻ "
        f"trong {summary.seconds:.1f} giây."
    )
    accounts = _demo_accounts(engine, province)
    _demo_targets(engine, province, next(account.unit_code for account in accounts if account.role == "commune_officer"))
    _demo_lake(engine, province)


@demo_app.command("claims")
def demo_claims(
    visits: Annotated[int, typer.Option(min=1, help="Số lượt khám (mỗi lượt một hồ sơ, một tệp XML).")],
    out: Annotated[Path, typer.Option(help="Thư mục ghi hồ sơ (mới hoặc trống).")] = Path("data/demo_claims"),
    seed: Annotated[int, typer.Option(help="Hạt giống ngẫu nhiên: cùng hạt giống, cùng hồ sơ.")] = 20260701,
    province: Annotated[str, typer.Option(help="Mã tỉnh của tỉnh mô phỏng.")] = "44",
) -> None:
    """Hồ sơ XML 130 mô phỏng cho người của tỉnh mô phỏng, kèm vi phạm có nhãn (labels.csv) và bảng giá."""
    from bhyt.demo.claims import ClaimsRefused, write_demo_claims
    from bhyt.demo.claims_episodes import RegistryTooSmall

    with progress() as bar:
        task = bar.add_task("Tạo hồ sơ XML 130", total=1.0)

        def step(description: str, fraction: float) -> None:
            bar.update(task, description=description, completed=fraction)

        try:
            summary = write_demo_claims(default_engine(), visits, out, seed=seed, province=province, progress=step)
        except (ClaimsRefused, RegistryTooSmall) as error:
            raise fail(str(error)) from None
    labelled = ", ".join(f"{rule} {count}" for rule, count in sorted(summary.labels.items()))
    console.print(
        f"Đã ghi {summary.claims:,} hồ sơ ({summary.lines:,} dòng thuốc, dịch vụ) vào {summary.folder} trong "
        f"{summary.seconds:.1f} giây ({summary.rate:,.0f} hồ sơ/giây). Nhãn vi phạm: {labelled}."
    )


def _demo_lake(engine: Engine, province: str) -> None:
    """Claims for the demo assessor, once: a lake that already holds claims is left as it is."""
    from bhyt.claims.lake import ClaimsLake
    from bhyt.config import claims_lake_dir
    from bhyt.demo.claims_lake import DEMO_VISITS, build_demo_lake, has_claims

    lake = ClaimsLake(claims_lake_dir())
    if has_claims(lake):
        return
    with progress() as bar:
        task = bar.add_task("Hồ sơ XML 130 mô phỏng", total=1.0)
        built = build_demo_lake(engine, lake, province, DEMO_VISITS,
                                lambda description, fraction: bar.update(task, description=description,
                                                                         completed=fraction))
    console.print(f"Kho hồ sơ mô phỏng {lake.root}: {built.claims:,} hồ sơ, {built.lines:,} dòng thuốc, dịch vụ, "
                  f"có {sum(built.labels.values()):,} vi phạm cài sẵn cho giám định; kèm bảng giá và cấp cơ sở KCB.")


def _demo_accounts(engine: Engine, province: str):
    from bhyt.web.demo_accounts import DEMO_PASSWORD, create_demo_accounts

    accounts = create_demo_accounts(engine, province)
    listed = ", ".join(f"{account.username} ({account.role})" for account in accounts)
    console.print(f"Tài khoản dùng thử (mật khẩu {DEMO_PASSWORD}): {listed}.")
    return accounts


# Quảng Trị's plan asks 96 % of its people insured in 2026: the demo province gets that target for this
# year, cascaded to its communes and, for the demo commune officer's commune, on to its hamlets.
DEMO_TARGET_PCT = Decimal("96")


def _demo_targets(engine: Engine, province: str, commune: str) -> None:
    from bhyt.analytics.engine import analytics
    from bhyt.analytics.targets import cascade_targets, default_as_of, set_target

    year = date.today().year
    set_target(engine, province, year, rate=DEMO_TARGET_PCT, set_by="demo")
    with analytics(engine) as con:
        cascade_targets(engine, con, province, year, default_as_of(year))
        cascade_targets(engine, con, commune, year, default_as_of(year))
    console.print(f"Chỉ tiêu dùng thử năm {year}: {DEMO_TARGET_PCT} % cho tỉnh {province}, đã phân bổ cho các xã "
                  f"và cho các thôn của xã {commune}.")


def _has_persons(engine: Engine) -> bool:
    with engine.connect() as connection:
        return connection.execute(select(Person.id).limit(1)).first() is not None


def _import(kind: str, file: Path) -> None:
    engine = default_engine()
    upgrade(engine)
    seed_admin_units(engine)
    with progress() as bar:
        task = bar.add_task(f"Nhập {file.name}", total=3)
        done = iter(range(3))

        def step(description: str) -> None:
            bar.update(task, description=description, completed=next(done))

        result = import_file(engine, kind, file, step)
    if not result.ok:
        errors.print(f"[red]Tệp {file.name} bị từ chối: {len(result.errors)} lỗi, không ghi dòng nào.[/red]")
        for error in result.errors[:20]:
            errors.print(f"  dòng {error.row}, cột {error.column}, giá trị '{error.value}': {error.reason}")
        if len(result.errors) > 20:
            errors.print(f"  … và {len(result.errors) - 20} lỗi khác.")
        errors.print(f"Báo cáo lỗi: {result.error_report}")
        raise typer.Exit(2)
    counts = result.counts
    console.print(
        f"Đã nhập {file.name}: {result.rows:,} dòng — thêm mới {counts.inserted:,}, "
        f"cập nhật {counts.updated:,}, không đổi {counts.unchanged:,}."
    )


@import_app.command("households")
def import_households(file: Path) -> None:
    """Danh sách hộ: ma_ho, chu_ho, ma_xa, thon, dia_chi, phan_loai_ho, nam_phan_loai."""
    _import("households", file)


@import_app.command("persons")
def import_persons(file: Path) -> None:
    """Danh sách nhân khẩu: so_dinh_danh, ho_ten, ngay_sinh, gioi_tinh, ma_ho, quan_he_chu_ho, ma_xa, thon, ngay_den, ngay_di, ngay_mat."""
    _import("persons", file)


@import_app.command("cards")
def import_cards(file: Path) -> None:
    """Danh sách thẻ: so_dinh_danh, ma_so_bhxh, ma_the, ma_doi_tuong, muc_huong, gt_the_tu, gt_the_den, ma_dkbd."""
    _import("cards", file)


@import_app.command("population")
def import_population(file: Path) -> None:
    """Số liệu dân số: ma_don_vi, nam, dan_so, nguon."""
    _import("population", file)


@import_app.command("aggregates")
def import_aggregates(file: Path) -> None:
    """Số liệu tổng hợp của BHXH: ma_don_vi, thang, ma_doi_tuong, so_nguoi_tham_gia. Tệp thay thế toàn bộ số liệu của mỗi cặp đơn vị–tháng có trong tệp."""
    _import("aggregates", file)


@app.command()
def contribution(
    on: Annotated[str, typer.Option("--date", help="Ngày đóng (YYYY-MM-DD).")],
    household_size: Annotated[int, typer.Option(min=1, max=100, help="Số thành viên cùng tham gia.")],
    group: Annotated[str, typer.Option(help="Mã đối tượng (GD: hộ gia đình; CN, HS, SV, GB: được hỗ trợ).")] = "GD",
    province: Annotated[Optional[str], typer.Option(help="Mã tỉnh, để tính phần tỉnh hỗ trợ thêm.")] = None,
) -> None:
    """Số tiền mỗi thành viên phải đóng cho 12 tháng (JSON)."""
    when = parse_date(on)
    try:
        quotes = household_quotes(when, household_size, participant_code=group, province_code=province)
    except ValueError as error:
        raise fail(str(error)) from None
    members = [int(quote.payable) for quote in quotes]
    print(json.dumps({"base_salary": int(base_salary(when)), "members": members, "total": sum(members)}))
