"""Inbound texts: feedback scores after a call, otherwise a pointer to the phone line."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session
from twilio.twiml.messaging_response import MessagingResponse

from calls.models import Call, Feedback
from core.clock import now
from telephony.numbers import to_e164

FEEDBACK_WINDOW = timedelta(days=2)
_SCORE = re.compile(r"^\s*([1-5])\b(.*)$", re.DOTALL)


def handle_inbound_sms(session: Session, sender: str | None, body: str) -> MessagingResponse:
    """Store a 1-5 score against the sender's latest answered call, and say thank you.

    Every score gets the same thanks, stored or not: a different reply would tell anyone
    who texts a number whether that number spoke to the helpline in the last two days.
    """
    reply = MessagingResponse()
    match = _SCORE.match(body or "")
    if match:
        call = _latest_answered_call(session, to_e164(sender))
        if call is not None:
            session.add(
                Feedback(
                    call_id=call.id,
                    score=int(match.group(1)),
                    comment=match.group(2).strip()[:1000],
                    received_at=now(),
                )
            )
        reply.message("Thank you for your feedback.")
        return reply
    reply.message(
        "This number does not read messages. To hear about your case, call us. "
        "In an emergency dial 999."
    )
    return reply


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
