"""The supervisor console in real headless Chromium, against the app on a loopback port."""

from __future__ import annotations

import datetime as dt
import os
import shutil
from collections.abc import Iterator
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from sqlalchemy import select

from calls.models import Call
from core.clock import now
from queueing.desk import desk_for
from queueing.service import join_queue
from roster.editing import WEEKDAYS
from roster.models import Agent, OpeningHours, Shift
from tests.consoles.conftest import PASSWORD
from tests.live import LiveServer

LONDON = ZoneInfo("Europe/London")
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
sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is needed")
pytestmark = [
    pytest.mark.slow,
    # CI sets HELPLINE_REQUIRE_BROWSER=1 so a missing browser fails instead of skipping.
    pytest.mark.skipif(
        shutil.which(CHROMIUM) is None and os.environ.get("HELPLINE_REQUIRE_BROWSER") != "1",
        reason=f"Chromium not found at {CHROMIUM} (apt chromium)",
    ),
]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """One headless Chromium for the module."""
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


def _login(page: Any, username: str) -> None:
    page.goto("/console/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def _add_alice(app: Flask) -> int:
    """Alice works Monday mornings; Bob is rostered all day every day so the desk is staffed."""
    with app.extensions["helpline.sessionmaker"]() as db:
        agent = Agent(name="Alice Agent", client_identity="alice", languages=["en-GB"])
        agent.shifts.append(Shift(weekday=0, starts=dt.time(8), ends=dt.time(12), kind="work"))
        bob = Agent(name="Bob Agent", client_identity="bob", languages=["en-GB"])
        for day in range(7):
            bob.shifts.append(Shift(weekday=day, starts=dt.time(0), ends=dt.time(23, 59)))
        db.add_all([agent, bob])
        db.commit()
        return agent.id


def test_supervisor_edits_shift_and_hours_then_watches_the_wallboard(app: Flask, page: Any) -> None:
    """Log in, move a shift, change Monday's hours, and see a queued call appear live."""
    alice = _add_alice(app)
    _login(page, "sue")
    page.wait_for_url("**/console/wallboard")
    page.get_by_role("link", name="Roster").click()
    page.get_by_role("link", name="Alice Agent").click()
    row = page.locator("tr", has_text="Monday")
    row.get_by_label("Starts").fill("09:00")
    row.get_by_label("Ends").fill("17:00")
    row.get_by_role("button", name="Save").click()
    sync_api.expect(page.get_by_role("status")).to_have_text("Shift saved.")
    page.get_by_role("link", name="Opening hours").click()
    today = now().astimezone(LONDON).weekday()
    page.get_by_label(f"{WEEKDAYS[today]} opens").fill("00:00")
    page.get_by_label(f"{WEEKDAYS[today]} closes").fill("23:59")
    page.get_by_label(f"{WEEKDAYS[(today + 1) % 7]} closed").check()
    page.get_by_role("button", name="Save opening hours").click()
    sync_api.expect(page.get_by_role("status")).to_have_text("Opening hours saved.")
    with app.extensions["helpline.sessionmaker"]() as db:
        shift = db.scalars(select(Shift).where(Shift.agent_id == alice)).one()
        assert (shift.starts, shift.ends) == (dt.time(9), dt.time(17))
        assert db.get(OpeningHours, today).opens == dt.time(0)  # type: ignore[union-attr]
        assert db.get(OpeningHours, (today + 1) % 7).opens is None  # type: ignore[union-attr]

    page.get_by_role("link", name="Wallboard").click()
    waiting = page.locator('[data-field="waiting"]')
    sync_api.expect(waiting).to_have_text("0")
    page.evaluate("window.notReloaded = true")
    _queue_a_call(app)
    sync_api.expect(waiting).to_have_text("1")
    sync_api.expect(page.locator('[data-field="offered"]')).to_have_text("1")
    assert page.evaluate("window.notReloaded") is True
    assert page.console_errors == []


def _queue_a_call(app: Flask) -> None:
    """Queue a caller through the ACD's service, as the IVR does when they ask for a person."""
    with app.extensions["helpline.sessionmaker"]() as db:
        at = now()
        call = Call(call_sid="CA" + "9" * 32, started_at=at, wanted_agent_at=at)
        db.add(call)
        db.flush()
        assert join_queue(db, desk_for(app), call, at).queued
        db.commit()


def test_validation_messages_show_in_the_browser(app: Flask, page: Any) -> None:
    """An overlapping shift is refused with a message naming the clash."""
    _add_alice(app)
    _login(page, "sue")
    page.wait_for_url("**/console/wallboard")
    page.goto("/console/roster/")
    page.get_by_role("link", name="Alice Agent").click()
    form = page.locator("#add-shift")
    form.get_by_label("When").select_option("0")
    form.get_by_label("Starts").fill("11:00")
    form.get_by_label("Ends").fill("13:00")
    form.get_by_role("button", name="Add shift").click()
    sync_api.expect(page.get_by_role("alert")).to_contain_text(
        "This overlaps the shift Monday 08:00-12:00."
    )


def test_agent_is_refused_the_roster_in_the_browser(page: Any) -> None:
    """An agent who logs in sees 'Not allowed' on the roster and has no roster links."""
    _login(page, "alan")
    page.wait_for_url("**/console/")
    assert page.get_by_role("link", name="Roster").count() == 0
    response = page.goto("/console/roster/")
    assert response.status == 403
    sync_api.expect(page.get_by_role("heading", name="Not allowed")).to_be_visible()
