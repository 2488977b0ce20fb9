"""Voice webhooks for the IVR."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, request
from twilio.twiml.voice_response import VoiceResponse

from calls.journey import open_call, record
from core.db import get_session
from telephony import forms, twiml
from telephony.webhook import twilio_webhook

bp = Blueprint("ivr", __name__)


@bp.post("/voice/incoming")
@twilio_webhook()
def incoming() -> Response:
    """Answer a new call: record it and greet the caller."""
    event = forms.voice_event(request.form)
    if event.call_sid:
        session = get_session()
        call = open_call(session, event.call_sid, event.caller_e164)
        record(session, call, "greeted")
        session.commit()
    return twiml.xml(greeting(current_app.config["HELPLINE_NAME"]))


def greeting(helpline_name: str) -> VoiceResponse:
    """Welcome the caller and give the 999 safety line first."""
    response = VoiceResponse()
    response.say(
        f"Welcome to {helpline_name}. If you are in immediate danger, hang up and dial 999.",
        voice="Polly.Amy",
        language="en-GB",
    )
    response.hangup()
    return response
