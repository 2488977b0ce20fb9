"""The agent softphone's seams: mode choice, the emulator relay, and the case card's flags."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

import pytest
from flask import Flask

from cases.models import Case
from consoles import softphone
from consoles.auth import create_user
from consoles.screen_pop import case_card
from core.clock import now
from tests.acd_helpers import add_agent, add_call, call_row, open_desk
from tests.consoles.conftest import PASSWORD, Console

pytest.importorskip("emulator", reason="the Twilio emulator is needed")


@pytest.mark.parametrize(
    ("settings", "expected"),
    [
        (
            {"AGENT_SOFTPHONE": "auto", "TWILIO_API_BASE_URL": "http://x", "HELPLINE_ENV": "test"},
            "emulator",
        ),
        (
            {"AGENT_SOFTPHONE": "auto", "TWILIO_API_BASE_URL": None, "HELPLINE_ENV": "test"},
            "twilio",
        ),
        (
            {
                "AGENT_SOFTPHONE": "auto",
                "TWILIO_API_BASE_URL": "http://x",
                "HELPLINE_ENV": "production",
            },
            "twilio",
        ),
        ({"AGENT_SOFTPHONE": "emulator", "HELPLINE_ENV": "production"}, "emulator"),
        (
            {
                "AGENT_SOFTPHONE": "twilio",
                "TWILIO_API_BASE_URL": "http://x",
                "HELPLINE_ENV": "test",
            },
            "twilio",
        ),
    ],
)
def test_softphone_mode(settings: dict[str, Any], expected: str) -> None:
    """The emulator is used only when asked, or automatically in dev/test with an API base URL."""
    assert softphone.mode(settings) == expected


def test_relay_is_not_found_outside_emulator_mode(app: Flask, console: Console) -> None:
    """With the real SDK configured the relay endpoints do not exist for the browser."""
    agent_id = add_agent(app, "alice")
    _user(app, agent_id)
    app.config["AGENT_SOFTPHONE"] = "twilio"
    console.login("alice")
    assert console.post("/console/agent/softphone/register", {}).status_code == 404
    assert console.get("/console/agent/softphone/events").status_code == 404


def _user(app: Flask, agent_id: int) -> None:
    with app.extensions["helpline.sessionmaker"]() as session:
        create_user(session, "alice", PASSWORD, "agent", agent_id=agent_id)
        session.commit()


def _events(console: Console, after: int, kind: str) -> list[dict[str, Any]]:
    """Poll the relayed feed until an event of `kind` arrives."""
    deadline, seen = time.monotonic() + 20, []
    while time.monotonic() < deadline:
        seen += console.get(
            f"/console/agent/softphone/events?after={after + len(seen)}"
        ).get_json()["events"]
        if any(e["kind"] == kind for e in seen):
            return seen
    raise AssertionError(f"no {kind} event in {seen}")


def test_relay_rings_answers_and_hangs_up(
    app: Flask, console: Console, phone: Any, request: pytest.FixtureRequest
) -> None:
    """Without a browser: the relay registers the agent, sees the ring, answers and hangs up."""
    from emulator import Caller

    app.config.update(ACD_RING_SECONDS=1500, ACD_HOLD_PAUSE_SECONDS=5, ACD_ANNOUNCE_SECONDS=0)
    request.getfixturevalue("worker")  # routes the waiting caller (started after the timers)
    open_desk(app)
    agent_id = add_agent(app, "alice")
    _user(app, agent_id)
    console.login("alice")
    registered = console.post("/console/agent/softphone/register", {})
    assert registered.status_code == 200
    assert registered.get_json() == {"key": "client:alice", "mode": "interactive"}
    console.post("/console/agent/state", {"action": "available"})
    phone.voice_path = "/voice/queue/join"  # straight to a person, as an unverified caller
    call = phone.dial(from_="+447700900123", caller=Caller.scripted([]))
    seen = _events(console, 0, "ringing")
    assert console.get("/console/agent/state.json").get_json()["status"]["state"] == "reserved"
    assert console.post("/console/agent/softphone/answer", {}).status_code == 200
    seen += _events(console, len(seen), "connected")
    assert console.post("/console/agent/softphone/hangup", {}).status_code == 200
    _events(console, len(seen), "ended")
    assert call.wait(timeout=20)
    row = call_row(app, call.sid)
    assert row.agent_id == agent_id and row.outcome == "answered" and row.agent_ended_at
    assert console.post("/console/agent/softphone/answer", {}).status_code == 409


def test_case_card_flags_overdue_updates(app: Flask) -> None:
    """A case is overdue when flagged, or when its next update date has passed."""
    add_call(app, 1, authenticated=True)
    today = now()
    with app.extensions["helpline.sessionmaker"]() as session:
        case = session.query(Case).one()
        case.next_update_due = today.date() + dt.timedelta(days=1)
        assert case_card(case, today).overdue is False
        case.next_update_due = today.date() - dt.timedelta(days=1)
        assert case_card(case, today).overdue is True
        case.next_update_due, case.overdue_flagged_at = None, today
        card = case_card(case, today)
        assert card.overdue is True and card.priority_tier == "Standard"
