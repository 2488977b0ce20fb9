"""Whole calls through the IVR, played by the Twilio emulator against the live app."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from calls.models import Call
from core.demo import seed
from ivr import prompts
from roster.models import OpeningHours

emulator = pytest.importorskip("emulator")
Caller = emulator.Caller
pytestmark = pytest.mark.slow
VICTIM = "+447700900123"


@pytest.fixture
def seeded(app: Flask) -> Flask:
    """Demo cases loaded and the desk open around the clock."""
    with app.extensions["helpline.sessionmaker"]() as session:
        seed(session)
        session.commit()
    return app


def the_call(app: Flask) -> Call:
    """Load the only call."""
    with app.extensions["helpline.sessionmaker"]() as session:
        call = session.scalar(select(Call))
        assert call is not None
        return call


def said(call: Any) -> str:
    """Everything the caller heard, as one string."""
    return " ".join(call.said())


def test_victim_hears_their_status_and_hangs_up(phone: Any, seeded: Flask) -> None:
    """999 first, then reference and date of birth, then the status; the call self-serves."""
    call = phone.dial(from_=VICTIM, caller=Caller.scripted(["1", "1234567*24#", "01021980#"]))
    assert call.wait(timeout=30)
    heard = call.said()
    assert "999" in heard[0]
    assert prompts.STATUS_WORDS["UNDER_INVESTIGATION"] in heard
    assert heard[-1] == prompts.GOODBYE
    assert call.status == "completed"
    row = the_call(seeded)
    assert row.authenticated and row.status_heard_at is not None


def test_three_wrong_dates_reach_the_offer_of_a_person(phone: Any, seeded: Flask) -> None:
    """Three failures: the same words each time, then the caller is told they can talk to us."""
    wrong = ["1234567*24#", "11111111#"]
    call = phone.dial(
        from_=VICTIM, caller=Caller.scripted(["1", *wrong, *wrong, *wrong, Caller.hangup()])
    )
    assert call.wait(timeout=30)
    text = said(call)
    assert text.count(prompts.NOT_MATCHED) == 3
    assert prompts.CANNOT_CHECK in text
    assert not the_call(seeded).authenticated


def test_closed_desk_caller_declines_callback(phone: Any, seeded: Flask) -> None:
    """Out of hours, asking for a person hears when we reopen; declining ends the call."""
    with seeded.extensions["helpline.sessionmaker"]() as session:
        for weekday in range(7):
            session.merge(OpeningHours(weekday=weekday, opens=None, closes=None))
        session.commit()
    call = phone.dial(from_=VICTIM, caller=Caller.scripted(["2", Caller.silence()]))
    assert call.wait(timeout=30)
    text = said(call)
    assert prompts.CLOSED in text
    assert call.said()[-1] == prompts.GOODBYE
    assert the_call(seeded).outcome == "closed"
