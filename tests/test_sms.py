"""Inbound SMS: feedback scores after a call."""

from __future__ import annotations

import datetime as dt

from flask import Flask
from sqlalchemy import select

from calls.models import Call, Feedback
from core.clock import now
from tests.twilio_signing import TwilioSigner
from tests.twiml_assert import parse


def sms(body: str, sender: str = "+447700900123") -> dict[str, str]:
    return {
        "MessageSid": "SM" + "c" * 32,
        "AccountSid": "AC" + "1" * 32,
        "From": sender,
        "To": "+442071838750",
        "Body": body,
    }


def answered_call(app: Flask) -> None:
    with app.extensions["helpline.sessionmaker"]() as session:
        session.add(
            Call(
                call_sid="CA" + "d" * 32,
                from_e164="+447700900123",
                started_at=now() - dt.timedelta(hours=1),
                answered_at=now(),
            )
        )
        session.commit()


def test_score_after_an_answered_call_is_stored(app: Flask, twilio: TwilioSigner) -> None:
    """A reply of 4 after speaking to someone is stored against that call."""
    answered_call(app)
    reply = parse(twilio.post("/sms/incoming", sms("4 very helpful")).data)
    assert reply.find("Message").text == "Thank you for your feedback."
    with app.extensions["helpline.sessionmaker"]() as session:
        feedback = session.scalar(select(Feedback))
        assert feedback is not None
        assert (feedback.score, feedback.comment) == (4, "very helpful")


def test_other_texts_get_a_pointer_and_store_nothing(app: Flask, twilio: TwilioSigner) -> None:
    """A text that is not a score, or from someone with no call, stores nothing."""
    answered_call(app)
    for body, sender in (("hello", "+447700900123"), ("9", "+447700900123")):
        reply = parse(twilio.post("/sms/incoming", sms(body, sender)).data)
        assert "999" in reply.find("Message").text
    twilio.post("/sms/incoming", sms("5", "+447700900456"))
    with app.extensions["helpline.sessionmaker"]() as session:
        assert session.scalars(select(Feedback)).all() == []


def test_reply_does_not_reveal_whether_the_number_had_a_call(
    app: Flask, twilio: TwilioSigner
) -> None:
    """A score from a number with an answered call and from one without get the same reply."""
    answered_call(app)
    called = parse(twilio.post("/sms/incoming", sms("5", "+447700900123")).data)
    stranger = parse(twilio.post("/sms/incoming", sms("5", "+447700900456")).data)
    withheld = parse(twilio.post("/sms/incoming", sms("5", "anonymous")).data)
    texts = {r.find("Message").text for r in (called, stranger, withheld)}
    assert len(texts) == 1
