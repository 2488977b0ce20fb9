"""The supervisor console in real headless Chromium, against the app on a loopback port."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from sqlalchemy import select

from calls.models import Call
from core.clock import now
from devtools.demo import seed
from roster.editing import WEEKDAYS
from roster.models import Agent, OpeningHours, Shift
from tests.consoles.conftest import BROWSER, login

LONDON = ZoneInfo("Europe/London")
sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is needed")
pytestmark = BROWSER  # slow; skipped without Chromium unless CI requires it
CALLER = "+447700900123"
# English; hear my status; reference; date of birth; (status heard) speak to someone.
VERIFIED = ["1", "1", "1234567*24#", "01021980#", "3"]
FIGURES = ("waiting", "offered", "answered", "abandoned", "answer_rate", "short_abandons")
WAITS = ("average_wait", "longest_answered_wait", "longest_abandon_wait", "service_level_2")
DASH = "\u2013"


def _add_alice(app: Flask) -> int:
    """Alice works Monday mornings; Bob is rostered all day every day so the desk is staffed."""
    with app.extensions["helpline.sessionmaker"]() as db:
        agent = Agent(name="Alice Agent", client_identity="alice", languages=["en-GB"])
        agent.shifts.append(Shift(weekday=0, starts=dt.time(8), ends=dt.time(12), kind="work"))
        bob = Agent(name="Bob Agent", client_identity="bob", languages=["en-GB"])
        for day in range(7):
            bob.shifts.append(Shift(weekday=day, starts=dt.time(0), ends=dt.time(0)))
        db.add_all([agent, bob])
        db.commit()
        return agent.id


def test_supervisor_edits_shift_and_hours(app: Flask, page: Any) -> None:
    """Log in, move a shift, open today around the clock and close tomorrow."""
    alice = _add_alice(app)
    login(page, "sue")
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


def test_wallboard_follows_a_real_call_through_the_ivr(app: Flask, phone: Any, page: Any) -> None:
    """A verified caller asks for someone, waits, hangs up: the board counts it without reload.

    Today's waits and SL2 start as dashes and follow the abandon; the time is the desk's.
    """
    from emulator import Caller

    app.config.update(ACD_ANNOUNCE_SECONDS=0, ACD_HOLD_PAUSE_SECONDS=5)
    with app.extensions["helpline.sessionmaker"]() as db:
        seed(db)  # demo cases, desk open, agents on shift but none logged in: callers wait
        db.commit()
    login(page, "sue")
    page.wait_for_url("**/console/wallboard")
    field = {name: page.locator(f'[data-field="{name}"]') for name in (*FIGURES, *WAITS)}
    sync_api.expect(field["waiting"]).to_have_text("0")
    sync_api.expect(field["offered"]).to_have_text("0")
    for name in WAITS:
        sync_api.expect(field[name]).to_have_text(DASH)
    updated = page.locator('[data-field="generated_at"]')
    sync_api.expect(updated).to_have_text(re.compile(r"^\d\d:\d\d:\d\d (GMT|BST)$"))
    first_update = updated.text_content()
    page.evaluate("window.notReloaded = true")

    # About 5 real seconds in the queue at the tests' time scale: time to see it waiting.
    call = phone.dial(from_=CALLER, caller=Caller.scripted(VERIFIED, hangup_in_queue_after=250))
    sync_api.expect(field["waiting"]).to_have_text("1", timeout=20_000)
    sync_api.expect(field["offered"]).to_have_text("1")
    sync_api.expect(field["abandoned"]).to_have_text("0")

    assert call.wait(timeout=30)
    sync_api.expect(field["waiting"]).to_have_text("0", timeout=10_000)
    sync_api.expect(field["abandoned"]).to_have_text("1")
    sync_api.expect(field["answered"]).to_have_text("0")
    sync_api.expect(field["answer_rate"]).to_have_text("0%")
    sync_api.expect(field["longest_abandon_wait"]).to_have_text(re.compile(r"^\d+:\d\d$"))
    waited = field["longest_abandon_wait"].text_content() or ""
    sync_api.expect(field["average_wait"]).to_have_text(waited)  # the only caller to leave
    sync_api.expect(field["longest_answered_wait"]).to_have_text(DASH)  # nobody answered
    minutes, seconds = waited.split(":")
    short = int(minutes) * 60 + int(seconds) < 10  # about 5 s, so short unless the host crawls
    sync_api.expect(field["short_abandons"]).to_have_text("1" if short else "0")
    sync_api.expect(field["service_level_2"]).to_have_text(DASH if short else "0%")
    assert updated.text_content() != first_update  # polled again since the page loaded
    # A render() that threw part-way would leave the board marked stale.
    sync_api.expect(page.locator("#wallboard")).not_to_have_class(re.compile(r"\bstale\b"))
    assert page.evaluate("window.notReloaded") is True
    with app.extensions["helpline.sessionmaker"]() as db:
        row = db.scalars(select(Call).where(Call.call_sid == call.sid)).one()
        assert row.authenticated and row.status_heard_at is not None  # through the real IVR
        assert row.outcome == "abandoned" and row.queued_at is not None
    assert page.console_errors == []


def test_validation_messages_show_in_the_browser(app: Flask, page: Any) -> None:
    """An overlapping shift is refused with a message naming the clash."""
    _add_alice(app)
    login(page, "sue")
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
    login(page, "alan")
    page.wait_for_url("**/console/")
    assert page.get_by_role("link", name="Roster").count() == 0
    response = page.goto("/console/roster/")
    assert response.status == 403
    sync_api.expect(page.get_by_role("heading", name="Not allowed")).to_be_visible()
