"""Whole calls through the IVR, played by the Twilio emulator against the live app."""

from __future__ import annotations

import datetime as dt
import os
import time
from typing import Any
from urllib.parse import urlsplit

import pytest
from flask import Flask
from sqlalchemy import select
from twilio.twiml.voice_response import VoiceResponse

from calls.models import Call
from cases.models import STATUS_CODES
from core.clock import now
from ivr import lockout
from tests.ivr_support import CY, EN, close_desk, load_case, seed_demo, update_case

emulator = pytest.importorskip("emulator")
Caller = emulator.Caller
pytestmark = pytest.mark.slow
VICTIM = "+447700900123"
ENGLISH, SELF_SERVICE, REF, DOB = "1", "1", "1234567*24#", "01021980#"
AUTHENTICATE = [ENGLISH, SELF_SERVICE, REF, DOB]
HANDOFFS = {"/voice/queue/join": "queue.stub", "/voice/callback/offer": "callback.stub"}


@pytest.fixture
def config(config: dict[str, Any]) -> dict[str, Any]:
    """Short lockouts, so expiry can be seen within a test."""
    return {**config, "LOCKOUT_REFERENCE_FAILURES": 3, "LOCKOUT_REFERENCE_SECONDS": 3}


@pytest.fixture
def app(app: Flask, monkeypatch: pytest.MonkeyPatch) -> Flask:
    """The app with demo data, and stand-ins for the queue and callback hand-offs if absent.

    Scripted callers never barge in, so every prompt plays in full: a faster emulated clock
    keeps these calls short without changing what is heard.
    """
    monkeypatch.setenv("HELPLINE_TEST_TIME_SCALE", os.environ.get("IVR_E2E_TIME_SCALE", "0.005"))
    existing = {rule.rule for rule in app.url_map.iter_rules()}
    for path, name in HANDOFFS.items():
        if path not in existing:
            app.add_url_rule(path, name, _handoff_stub, methods=["POST"])
    return seed_demo(app)


def _handoff_stub() -> tuple[str, int, dict[str, str]]:
    """Stand in for another feature's entry webhook: say where we are and hang up."""
    response = VoiceResponse()
    response.say("Stand-in for the next feature.")
    response.hangup()
    return response.to_xml(), 200, {"Content-Type": "text/xml"}


def dial(phone: Any, actions: list[Any], from_: str = VICTIM) -> Any:
    """Place a scripted call and wait for it to end."""
    # Callers handed to the queue give up after a while, so every call ends.
    caller = Caller.scripted(actions, hangup_in_queue_after=3)
    call = phone.dial(from_=from_, caller=caller)
    assert call.wait(timeout=30), "the call did not end"
    assert call.status == "completed"
    return call


def call_row(app: Flask, sid: str) -> Call:
    """Load the call the emulator placed."""
    with app.extensions["helpline.sessionmaker"]() as session:
        call = session.scalar(select(Call).where(Call.call_sid == sid))
        assert call is not None
        return call


def webhook_paths(call: Any) -> list[str]:
    """Return the paths the emulator requested, in order."""
    return [urlsplit(e["url"]).path for e in call.entries("webhook")]


def comparable(call: Any) -> list[tuple[Any, ...]]:
    """Reduce a transcript to what a caller could observe, without timings or keyed digits."""
    skip = {"t", "index", "latency", "sent", "digits", "url", "status"}
    return [
        tuple(sorted((k, str(v)) for k, v in entry.items() if k not in skip))
        for entry in call.transcript
        if entry["kind"] not in ("incoming", "ended")
    ]


def wait_for_outcome(app: Flask, sid: str) -> Call:
    """Wait for the final status callback to close the call's record."""
    for _ in range(100):
        row = call_row(app, sid)
        if row.ended_at is not None:
            return row
        time.sleep(0.05)
    raise AssertionError("the call's record was never closed")


def test_victim_hears_their_status_and_ends_the_call(phone: Any, app: Flask) -> None:
    """999 first, reference and date of birth, the status, then 5 ends it: self-served."""
    call = dial(phone, [*AUTHENTICATE, "5"])
    heard = call.said()
    assert heard[0] == EN.text("greeting", helpline="the Victim Helpline")
    assert EN.text("status.UNDER_INVESTIGATION") in heard
    assert heard[-1] == EN.text("goodbye")
    row = wait_for_outcome(app, call.sid)
    assert row.authenticated and row.status_heard_at is not None
    assert row.outcome == "self_served" and row.wanted_agent_at is None


def test_wrong_date_and_unknown_reference_are_indistinguishable(phone: Any, app: Flask) -> None:
    """The two transcripts match entry for entry; only the keyed digits differ."""
    wrong_date = dial(phone, [ENGLISH, SELF_SERVICE, REF, "02021980#", Caller.hangup()])
    unknown = dial(phone, [ENGLISH, SELF_SERVICE, "7654321*24#", DOB, Caller.hangup()])
    assert EN.text("auth.not_matched") in wrong_date.said()
    assert comparable(wrong_date) == comparable(unknown)
    assert webhook_paths(wrong_date) == webhook_paths(unknown)
    assert not call_row(app, wrong_date.sid).authenticated


def test_three_tries_per_call_then_a_person(phone: Any, app: Flask) -> None:
    """Three failures: the same words each time, then the offer of a person, who is reached."""
    wrong = ["7654321*24#", "11111111#"]
    call = dial(phone, [ENGLISH, SELF_SERVICE, *wrong, *wrong, *wrong, "2"])
    heard = call.said()
    assert heard.count(EN.text("auth.not_matched")) == 3
    assert EN.text("auth.cannot_check") in heard
    assert "/voice/queue/join" in webhook_paths(call)
    row = call_row(app, call.sid)
    assert not row.authenticated and row.wanted_agent_at is not None


def test_lockout_refuses_the_right_details_until_it_expires(phone: Any, app: Flask) -> None:
    """After three failures the reference is locked across calls, then works once it expires."""
    wrong = [REF, "11111111#"]
    dial(phone, [ENGLISH, SELF_SERVICE, *wrong, *wrong, *wrong, Caller.hangup()])
    locked = dial(phone, [*AUTHENTICATE, Caller.hangup()], from_="+447700900124")
    assert EN.text("auth.not_matched") in locked.said()
    assert EN.text("status.UNDER_INVESTIGATION") not in locked.said()
    assert not call_row(app, locked.sid).authenticated
    lock = lockout.keys(lockout.Policy.from_config(app.config), "1234567/24", None)[1]
    assert app.extensions["helpline.redis"].exists(lock)
    while app.extensions["helpline.redis"].exists(lock):
        time.sleep(0.1)
    unlocked = dial(phone, [*AUTHENTICATE, "5"], from_="+447700900124")
    assert EN.text("status.UNDER_INVESTIGATION") in unlocked.said()
    assert call_row(app, unlocked.sid).authenticated


@pytest.mark.parametrize("code", STATUS_CODES)
def test_every_status_code_is_read_out(phone: Any, app: Flask, code: str) -> None:
    """Each status code's script reaches the caller, with the dates spoken naturally."""
    today = now().date()
    due = today + dt.timedelta(days=3)
    update_case(app, status_code=code, last_update=today, next_update_due=due)
    heard = dial(phone, [*AUTHENTICATE, "5"]).said()
    start = heard.index(EN.text(f"status.{code}"))
    assert heard[start + 3 : start + 5] == [
        EN.text("status.last_update", date=EN.date(today)),
        EN.text("status.next_update", date=EN.date(due)),
    ]


def test_overdue_update_is_owned_up_to_and_recorded(phone: Any, app: Flask) -> None:
    """A case past its due date is apologised for and flagged for supervisors."""
    today = now().date()
    late = today - dt.timedelta(days=2)
    update_case(app, last_update=today, next_update_due=late)
    heard = dial(phone, [*AUTHENTICATE, "5"]).said()
    assert EN.text("status.overdue", date=EN.date(late)) in heard
    assert load_case(app).overdue_flagged_at is not None


def test_text_me_this_when_opted_in(phone: Any, app: Flask) -> None:
    """2 after the status texts the headline to the number on record, not the calling number."""
    update_case(app, victim_sms_allowed=True, victim_phone_e164="+447700900555")
    call = dial(phone, [*AUTHENTICATE, "2", "5"])
    assert EN.text("sms.sent") in call.said()
    assert [(m["to"], m["body"]) for m in phone.messages] == [
        (
            "+447700900555",
            EN.text(
                "sms.body",
                helpline="the Victim Helpline",
                headline=EN.text("status.UNDER_INVESTIGATION"),
            ),
        )
    ]


def test_no_text_when_opted_out(phone: Any, app: Flask) -> None:
    """Without the victim's opt-in nothing is sent and the caller hears how to change that."""
    update_case(app, victim_sms_allowed=False)
    call = dial(phone, [*AUTHENTICATE, "2", "5"])
    assert EN.text("sms.not_available") in call.said()
    assert phone.messages == []


def test_welsh_is_chosen_at_the_start_and_kept(phone: Any, app: Flask) -> None:
    """Pressing 2 first makes every later prompt Welsh, in the Welsh voice."""
    call = dial(phone, ["2", SELF_SERVICE, REF, DOB, "5"])
    says = call.entries("say")
    welcome = CY.text("greeting", helpline="the Victim Helpline")
    after_choice = says[[s["text"] for s in says].index(welcome) :]
    assert {s["voice"] for s in after_choice} == {"Polly.Gwyneth"}
    assert {s["language"] for s in after_choice} == {"cy-GB"}
    assert CY.text("status.UNDER_INVESTIGATION") in call.said()
    assert call_row(app, call.sid).language == "cy-GB"


def test_speech_status_then_call_me_back(phone: Any, app: Flask) -> None:
    """Saying "status" starts self-service; saying "call me back" hands over to callbacks."""
    call = dial(phone, [ENGLISH, Caller.speak("status"), REF, DOB, Caller.speak("call me back")])
    assert EN.text("status.UNDER_INVESTIGATION") in call.said()
    assert "/voice/callback/offer" in webhook_paths(call)
    assert call_row(app, call.sid).case_id == load_case(app).id


def test_speech_someone_reaches_the_queue(phone: Any, app: Flask) -> None:
    """Saying "someone" at the main menu goes to the queue unauthenticated."""
    call = dial(phone, [ENGLISH, Caller.speak("I need to speak to someone")])
    assert "/voice/queue/join" in webhook_paths(call)
    assert call_row(app, call.sid).wanted_agent_at is not None


def test_two_silences_at_the_menu_reach_a_person(phone: Any, app: Flask) -> None:
    """A caller who says nothing is put through to a person rather than looping."""
    call = dial(phone, [ENGLISH, Caller.silence(), Caller.silence()])
    assert "/voice/queue/join" in webhook_paths(call)


def test_closed_desk_says_why_and_a_no_ends_politely(phone: Any, app: Flask) -> None:
    """Out of hours a person request hears the one script (closed, when we open); 2 is no."""
    close_desk(app)
    call = dial(phone, [ENGLISH, "2", "2"])
    heard = call.said()
    start = heard.index(EN.text("unavailable.closed"))
    assert heard[start + 1 : start + 3] == [
        EN.text("unavailable.opens", when=EN.text("when.midnight_tonight")),
        EN.text("unavailable.offer"),
    ]
    assert wait_for_outcome(app, call.sid).outcome == "closed"
