"""Console fixtures: users of each role, a logged-in test client, and a headless browser.

Browser tests mark themselves with `pytestmark = BROWSER` and use the `page` fixture.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from consoles.auth import create_user
from tests.live import LiveServer

PASSWORD = "correct horse battery"
CHROMIUM = os.environ.get("HELPLINE_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
BROWSER = [
    pytest.mark.slow,
    # CI sets HELPLINE_REQUIRE_BROWSER=1 so a missing browser fails instead of skipping.
    pytest.mark.skipif(
        shutil.which(CHROMIUM) is None and os.environ.get("HELPLINE_REQUIRE_BROWSER") != "1",
        reason=f"Chromium not found at {CHROMIUM} (apt chromium)",
    ),
]


@pytest.fixture
def config(config: dict[str, Any]) -> dict[str, Any]:
    """Console tests run over plain HTTP on loopback, so the cookie cannot be Secure-only."""
    return {**config, "SESSION_COOKIE_SECURE": False, "WALLBOARD_POLL_SECONDS": 0.3}


@pytest.fixture
def users(app: Flask) -> dict[str, int]:
    """One console user per role, all with PASSWORD; returns username -> id."""
    with app.extensions["helpline.sessionmaker"]() as session:
        made = {
            name: create_user(session, name, PASSWORD, role).id
            for name, role in (("sue", "supervisor"), ("alan", "agent"), ("ada", "admin"))
        }
        session.commit()
    return made


class Console:
    """A test client that logs in and posts forms with the session's CSRF token."""

    def __init__(self, client: FlaskClient) -> None:
        self.client = client

    def token(self) -> str:
        with self.client.session_transaction() as session:
            return str(session.get("csrf_token", ""))

    def login(self, username: str, password: str = PASSWORD) -> TestResponse:
        self.client.get("/console/login")
        return self.post("/console/login", {"username": username, "password": password})

    def post(self, path: str, data: dict[str, str]) -> TestResponse:
        return self.client.post(path, data={"csrf_token": self.token(), **data})

    def get(self, path: str) -> TestResponse:
        return self.client.get(path)


@pytest.fixture
def console(client: FlaskClient, users: dict[str, int]) -> Console:
    """A console client (not yet logged in), with the role users created."""
    return Console(client)


@pytest.fixture
def supervisor(console: Console) -> Console:
    """A console client logged in as the supervisor."""
    assert console.login("sue").status_code == 302
    return console


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """One headless Chromium per test module (playwright imported only when a test needs it)."""
    sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is needed")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any, live: LiveServer, users: dict[str, int]) -> Iterator[Any]:
    """A fresh browser tab that records any console errors (a CSP violation shows there)."""
    context = browser.new_context(base_url=live.url)
    tab = context.new_page()
    tab.set_default_timeout(10_000)
    tab.console_errors = []
    tab.on("console", lambda m: m.type == "error" and tab.console_errors.append(m.text))
    yield tab
    context.close()


def login(page: Any, username: str, password: str = PASSWORD) -> None:
    """Log in through the browser's login form."""
    page.goto("/console/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
