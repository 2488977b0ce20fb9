"""Voice webhooks for the IVR: each parses Twilio's form, runs one step, commits, answers TwiML."""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, Response, current_app, request
from sqlalchemy.orm import Session
from twilio.twiml.voice_response import VoiceResponse

from calls.journey import open_call, record
from calls.models import Call
from calls.voice_step import run_voice_step
from core.clock import now
from core.db import get_session
from core.redis_conn import get_redis
from ivr import responses, steps
from telephony import forms, twiml
from telephony.forms import VoiceEvent
from telephony.webhook import twilio_webhook

bp = Blueprint("ivr", __name__)
StepFn = Callable[[Session, Call, VoiceEvent, steps.Context], VoiceResponse]
MAX_SILENT = 10


@bp.post("/voice/incoming")
@twilio_webhook()
def incoming() -> Response:
    """Answer a new call: record it, give the 999 line first, then the choice of language."""
    event = forms.voice_event(request.form)
    if event.call_sid:
        session = get_session()
        record(session, open_call(session, event.call_sid, event.caller_e164), "greeted")
        session.commit()
    config = current_app.config
    languages = tuple(config["IVR_LANGUAGES"]) or ("en-GB",)
    return twiml.xml(responses.greeting(config["HELPLINE_NAME"], languages))


@bp.post(responses.LANGUAGE_URL)
@twilio_webhook()
def language() -> Response:
    """Keep the caller's language for the call and offer the main menu in it."""
    return _run(steps.language)


@bp.post(responses.MENU_URL)
@twilio_webhook()
def menu() -> Response:
    """Act on the main menu choice."""
    return _run(steps.menu)


@bp.post(responses.REFERENCE_URL)
@twilio_webhook()
def reference() -> Response:
    """Take the keyed crime reference."""
    return _run(steps.reference)


@bp.post(responses.DATE_OF_BIRTH_URL)
@twilio_webhook()
def date_of_birth() -> Response:
    """Take the keyed date of birth; read the case update if it matches."""
    return _run(steps.date_of_birth)


@bp.post(responses.AFTER_STATUS_URL)
@twilio_webhook()
def after_status() -> Response:
    """Repeat the update, text it, a person, a callback, or goodbye."""
    return _run(steps.after_status)


@bp.post(responses.PERSON_URL)
@twilio_webhook()
def person() -> Response:
    """Put the caller through to a person, or offer a callback if the desk is closed."""
    return _run(steps.to_person)


@bp.post(responses.CLOSED_URL)
@twilio_webhook()
def closed() -> Response:
    """Take the closed-desk choice: a callback, or goodbye."""
    return _run(steps.closed)


def _run(step: StepFn) -> Response:
    """Run an IVR step with what it needs to know: settings, Redis, the time, silences so far."""
    silent = min(max(request.args.get("silent", 0, type=int), 0), MAX_SILENT)
    context = steps.Context(current_app.config, get_redis(), now(), silent)
    return run_voice_step(lambda session, call, event: step(session, call, event, context))
