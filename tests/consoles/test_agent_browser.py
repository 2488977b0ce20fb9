"""The agent console in real headless Chromium, taking calls through the IVR and the emulator.

The caller dials the helpline, picks English, asks for their status, keys the demo case's
reference and date of birth, hears the status and presses 3 to speak to someone.
"""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from calls.models import Call
from cases.models import Case
from consoles.auth import create_user
from consoles.screen_pop import VERIFY_WARNING
from devtools.demo import seed
from roster.models import Agent
from tests.consoles.conftest import BROWSER, PASSWORD, login

pytest.importorskip("emulator", reason="the Twilio emulator is needed")
sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is needed")
pytestmark = BROWSER  # slow; skipped without Chromium unless CI requires it
CALLER = "+447700900123"
# English; hear my status; reference; date of birth; (status heard) speak to someone.
VERIFIED = ["1", "1", "1234567*24#", "01021980#", "3"]
# English; speak to someone straight away, without proving who they are.
UNVERIFIED = ["1", "2"]


@pytest.fixture
def desk_app(app: Flask) -> Flask:
    """Demo data (open desk, alice on shift), Alice's login, timers that wait for the browser.

    Ringing and talk time are emulated seconds (x0.02 real); wrap-up never ends by itself here.
    """
    app.config.update(ACD_RING_SECONDS=1500, ACD_WRAP_UP_SECONDS=3600, ACD_ANNOUNCE_SECONDS=0)
    app.config.update(ACD_HOLD_PAUSE_SECONDS=5, AGENT_POLL_SECONDS=0.3)
    with app.app_context(), app.extensions["helpline.sessionmaker"]() as session:
        seed(session)
        alice = session.scalars(select(Agent).where(Agent.client_identity == "alice")).one()
        create_user(session, "alice", PASSWORD, "agent", agent_id=alice.id)
        session.commit()
    return app


def _login_to_desk(page: Any) -> None:
    login(page, "alice")
    page.wait_for_url("**/console/agent/")
    sync_api.expect(page.locator('[data-field="phone_status"]')).to_have_text(
        "Phone ready (emulator)."
    )


def _dial(phone: Any, keys: list[str]) -> Any:
    from emulator import Caller

    return phone.dial(from_=CALLER, caller=Caller.scripted(keys))


def test_agent_takes_a_call_end_to_end(desk_app: Flask, phone: Any, page: Any) -> None:
    """Go available, see the verified caller's case, answer, hang up, wrap up, available again."""
    _login_to_desk(page)
    state = page.locator('[data-field="state"]')
    sync_api.expect(state).to_have_text("logged out")
    page.get_by_role("button", name="Go available").click()
    sync_api.expect(page.get_by_role("status").first).to_have_text("You are now available.")
    sync_api.expect(state).to_have_text("available")

    call = _dial(phone, VERIFIED)
    pop = page.locator("#screen-pop")
    sync_api.expect(pop).to_be_visible(timeout=20_000)
    sync_api.expect(pop.get_by_role("heading", name="Incoming call")).to_be_visible()
    sync_api.expect(pop.get_by_role("heading", name="Case 1234567/24")).to_be_visible()
    facts = ("UNDER INVESTIGATION", "Detective Constable Demo", "Identity verified", "Live call")
    for text in facts:
        sync_api.expect(pop).to_contain_text(text)
    assert pop.locator(".verify").count() == 0
    sync_api.expect(state).to_have_text("reserved")

    page.get_by_role("button", name="Answer").click()
    sync_api.expect(page.locator('[data-field="phone_status"]')).to_have_text("On a call.")
    sync_api.expect(state).to_have_text("busy")
    sync_api.expect(pop.get_by_role("heading", name="On a call")).to_be_visible()
    page.get_by_role("button", name="Hang up").click()

    wrap = page.locator("#wrap-up")
    sync_api.expect(wrap).to_be_visible()
    sync_api.expect(state).to_have_text("wrap up")
    sync_api.expect(pop).to_be_hidden()
    wrap.get_by_label("Outcome").select_option("update_given")
    wrap.get_by_label("Notes").fill("Explained the CCTV review.")
    wrap.get_by_role("button", name="Save wrap-up").click()
    sync_api.expect(page.get_by_role("status").first).to_contain_text("Wrap-up saved.")
    sync_api.expect(state).to_have_text("available")
    sync_api.expect(wrap).to_be_hidden()

    assert call.wait(timeout=20)
    assert "bridged" in [e["kind"] for e in call.transcript]
    with desk_app.extensions["helpline.sessionmaker"]() as session:
        row = session.scalars(select(Call).where(Call.from_e164 == CALLER)).one()
        assert row.authenticated and row.status_heard_at is not None  # through the real IVR
        assert row.outcome == "answered" and row.answered_at
        assert (row.wrap_outcome, row.wrap_notes) == ("update_given", "Explained the CCTV review.")
    assert page.console_errors == []


def test_agent_cannot_open_another_case(desk_app: Flask, phone: Any, page: Any) -> None:
    """While offered one caller's case, any other case is 403 to the agent's browser session."""
    _login_to_desk(page)
    page.get_by_role("button", name="Go available").click()
    call = _dial(phone, VERIFIED)
    pop = page.locator("#screen-pop")
    sync_api.expect(pop.get_by_role("heading", name="Case 1234567/24")).to_be_visible(
        timeout=20_000
    )
    with desk_app.extensions["helpline.sessionmaker"]() as session:
        ids = {key: id_ for key, id_ in session.execute(select(Case.reference_key, Case.id))}
    assert page.request.get(f"/console/agent/case/{ids['1234567/24']}").status == 200
    other = page.request.get(f"/console/agent/case/{ids['2345678/24']}")
    assert other.status == 403
    assert other.json() == {"error": "That case is not on your current call."}
    page.get_by_role("button", name="Reject").click()
    call.hangup()
    assert call.wait(timeout=20)


def test_unverified_caller_is_flagged_in_the_browser(
    desk_app: Flask, phone: Any, page: Any
) -> None:
    """A caller who asks for a person without authenticating pops with the warning, no case."""
    _login_to_desk(page)
    page.get_by_role("button", name="Go available").click()
    call = _dial(phone, UNVERIFIED)
    pop = page.locator("#screen-pop")
    sync_api.expect(pop.locator(".verify")).to_have_text(VERIFY_WARNING, timeout=20_000)
    sync_api.expect(pop).to_contain_text("Not verified")
    assert pop.get_by_role("heading", name="Case 1234567/24").count() == 0
    page.get_by_role("button", name="Reject").click()
    call.hangup()
    assert call.wait(timeout=20)
