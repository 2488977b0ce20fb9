"""What a caller hears when nobody can answer, and while waiting: pinned word for word."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
from flask import Flask

from core.clock import now
from prompts import catalogue
from queueing.agents import take_break
from queueing.desk import desk_for
from roster.models import Shift
from tests.acd_helpers import RecordingPort, add_agent, add_call, make_available, open_desk
from tests.ivr_support import said
from tests.twilio_signing import TwilioSigner, voice_params
from tests.twiml_assert import parse, verbs

EN = catalogue("en-GB")
ALL_DAY = (dt.time(0), dt.time(0))  # 00:00 to midnight: open around the clock
NEVER_SAY = ("12 am", "when we open", "kept your place", "keep your place")


def post(twilio: TwilioSigner, path: str, call_sid: str) -> object:
    """POST a signed in-progress voice webhook; return the parsed TwiML."""
    response = twilio.post(path, voice_params(CallSid=call_sid, CallStatus="in-progress"))
    assert response.status_code == 200 and response.mimetype == "text/xml"
    return parse(response.data)


def assert_offer_follows(root: object) -> None:
    """The script ends by handing over to the callback offer, which asks before taking one."""
    assert verbs(root)[-1] == "Redirect"
    target = urlsplit(root.find("Redirect").text)
    assert (target.path, target.query) == ("/voice/callback/offer", "reason=closed")


def test_unstaffed_desk_open_all_day_says_so_without_an_opening_time(
    app: Flask, twilio: TwilioSigner
) -> None:
    """Open around the clock, nobody on shift: no "we open again at 12 am", no "when we open"."""
    open_desk(app, hours=ALL_DAY)
    root = post(twilio, "/voice/queue/join", add_call(app, 1))
    assert said(root) == [
        "We are open, but nobody is available to take your call right now.",
        "We cannot yet say when someone will be free.",
        "We can call you back when someone is free.",
    ]
    assert_offer_follows(root)
    assert not any(phrase in line for line in said(root) for phrase in NEVER_SAY)


def test_unstaffed_desk_names_the_next_advisers_start(app: Flask, twilio: TwilioSigner) -> None:
    """With a shift starting tomorrow at 9, the caller hears exactly that."""
    open_desk(app, hours=ALL_DAY)
    agent = add_agent(app, "alice", on_shift=False)
    tomorrow = now().astimezone(ZoneInfo("Europe/London")).date() + dt.timedelta(days=1)
    with app.extensions["helpline.sessionmaker"]() as session:
        session.add(Shift(agent_id=agent, on_date=tomorrow, starts=dt.time(9), ends=dt.time(17)))
        session.commit()
    root = post(twilio, "/voice/queue/join", add_call(app, 1))
    assert said(root)[:2] == [
        "We are open, but nobody is available to take your call right now.",
        "The next adviser is due to start at 9 am tomorrow.",
    ]


def test_closed_desk_uses_the_same_script_with_its_own_truth(
    app: Flask, twilio: TwilioSigner
) -> None:
    """Closed (open only 00:00-00:01): why, when we open (midnight said as midnight), offer."""
    open_desk(app, hours=(dt.time(0), dt.time(0, 1)))
    add_agent(app, "alice")
    root = post(twilio, "/voice/queue/join", add_call(app, 1))
    assert said(root) == [
        "We are closed now, so nobody can take your call.",
        "We open again at midnight tonight.",
        "We can call you back when someone is free.",
    ]
    assert_offer_follows(root)


@pytest.fixture
def staffed_on_break(app: Flask, port: RecordingPort) -> list[int]:
    """Two agents on shift and logged in but on a break (staffed, never offered a call)."""
    open_desk(app, hours=ALL_DAY)
    agents = [add_agent(app, "alice", skills=["domestic_abuse"]), add_agent(app, "bob")]
    for agent in agents:
        make_available(app, agent)
        with app.app_context(), app.extensions["helpline.sessionmaker"]() as session:
            take_break(session, desk_for(app), agent)
    return agents


def announcement(app: Flask, twilio: TwilioSigner, call_sid: str) -> list[str]:
    """Join the queue and return the first hold cycle's words."""
    post(twilio, "/voice/queue/join", call_sid)
    return said(post(twilio, "/voice/queue/wait", call_sid))


def test_a_short_wait_is_never_called_long(
    app: Flask, twilio: TwilioSigner, staffed_on_break: list[int]
) -> None:
    """An estimate under 5 minutes is followed by the usual offer, not "the wait is long"."""
    assert announcement(app, twilio, add_call(app, 1)) == [
        "You are number 1 in the queue.",
        "We expect to answer your call in less than 5 minutes.",
        EN.text("queue.press_1"),
    ]


def test_a_specialist_caller_is_estimated_over_the_agents_who_can_take_them(
    app: Flask, twilio: TwilioSigner, staffed_on_break: list[int]
) -> None:
    """One of two staffed agents has the skill: the wait is theirs alone, and said to be long."""
    app.config["ACD_OFFENCE_SKILLS"] = ["domestic=domestic_abuse"]
    sid = add_call(app, 1, authenticated=True, offence="Domestic abuse")
    assert announcement(app, twilio, sid) == [
        "You are number 1 in the queue.",
        "We expect to answer your call in about 5 to 10 minutes.",
        "The wait is long. Press 1 now and we will call you back; you keep your place.",
    ]
