"""Run one step of a caller's voice conversation: the shape every voice webhook shares."""

from __future__ import annotations

from collections.abc import Callable

from flask import Response, request
from sqlalchemy.orm import Session
from twilio.twiml.voice_response import VoiceResponse

from calls.journey import open_call
from calls.models import Call
from core.db import get_session
from telephony import forms, twiml
from telephony.forms import VoiceEvent

VoiceStep = Callable[[Session, Call, VoiceEvent], VoiceResponse]


def run_voice_step(step: VoiceStep) -> Response:
    """Parse Twilio's form, find (or open) the call, run `step`, commit, answer its TwiML."""
    event = forms.voice_event(request.form)
    if not event.call_sid:
        return twiml.xml(twiml.apology())
    session = get_session()
    call = open_call(session, event.call_sid, event.caller_e164)
    document = step(session, call, event)
    session.commit()
    return twiml.xml(document)
