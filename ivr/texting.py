"""Text a victim their status headline: only to their number on record, only if they opted in."""

from __future__ import annotations

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from calls.journey import record
from calls.models import Call, CallEvent
from cases.models import Case
from ivr.script import headline
from messaging.sending import send_text
from prompts import Prompts
from telephony.numbers import spoken
from telephony.twilio_port import get_port


def text_status(session: Session, call: Call, p: Prompts, helpline: str) -> str:
    """Send the status headline by SMS if allowed; return the words to say about it."""
    case = session.get(Case, call.case_id) if call.authenticated and call.case_id else None
    if case is None:
        return p.text("status.unknown")
    victim = case.victim
    # Right 3: texts can put a victim at risk (e.g. a shared phone), so SMS is opt-in and
    # goes only to the number on record, never to whatever number happens to be calling.
    if not victim.sms_allowed or not victim.phone_e164:
        record(session, call, "sms_refused", case_id=case.id)
        return p.text("sms.not_available")
    if _already_sent(session, call):
        return p.text("sms.already_sent")
    # Only the headline: the detail and the officer's name stay off a phone others may read.
    body = p.text("sms.body", helpline=helpline, headline=headline(p, case.status_code))
    sent = send_text(session, get_port(), victim.phone_e164, body)
    if sent.outcome == "opted_out":
        record(session, call, "sms_opted_out", case_id=case.id)
        return p.text("sms.opted_out", number=spoken(current_app.config["HELPLINE_NUMBER"]))
    if sent.outcome == "failed":
        record(session, call, "sms_failed", case_id=case.id, error=sent.error)
        return p.text("sms.failed")
    record(session, call, "sms_sent", case_id=case.id, message_sid=sent.sid)
    return p.text("sms.sent")


def _already_sent(session: Session, call: Call) -> bool:
    """Say whether this call has already sent its one status text."""
    count = session.scalar(
        select(func.count())
        .select_from(CallEvent)
        .where(CallEvent.call_id == call.id, CallEvent.kind == "sms_sent")
    )
    return bool(count)
