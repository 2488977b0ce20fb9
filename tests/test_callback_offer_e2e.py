"""Callback offers through the emulator: unprompted on a long wait; declined at a closed desk."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from callbacks import prompts
from callbacks.models import CallbackRequest
from calls.models import Call
from devtools.demo import seed
from queueing.agents import take_break
from queueing.desk import desk_for
from queueing.prompts import text
from tests.acd_helpers import make_available, open_desk
from tests.test_acd_e2e import stand_in_ivr
from tests.test_callbacks_e2e import agent_id, db

emulator = pytest.importorskip("emulator")
Caller = emulator.Caller
pytestmark = pytest.mark.slow
CALLER = "+447700900001"  # unauthenticated in the IVR stand-in: priority 1
LONG_OFFER = text("en-GB", "queue.long_wait_offer")
REMINDER = text("en-GB", "queue.press_1")


@pytest.fixture
def queue_app(app: Flask) -> Flask:
    """An open desk with one agent logged in but on a break: callers wait, with an estimate."""
    stand_in_ivr(app)
    open_desk(app)
    app.config.update(ACD_HOLD_PAUSE_SECONDS=5, ACD_WRAP_UP_SECONDS=0)
    with db(app) as session:
        seed(session)
        session.commit()
    make_available(app, agent_id(app))
    with app.app_context(), db(app) as session:
        take_break(session, desk_for(app), agent_id(app))
        session.commit()
    assert desk_for(app).acd.staffed() == 1
    return app


def call_row(app: Flask, call_sid: str) -> Call:
    with db(app) as session:
        call = session.scalar(select(Call).where(Call.call_sid == call_sid))
        _ = [e.kind for e in call.events]
        session.expunge_all()
        return call


def test_long_wait_offers_a_callback_that_keeps_the_place(queue_app: Flask, phone: Any) -> None:
    """A 375 s estimate (over 120 s) brings the explicit offer once per announcement; 1 takes it."""
    app = queue_app
    app.config.update(ACD_ANNOUNCE_SECONDS=60)  # three silent cycles fit in one interval
    phone.voice_path = "/test/ivr"
    script = [Caller.silence(), Caller.silence(), Caller.silence(), "1", "1", "2"]
    call = phone.dial(from_=CALLER, caller=Caller.scripted(script))
    assert call.wait(timeout=30)
    said = call.said()
    assert said.count(LONG_OFFER) == 1 and REMINDER not in said
    assert said.count(text("en-GB", "queue.hold")) >= 3  # the cycles in between stay short
    assert said[-1] == prompts.text("en-GB", "goodbye")
    row = call_row(app, call.sid)
    with db(app) as session:
        request = session.scalar(select(CallbackRequest))
    assert request is not None and row.priority is not None
    assert (request.priority, request.virtual_start_at) == (row.priority, row.virtual_start_at)
    assert request.origin_call_id == row.id and row.left_queue_at is not None


def test_short_wait_keeps_the_ordinary_reminder(queue_app: Flask, phone: Any) -> None:
    """Below the threshold the caller hears the estimate and the usual reminder, not the offer."""
    app = queue_app
    app.config.update(ACD_ANNOUNCE_SECONDS=0, CALLBACK_OFFER_WAIT_SECONDS=600)
    phone.voice_path = "/test/ivr"
    call = phone.dial(from_=CALLER, caller=Caller.scripted([Caller.silence(), Caller.hangup()]))
    assert call.wait(timeout=30)
    said = call.said()
    assert REMINDER in said and LONG_OFFER not in said
    assert any(line.startswith("We expect to answer your call in") for line in said)
    with db(app) as session:
        assert session.scalar(select(CallbackRequest)) is None


def test_nobody_on_shift_is_an_infinite_wait_and_gets_the_offer(app: Flask, phone: Any) -> None:
    """With agents rostered but none logged in, the wait is unknown: the offer is made."""
    stand_in_ivr(app)
    open_desk(app)
    app.config.update(ACD_ANNOUNCE_SECONDS=0, ACD_HOLD_PAUSE_SECONDS=5)
    with db(app) as session:
        seed(session)
        session.commit()
    phone.voice_path = "/test/ivr"
    call = phone.dial(from_=CALLER, caller=Caller.scripted([Caller.hangup()]))
    assert call.wait(timeout=30)
    assert LONG_OFFER in call.said()


def closed_desk(app: Flask) -> None:
    stand_in_ivr(app)
    with db(app) as session:
        seed(session)
        session.commit()
    open_desk(app, hours=(dt.time(3, 0), dt.time(3, 1)))


@pytest.mark.parametrize("answer", ["2", Caller.silence()])
def test_closed_desk_caller_can_decline_the_callback(app: Flask, phone: Any, answer: Any) -> None:
    """Sent to the offer by a closed desk, a caller who says no (or nothing) is let go kindly."""
    closed_desk(app)
    phone.voice_path = "/test/ivr"
    call = phone.dial(from_=CALLER, caller=Caller.scripted([answer, answer]))
    assert call.wait(timeout=30)
    said = call.said()
    assert prompts.text("en-GB", "ask_wanted") in said
    assert said[-2:] == [prompts.text("en-GB", "declined"), prompts.text("en-GB", "goodbye")]
    assert not any("0 7 7 0 0" in line for line in said)  # never got as far as the number
    row = call_row(app, call.sid)
    assert row.outcome == "closed"
    assert "callback_declined" in [e.kind for e in row.events]
    with db(app) as session:
        assert session.scalar(select(CallbackRequest)) is None


def test_closed_desk_caller_who_says_yes_books_the_callback(app: Flask, phone: Any) -> None:
    """Yes leads to the usual number and safety questions, and a callback for the opening."""
    closed_desk(app)
    phone.voice_path = "/test/ivr"
    call = phone.dial(from_=CALLER, caller=Caller.scripted(["1", "1", "1"]))
    assert call.wait(timeout=30)
    said = call.said()
    asked = said.index(prompts.text("en-GB", "ask_wanted"))
    assert any("0 7 7 0 0, 9 0 0 0 0 1" in line for line in said[asked + 1 :])
    with db(app) as session:
        request = session.scalar(select(CallbackRequest))
        assert request is not None and request.safe_to_leave_message is True
    assert call_row(app, call.sid).outcome == "callback_requested"
