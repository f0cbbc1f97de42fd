"""`bhyt users add` and `bhyt users token`: accounts for the web app and API, refused with a reason; and
`bhyt serve`, refused before it listens when passwords could not be hashed."""

from __future__ import annotations

import uvicorn
from fastapi.testclient import TestClient
from sqlalchemy import select
from typer.testing import CliRunner

from bhyt.cli import app
from bhyt.store.models import ApiToken, User
from bhyt.web.accounts import authenticate
from bhyt.web.app import create_app

runner = CliRunner()


def test_add_a_commune_officer_with_a_prompted_password_and_get_a_token(engine):
    added = runner.invoke(app, ["users", "add", "lan", "--role", "commune_officer", "--unit", "18880",
                                "--name", "Nguyễn Thị Lan"], input="mat-khau-dai\nmat-khau-dai\n")
    assert added.exit_code == 0, added.output
    assert "Đã tạo tài khoản lan (Cán bộ xã, đơn vị 18880)." in added.output
    with engine.connect() as connection:
        stored = connection.execute(select(User).where(User.username == "lan")).one()
    assert stored.password_hash.startswith("$argon2id$") and "mat-khau-dai" not in stored.password_hash
    assert authenticate(engine, "lan", "mat-khau-dai").unit_code == "18880"

    issued = runner.invoke(app, ["users", "token", "lan"])
    assert issued.exit_code == 0
    token = issued.stdout.strip()
    with engine.connect() as connection:
        hashes = connection.execute(select(ApiToken.token_hash)).scalars().all()
    assert len(hashes) == 1 and token not in hashes
    answer = TestClient(create_app(engine), headers={"Authorization": f"Bearer {token}"}).get(
        "/api/units/18880")
    assert [unit["code"] for unit in answer.json()] == ["44", "18880"]


def test_refusals_say_why(engine):
    cases = [
        (["users", "add", "a", "--role", "chief", "--password", "mat-khau-dai"], "Vai trò 'chief' không có"),
        (["users", "add", "a", "--role", "commune_officer", "--password", "mat-khau-dai"], "cần --unit"),
        (["users", "add", "a", "--role", "commune_officer", "--unit", "44", "--password", "mat-khau-dai"],
         "phải gắn với một đơn vị cấp xã"),
        (["users", "add", "a", "--role", "province_officer", "--unit", "99", "--password", "mat-khau-dai"],
         "Không có đơn vị mã '99'"),
        (["users", "add", "a", "--role", "admin", "--password", "ngan"], "ít nhất 8 ký tự"),
        (["users", "token", "khong-co"], "Không có tài khoản 'khong-co'"),
    ]
    for args, reason in cases:
        result = runner.invoke(app, args)
        assert result.exit_code == 2, args
        assert reason in result.stderr, (args, result.stderr)
    runner.invoke(app, ["users", "add", "a", "--role", "admin", "--password", "mat-khau-dai"])
    again = runner.invoke(app, ["users", "add", "a", "--role", "admin", "--password", "mat-khau-dai"])
    assert again.exit_code == 2 and "Tài khoản 'a' đã có." in again.stderr


def test_an_unknown_argon2_profile_is_refused_before_any_account_is_made_or_the_server_listens(engine,
                                                                                              monkeypatch):
    monkeypatch.setenv("BHYT_ARGON2_PROFILE", "FAST")
    listened = []
    monkeypatch.setattr(uvicorn, "run", lambda *args, **kwargs: listened.append(args))
    reason = ("BHYT_ARGON2_PROFILE='FAST' không hợp lệ; chọn một trong: RFC_9106_LOW_MEMORY, "
              "RFC_9106_HIGH_MEMORY, CHEAPEST.")

    added = runner.invoke(app, ["users", "add", "lan", "--role", "admin"], input="mat-khau-dai\nmat-khau-dai\n")
    served = runner.invoke(app, ["serve"])

    for result in (added, served):
        assert result.exit_code == 2, result.output  # a traceback would exit 1
        assert reason in result.stderr
    assert "Mật khẩu" not in added.output
    with engine.connect() as connection:
        assert connection.execute(select(User)).first() is None
    assert listened == []
