"""`bhyt serve` and `bhyt users`: the web app and its accounts."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from bhyt.cli.app import app
from bhyt.cli.common import console, fail, progress
from bhyt.config import argon2_parameters
from bhyt.store.db import default_engine
from bhyt.store.migrate import upgrade
from bhyt.store.units import seed_admin_units

users_app = typer.Typer(help="Tài khoản của ứng dụng web và API.", no_args_is_help=True)
app.add_typer(users_app, name="users")


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Địa chỉ lắng nghe.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Cổng.")] = 8000,
    workers: Annotated[int, typer.Option(help="Số tiến trình phục vụ.")] = 1,
) -> None:
    """Chạy ứng dụng web (và API tại /api, tài liệu tại /api/docs)."""
    import uvicorn

    from bhyt.analytics.snapshot import fresh_snapshot

    _check_password_hashing()
    engine = default_engine()
    upgrade(engine)
    # Built before listening, so the first visitor does not wait for it.
    with progress() as bar:
        bar.add_task("Chuẩn bị bản sao phân tích của sổ đăng ký", total=None)
        fresh_snapshot(engine)
    console.print(f"Ứng dụng web: http://{host}:{port}  (dừng: Ctrl+C)")
    uvicorn.run("bhyt.web.main:app", host=host, port=port, workers=workers, log_level="warning")


@users_app.command("add")
def add(
    username: str,
    role: Annotated[str, typer.Option(help="admin | province_officer | commune_officer | hamlet_head | auditor")],
    unit: Annotated[Optional[str], typer.Option(help="Mã đơn vị của tài khoản (tỉnh, xã hoặc thôn theo vai trò).")] = None,
    password: Annotated[Optional[str], typer.Option(help="Mật khẩu (bỏ trống để nhập ẩn).")] = None,
    name: Annotated[Optional[str], typer.Option(help="Họ tên hiển thị.")] = None,
) -> None:
    """Tạo một tài khoản."""
    from bhyt.web.accounts import ROLE_NAMES, AccountError, add_user

    _check_password_hashing()
    if password is None:
        password = typer.prompt("Mật khẩu", hide_input=True, confirmation_prompt=True)
    engine = default_engine()
    upgrade(engine)
    seed_admin_units(engine)
    try:
        account = add_user(engine, username, password, role, unit, name)
    except AccountError as error:
        raise fail(str(error)) from None
    where = f", đơn vị {account.unit_code}" if account.unit_code else ""
    console.print(f"Đã tạo tài khoản {account.username} ({ROLE_NAMES[account.role]}{where}).")


@users_app.command("token")
def token(username: str) -> None:
    """In một mã truy cập API mới (Authorization: Bearer …) cho tài khoản; chỉ hiện một lần."""
    from bhyt.web.accounts import AccountError, issue_api_token

    engine = default_engine()
    upgrade(engine)
    try:
        print(issue_api_token(engine, username))
    except AccountError as error:
        raise fail(str(error)) from None


def _check_password_hashing() -> None:
    """Refuse a bad BHYT_ARGON2_PROFILE up front: found at the first sign-in or after the password
    prompt, it would surface as a traceback."""
    try:
        argon2_parameters()
    except ValueError as error:
        raise fail(str(error)) from None
