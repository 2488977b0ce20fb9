"""Twilio status callbacks and inbound SMS."""

from __future__ import annotations

from flask import Blueprint, Response, request

from calls.journey import apply_status
from calls.sms import handle_inbound_sms
from core.db import get_session
from telephony import forms, twiml
from telephony.webhook import twilio_webhook

bp = Blueprint("calls", __name__)


@bp.post("/voice/status")
@twilio_webhook(fallback=twiml.empty)
def call_status() -> Response:
    """Record a call's progress; tolerate repeats and out-of-order delivery."""
    session = get_session()
    apply_status(session, forms.status_event(request.form))
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
