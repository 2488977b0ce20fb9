"""Inbound texts: opt-out keywords, feedback scores after a call, else a pointer to the line."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session
from twilio.twiml.messaging_response import MessagingResponse

from calls.models import Call, Feedback
from core.clock import now
from messaging.optouts import is_opted_out, keyword, record_opt_in, record_opt_out
from telephony.numbers import to_e164

FEEDBACK_WINDOW = timedelta(days=2)
_SCORE = re.compile(r"^\s*([1-5])\b(.*)$", re.DOTALL)


def handle_inbound_sms(session: Session, sender: str | None, body: str) -> MessagingResponse:
    """Keep the opt-out register, store a 1-5 score, and answer unless the sender opted out.

    Every score gets the same thanks, stored or not: a different reply would tell anyone
    who texts a number whether that number spoke to the helpline in the last two days.
    """
    number = to_e164(sender)
    if _kept_register(session, number, body):
        return MessagingResponse()  # Twilio answers STOP, START and HELP itself
    words = _take_feedback(session, number, body)
    reply = MessagingResponse()
    if not (number and is_opted_out(session, number)):  # else Twilio refuses it (21610)
        reply.message(words)
    return reply


def _take_feedback(session: Session, number: str | None, body: str) -> str:
    """Store a 1-5 score against the sender's latest answered call; return what to reply."""
    match = _SCORE.match(body or "")
    if match is None:
        return (
            "This number does not read messages. To hear about your case, call us. "
            "In an emergency dial 999."
        )
    call = _latest_answered_call(session, number)
    if call is not None:
        session.add(
            Feedback(
                call_id=call.id,
                score=int(match.group(1)),
                comment=match.group(2).strip()[:1000],
                received_at=now(),
            )
        )
    return "Thank you for your feedback."


def _kept_register(session: Session, number: str | None, body: str) -> bool:
    """Record an opt-out or opt-in keyword; say whether the text was one of Twilio's keywords."""
    kind = keyword(body)
    if kind == "opt_out" and number:
        record_opt_out(session, number, "keyword", now())
    elif kind == "opt_in" and number:
        record_opt_in(session, number)
    return kind is not None


def _latest_answered_call(session: Session, number: str | None) -> Call | None:
    if number is None:
        return None
    since = now() - FEEDBACK_WINDOW
    return session.scalar(
        select(Call)
        .where(Call.from_e164 == number, Call.answered_at.is_not(None), Call.started_at >= since)
        .order_by(Call.started_at.desc())
        .limit(1)
    )
