"""Browser tests: the app served by uvicorn on a free loopback port over a demo province, driven by
Playwright in Debian's chromium (never a browser Playwright downloads). Screenshots go to
test-artifacts/, which CI keeps."""

from __future__ import annotations

import shutil
import socket
import threading
import time
from pathlib import Path

import pytest
import uvicorn

from bhyt.web.app import create_app
from bhyt.web.demo_accounts import DEMO_PASSWORD
from tests.demo_registry import demo_registry

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path("test-artifacts")

pytestmark = pytest.mark.skipif(shutil.which(CHROMIUM) is None, reason="Debian's chromium is not installed (make test installs it)")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def browser_engine(tmp_path_factory: pytest.TempPathFactory, database_copies):
    engine = demo_registry(database_copies, f"sqlite:///{tmp_path_factory.mktemp('browser') / 'bhyt.db'}")
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def base_url(browser_engine) -> str:
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(browser_engine), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("the test server did not start in 30 s")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="session")
def browser():
    if shutil.which(CHROMIUM) is None:
        pytest.skip("Debian's chromium is not installed (make test installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, base_url, request: pytest.FixtureRequest):
    context = browser.new_context(base_url=base_url, locale="vi-VN", accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(20_000)
    yield page
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    context.close()


def sign_in(page, username: str, password: str = DEMO_PASSWORD) -> None:
    page.goto("/login")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(password)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_load_state()
