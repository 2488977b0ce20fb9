"""Twilio status callbacks and inbound SMS."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, request

from calls.journey import apply_status
from calls.sms import handle_inbound_sms
from core.clock import now
from core.db import get_session
from core.features import registry
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
        app = current_app._get_current_object()  # type: ignore[attr-defined]
        for handler in registry(app).call_ended:  # e.g. the queue frees the agent
            handler(app, session, call, now())
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
