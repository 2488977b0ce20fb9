"""Voice webhooks for callbacks: the offer conversation and both legs of each attempt."""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, Flask, Response, current_app, request
from sqlalchemy.orm import Session
from twilio.twiml.voice_response import VoiceResponse

from callbacks import conversation, dialer, legs, responses
from callbacks.conversation import Draft
from callbacks.models import CallbackRequest
from callbacks.service import Policy
from calls.models import Call
from calls.voice_step import run_voice_step
from core.clock import now
from core.db import get_session
from core.redis_conn import get_redis
from telephony import forms, twiml
from telephony.forms import VoiceEvent
from telephony.webhook import twilio_webhook

bp = Blueprint("callbacks", __name__)
Step = Callable[[Call, Draft, str | None], VoiceResponse]


def _app() -> Flask:
    return current_app._get_current_object()  # type: ignore[attr-defined]


def _converse(step: Step) -> Response:
    """Run one step of the offer conversation with the call's draft request and keyed digits."""
    return run_voice_step(
        lambda _session, call, event: step(call, Draft(get_redis(), call.call_sid), event.digits)
    )


@bp.post("/voice/callback")
@bp.post(responses.OFFER_URL)
@twilio_webhook()
def offer() -> Response:
    """Start the offer: the IVR menu, the queue (key 1, long wait) and a closed desk land here."""

    reason = request.args.get("reason")

    def step(call: Call, draft: Draft, _digits: str | None) -> VoiceResponse:
        conversation.note_offer(get_session(), call)
        return conversation.begin(call, draft, reason)

    return _converse(step)


@bp.post(responses.DECIDE_URL)
@twilio_webhook()
def decide() -> Response:
    """Take 1 (yes, call me back) or 2 (no thank you) from a caller who did not ask."""
    return _converse(
        lambda call, draft, digits: conversation.decide(get_session(), call, draft, digits)
    )


@bp.post(responses.CHOICE_URL)
@twilio_webhook()
def choice() -> Response:
    """Take 1 (call me on this number) or 2 (another number)."""
    tries = current_app.config["CALLBACK_NUMBER_TRIES"]
    return _converse(lambda call, draft, digits: conversation.choose(call, draft, digits, tries))


@bp.post(responses.NUMBER_URL)
@twilio_webhook()
def number() -> Response:
    """Take a keyed number, validate it and read it back."""
    tries = current_app.config["CALLBACK_NUMBER_TRIES"]
    return _converse(
        lambda call, draft, digits: conversation.take_number(call, draft, digits, tries)
    )


@bp.post(responses.SAFE_URL)
@twilio_webhook()
def safe() -> Response:
    """Take whether a message may be left, record the request, say when we will call."""
    policy = Policy.from_config(current_app.config)
    requested: list[CallbackRequest] = []

    def step(session: Session, call: Call, event: VoiceEvent) -> VoiceResponse:
        draft = Draft(get_redis(), call.call_sid)
        outcome = conversation.take_safety(session, call, draft, event.digits, now(), policy)
        if outcome.requested is not None:
            requested.append(outcome.requested.request)
        return outcome.twiml

    answer = run_voice_step(step)
    for new_request in requested:  # after the commit: the dialer's job reads the saved row
        dialer.enqueue_new(_app(), get_session(), new_request)
    return answer


@bp.post(responses.AGENT_URL)
@twilio_webhook(fallback=responses.hang_up)
def agent_answered() -> Response:
    """The agent picked up: brief them, hold them in the room, and dial the victim."""
    document = legs.agent_answered(_app(), get_session(), _attempt_id(), _sid())
    return twiml.xml(document)


@bp.post(responses.AGENT_STATUS_URL)
@twilio_webhook(fallback=twiml.empty)
def agent_status() -> Response:
    """The agent's leg ended: if they never answered, the callback goes back to its place."""
    event = forms.status_event(request.form)
    legs.agent_leg_ended(_app(), get_session(), _attempt_id(), event)
    return twiml.xml(twiml.empty())


@bp.post(responses.AGENT_NOTE_URL)
@twilio_webhook(fallback=responses.hang_up)
def agent_note() -> Response:
    """The victim's leg ended without the victim: tell the waiting agent why, and hang up."""
    return twiml.xml(legs.agent_note(get_session(), _attempt_id()))


@bp.post(responses.VICTIM_URL)
@twilio_webhook(fallback=responses.hang_up)
def victim_answered() -> Response:
    """The victim's phone answered: a person joins the agent; a machine gets at most a note."""
    answered_by = request.form.get("AnsweredBy", "")[:40]
    document = legs.victim_answered(_app(), get_session(), _attempt_id(), _sid(), answered_by)
    return twiml.xml(document)


@bp.post(responses.VICTIM_STATUS_URL)
@twilio_webhook(fallback=twiml.empty)
def victim_status() -> Response:
    """The victim's leg ended: no answer, busy or failed means a retry (or giving up)."""
    event = forms.status_event(request.form)
    legs.victim_leg_ended(_app(), get_session(), _attempt_id(), event)
    return twiml.xml(twiml.empty())


def _attempt_id() -> int:
    raw = request.args.get("attempt", "")
    return int(raw) if raw.isdigit() else 0


def _sid() -> str:
    return forms.voice_event(request.form).call_sid or ""
