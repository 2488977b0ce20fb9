"""Twilio status callbacks and inbound SMS."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, request

from calls.journey import apply_status
from calls.sms import handle_inbound_sms
from core.clock import now
from core.db import get_session
from queueing.desk import desk_for
from queueing.service import call_ended
from telephony import forms, twiml
from telephony.webhook import twilio_webhook

bp = Blueprint("calls", __name__)


@bp.post("/voice/status")
@twilio_webhook(fallback=twiml.empty)
def call_status() -> Response:
    """Record a call's progress; tolerate repeats and out-of-order delivery."""
    session = get_session()
    call = apply_status(session, forms.status_event(request.form))
    if call is not None and call.ended_at is not None:
        call_ended(session, desk_for(current_app), call, now())  # type: ignore[arg-type]
    session.commit()
    return twiml.xml(twiml.empty())


@bp.post("/sms/incoming")
@twilio_webhook(fallback=twiml.empty)
def sms_incoming() -> Response:
    """Take a victim's feedback score (1-5) or answer with how to reach us."""
    session = get_session()
    reply = handle_inbound_sms(session, request.form.get("From"), request.form.get("Body", ""))
    session.commit()
    return twiml.xml(reply)
