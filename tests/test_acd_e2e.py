"""End to end through the Twilio emulator: routing, no answer, abandon, wrap-up, shifts.

A stand-in for the IVR (registered on the test app) records what the IVR would have learnt
about each caller, keyed by their number, then redirects to /voice/queue/join.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask, request
from sqlalchemy import select
from twilio.twiml.voice_response import VoiceResponse

from calls.journey import open_call
from calls.models import Call
from cases.models import Case, Victim
from core.clock import now
from core.db import get_session
from queueing.desk import desk_for
from telephony.twiml import xml
from tests.acd_helpers import add_agent, end_shifts, make_available, open_desk

pytestmark = pytest.mark.slow
pytest.importorskip("emulator", reason="the Twilio emulator is not merged yet")
PROFILES: dict[str, dict[str, Any]] = {
    "+447700900001": {},
    "+447700900002": {"authenticated": True},
    "+447700900003": {"authenticated": True, "enhanced": True},
    "+447700900004": {"authenticated": True, "offence": "Domestic abuse"},
    "+447700900005": {},
}


def stand_in_ivr(app: Flask) -> None:
    """Answer calls as the IVR would leave them: Call row filled in, then join the queue."""

    @app.post("/test/ivr")
    def ivr() -> Any:
        profile = PROFILES.get(request.form.get("From", ""), {})
        session = get_session()
        call = open_call(session, request.form["CallSid"], request.form.get("From"))
        call.authenticated = profile.get("authenticated", False)
        call.wanted_agent_at = now()
        if call.authenticated:
            call.case_id = _case(session, call.call_sid, profile).id
        session.commit()
        response = VoiceResponse()
        response.redirect(app.config["PUBLIC_BASE_URL"] + "/voice/queue/join")
        return xml(response)


def _case(session: Any, sid: str, profile: dict[str, Any]) -> Case:
    case = Case(
        crime_reference="1234567/24",
        reference_key=sid,
        victim=Victim(name="V", date_of_birth=dt.date(1980, 2, 1)),
        status_code="REPORTED",
        last_update=dt.date(2026, 1, 1),
        enhanced_rights=profile.get("enhanced", False),
        offence=profile.get("offence", "Burglary"),
        updated_at=now(),
    )
    session.add(case)
    session.flush()
    return case


@pytest.fixture
def desk_app(app: Flask, phone: Any, request: pytest.FixtureRequest) -> Flask:
    """The app with short timers, an open desk, the IVR stand-in and a worker that routes.

    The worker starts last, so it has the emulator's REST URL, the live server's public URL
    and these timers.
    """
    app.config.update(ACD_WRAP_UP_SECONDS=0, ACD_RING_SECONDS=5, ACD_ANNOUNCE_SECONDS=0)
    app.config.update(ACD_HOLD_PAUSE_SECONDS=5)
    open_desk(app)
    stand_in_ivr(app)
    request.getfixturevalue("worker")
    return app


def until(check: Callable[[], Any], timeout: float = 20) -> Any:
    """Poll until check() is truthy; fail with a clear message otherwise."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {check.__doc__ or check}")


def calls(app: Flask) -> dict[str, Call]:
    """Return every call row by caller number."""
    with app.extensions["helpline.sessionmaker"]() as session:
        rows = session.scalars(select(Call)).all()
        for row in rows:
            _ = [e.kind for e in row.events]
        return {row.from_e164 or "": row for row in rows}


def waiting(app: Flask, count: int) -> Callable[[], bool]:
    """Make a check that `count` entries wait in the ACD."""

    def check() -> bool:
        return desk_for(app).acd.waiting_count() == count

    check.__doc__ = f"{count} waiting"
    return check


def failed_redirects(phone: Any) -> list[dict[str, Any]]:
    """Return the REST redirects the emulator's outage refused."""
    return [r for r in phone.rest_log if r["status"] == 500 and "/Calls/" in r["path"]]


def dial(phone: Any, number: str, **caller: Any) -> Any:
    """Place a call from a known profile through the IVR stand-in."""
    from emulator import Caller

    phone.voice_path = "/test/ivr"
    return phone.dial(from_=number, caller=Caller.scripted([], **caller))


def test_routes_by_priority(desk_app: Flask, phone: Any) -> None:
    """Enhanced Rights, then authenticated, then unauthenticated, whatever the arrival order."""
    from emulator import Party

    agent = add_agent(desk_app, "alice")
    phone.add_party("client:alice", Party(answer_after=1, talk_for=2))
    for n, number in enumerate(("+447700900001", "+447700900002", "+447700900003"), start=1):
        dial(phone, number)
        until(waiting(desk_app, n))
    make_available(desk_app, agent)
    rows = until(
        lambda: (
            len([c for c in calls(desk_app).values() if c.agent_ended_at]) == 3 and calls(desk_app)
        ),
        60,
    )
    order = sorted(rows.values(), key=lambda c: c.answered_at)
    assert [c.from_e164 for c in order] == ["+447700900003", "+447700900002", "+447700900001"]
    assert all(c.outcome == "answered" and c.agent_id == agent for c in order)


def test_routes_by_skill_and_to_longest_idle(desk_app: Flask, phone: Any) -> None:
    """A domestic abuse call goes to the skilled agent; a plain call to the longest-idle one."""
    from emulator import Party

    bob = add_agent(desk_app, "bob")
    alice = add_agent(desk_app, "alice", skills=["domestic_abuse"])
    for identity in ("alice", "bob"):
        phone.add_party(f"client:{identity}", Party(answer_after=1, talk_for=200))
    make_available(desk_app, bob)
    make_available(desk_app, alice)
    dial(phone, "+447700900004")
    skilled = until(
        lambda: calls(desk_app).get("+447700900004", Call()).answered_at and calls(desk_app)
    )
    assert skilled["+447700900004"].agent_id == alice
    dial(phone, "+447700900001")
    plain = until(
        lambda: calls(desk_app).get("+447700900001", Call()).answered_at and calls(desk_app)
    )
    assert plain["+447700900001"].agent_id == bob


def test_no_answer_returns_to_the_same_place(desk_app: Flask, phone: Any) -> None:
    """No answer: the caller goes back ahead of later callers, and the miss counts."""
    from emulator import Party

    alice = add_agent(desk_app, "alice")
    bob = add_agent(desk_app, "bob")
    phone.add_party("client:alice", Party(never_answer=True))
    phone.add_party("client:bob", Party(answer_after=1, talk_for=200))
    first = dial(phone, "+447700900001")
    until(waiting(desk_app, 1))
    make_available(desk_app, alice)

    def missed() -> bool:
        return desk_for(desk_app).acd.agent(alice).get("missed") == "1"

    until(missed)
    desk_for(desk_app).acd.agent_action(alice, "break", int(time.time() * 1000))
    dial(phone, "+447700900005")
    until(waiting(desk_app, 2))
    assert desk_for(desk_app).acd.position(f"call:{first.sid}") == 1
    make_available(desk_app, bob)
    rows = until(lambda: calls(desk_app)["+447700900001"].answered_at and calls(desk_app))
    assert rows["+447700900001"].agent_id == bob
    assert rows["+447700900005"].answered_at is None
    kinds = [e.kind for e in rows["+447700900001"].events]
    assert kinds.index("no_answer") < kinds.index("answered")


def test_hang_up_in_queue_is_an_abandon(desk_app: Flask, phone: Any) -> None:
    """A caller who gives up while waiting is recorded as abandoned with wait and position."""
    add_agent(desk_app, "alice")
    dial(phone, "+447700900001", hangup_in_queue_after=3)
    call = until(
        lambda: calls(desk_app).get("+447700900001", Call()).abandoned_at and calls(desk_app)
    )
    row = call["+447700900001"]
    assert row.outcome == "abandoned" and row.abandon_position == 1
    assert row.wait_seconds is not None
    assert desk_for(desk_app).acd.waiting_count() == 0


def test_wrap_up_then_available_again(desk_app: Flask, phone: Any, worker: Any) -> None:
    """After a call the agent wraps up; the worker's sweep makes them available when it ends."""
    from emulator import Party

    desk_app.config["ACD_WRAP_UP_SECONDS"] = 2
    alice = add_agent(desk_app, "alice")
    phone.add_party("client:alice", Party(answer_after=1, talk_for=1))
    make_available(desk_app, alice)
    dial(phone, "+447700900001")
    acd = desk_for(desk_app).acd

    def wrapping() -> bool:
        return acd.agent(alice).get("state") == "wrap_up"

    def available() -> bool:
        return acd.agent(alice).get("state") == "available"

    until(wrapping)
    until(available, 30)
    assert calls(desk_app)["+447700900001"].agent_ended_at is not None


def test_off_shift_agent_is_never_offered(desk_app: Flask, phone: Any) -> None:
    """An agent whose shift ended while available is never rung, even with a caller waiting."""
    from emulator import Party

    add_agent(desk_app, "bob")  # on shift (so the desk takes calls) but never logs in
    alice = add_agent(desk_app, "alice")
    phone.add_party("client:alice", Party(answer_after=1, talk_for=5))
    assert make_available(desk_app, alice) == (True, "available")
    end_shifts(desk_app, alice)
    call = dial(phone, "+447700900001", hangup_in_queue_after=20)
    call.wait(timeout=30)
    row = calls(desk_app)["+447700900001"]
    assert row.outcome == "abandoned" and row.agent_id is None
    assert "offered" not in [e.kind for e in row.events]
    assert not [e for e in call.transcript if e.get("kind") == "dial"]


def test_press_1_leaves_for_a_callback_keeping_the_place(desk_app: Flask, phone: Any) -> None:
    """Key 1 while holding: out of the queue via <Leave>, place kept, on to the callback offer."""
    from emulator import Caller

    if not any(rule.rule == "/voice/callback/offer" for rule in desk_app.url_map.iter_rules()):

        @desk_app.post("/voice/callback/offer")
        def callback_offer_stand_in() -> Any:
            response = VoiceResponse()
            response.hangup()
            return xml(response)

    add_agent(desk_app, "alice")
    phone.voice_path = "/test/ivr"
    call = phone.dial(from_="+447700900002", caller=Caller.scripted(["1"]))
    call.wait(timeout=30)
    row = calls(desk_app)["+447700900002"]
    assert row.left_queue_at is not None and row.priority == 2
    assert "left_queue" in [e.kind for e in row.events]
    assert desk_for(desk_app).acd.waiting_count() == 0


def test_twilio_outage_is_not_a_missed_offer(desk_app: Flask, phone: Any) -> None:
    """Redirects failing with 500: no miss for the agent; once Twilio is back, she gets the call."""
    from emulator import Party

    alice = add_agent(desk_app, "alice")
    phone.add_party("client:alice", Party(answer_after=1, talk_for=2))
    phone.outage.begin("error")
    try:
        dial(phone, "+447700900001")
        until(waiting(desk_app, 1))
        make_available(desk_app, alice)
        until(lambda: len(failed_redirects(phone)) >= 3, timeout=40)  # each pass tries once
    finally:
        phone.outage.end()
    acd = desk_for(desk_app).acd

    def journalled() -> list[str] | None:
        # The emulator sees the third 500 a moment before the app journals offer_failed.
        kinds = [fields["kind"] for _id, fields in acd.redis.xrange(acd.prefix + "journal")]
        return kinds if kinds.count("offer_failed") >= 3 else None

    kinds = until(journalled)
    assert kinds.count("offer_failed") >= 3 and not {"timeout", "no_answer"} & set(kinds)
    assert acd.agent(alice)["missed"] == "0"
    row = until(lambda: calls(desk_app)["+447700900001"].answered_at and calls(desk_app))
    events = [e.kind for e in row["+447700900001"].events]
    assert row["+447700900001"].agent_id == alice and "no_answer" not in events
    assert events.index("offer_failed") < events.index("offered") < events.index("answered")


def ready_without_routing(app: Flask, agent_id: int) -> None:
    """Make the agent available in the ACD without routing, so a hold cycle or job routes next."""
    from queueing.mirror import sync_agent
    from queueing.service import ms
    from roster.models import Agent

    desk = desk_for(app)
    with app.extensions["helpline.sessionmaker"]() as session:
        agent = session.get(Agent, agent_id)
        sync_agent(session, desk.acd, agent, now(), desk.config.timezone)
    assert desk.acd.agent_action(agent_id, "available", ms(now())) == (True, "available")


def wait_latencies(call: Any) -> list[float]:
    """Return how long the app took to answer each waitUrl request of a call (real seconds)."""
    return [
        e["latency"]
        for e in call.entries("webhook")
        if e["url"].split("?")[0].endswith("/voice/queue/wait")
    ]


@pytest.mark.parametrize("mode", ["hang", "error"])
def test_twilio_rest_outage_never_delays_the_hold_loop(
    desk_app: Flask, phone: Any, mode: str
) -> None:
    """With Twilio's REST API hanging or failing, every waitUrl answer still comes within 1 s."""
    from emulator import Party

    alice = add_agent(desk_app, "alice")
    phone.add_party("client:alice", Party(answer_after=1, talk_for=2))
    phone.outage.begin(mode)
    try:
        call = dial(phone, "+447700900001")
        until(waiting(desk_app, 1))
        ready_without_routing(desk_app, alice)  # the next routing pass waits on Twilio
        until(lambda: len(wait_latencies(call)) >= 6)
    finally:
        phone.outage.end()
    latencies = wait_latencies(call)
    assert max(latencies) < 1.0, latencies
    row = until(lambda: calls(desk_app)["+447700900001"].answered_at and calls(desk_app))
    assert row["+447700900001"].agent_id == alice  # once Twilio is back, she gets the call
