"""The cost of a password hash is a setting (BHYT_ARGON2_PROFILE), read when the first password is hashed
or checked: the tests set it to the cheapest profile after importing the accounts module."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from argon2 import extract_parameters, profiles
from sqlalchemy import select

from bhyt.config import argon2_parameters
from bhyt.store.models import User
from bhyt.web import accounts
from bhyt.web.accounts import AccountError, add_user, authenticate, password_hasher


@pytest.fixture
def choose_profile(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[str], None]]:
    def choose(name: str) -> None:
        monkeypatch.setenv("BHYT_ARGON2_PROFILE", name)
        password_hasher.cache_clear()

    yield choose
    password_hasher.cache_clear()


def _stored_hash(engine, username: str) -> str:
    with engine.connect() as connection:
        return connection.execute(select(User.password_hash).where(User.username == username)).scalar_one()


def test_the_default_is_rfc_9106_low_memory_and_an_unknown_profile_is_refused(monkeypatch) -> None:
    monkeypatch.delenv("BHYT_ARGON2_PROFILE")
    assert argon2_parameters() == profiles.RFC_9106_LOW_MEMORY
    monkeypatch.setenv("BHYT_ARGON2_PROFILE", "FAST")
    with pytest.raises(ValueError, match="BHYT_ARGON2_PROFILE='FAST' không hợp lệ; chọn một trong: "
                                         "RFC_9106_LOW_MEMORY, RFC_9106_HIGH_MEMORY, CHEAPEST."):
        argon2_parameters()


def test_passwords_are_hashed_at_the_profile_set_after_import(engine) -> None:
    add_user(engine, "lan", "mat-khau-dai", "admin")
    assert extract_parameters(_stored_hash(engine, "lan")) == profiles.CHEAPEST
    assert authenticate(engine, "lan", "mat-khau-dai").username == "lan"


def test_a_new_profile_rehashes_at_the_next_sign_in_and_for_unknown_names(engine, choose_profile) -> None:
    add_user(engine, "lan", "mat-khau-dai", "admin")
    choose_profile("RFC_9106_LOW_MEMORY")
    authenticate(engine, "lan", "mat-khau-dai")
    assert extract_parameters(_stored_hash(engine, "lan")) == profiles.RFC_9106_LOW_MEMORY
    with pytest.raises(AccountError, match="Sai tên đăng nhập hoặc mật khẩu."):
        authenticate(engine, "khong-co", "mat-khau-dai")
    # An unknown name is checked against a hash of the same cost as the real ones, so it takes as long.
    assert extract_parameters(accounts._dummy_hash(password_hasher())) == profiles.RFC_9106_LOW_MEMORY
