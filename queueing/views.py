"""Voice webhooks from "speak to someone" to the end of the agent's call: /voice/queue/..."""

from __future__ import annotations

import re

from flask import Blueprint, Response, current_app, request

from calls.journey import find_call, open_call
from calls.models import Call
from core.clock import now
from core.db import get_session
from queueing import service, twiml
from queueing.acd import Offer
from queueing.desk import Desk, desk_for
from queueing.hold import hold_lines, opening_text
from queueing.whisper import whisper_words
from roster.models import Agent
from telephony import forms
from telephony.handoffs import CALLBACK_OFFER_URL, QUEUE_JOIN_URL
from telephony.twiml import redirect, xml
from telephony.webhook import twilio_webhook

PREFIX = "/voice/queue"
bp = Blueprint("queueing", __name__, url_prefix=PREFIX)
_ENTRY = re.compile(r"^[a-z]+:[A-Za-z0-9]{1,64}$")


def _desk() -> Desk:
    return desk_for(current_app)  # type: ignore[arg-type]


def _call() -> Call | None:
    return find_call(get_session(), forms.voice_event(request.form).call_sid)


def _offer() -> Offer | None:
    """Read the offer a connect/whisper/dialled URL carries; None when malformed."""
    entry, token = request.args.get("entry", ""), request.args.get("token", "")
    agent = request.args.get("agent", "")
    if not _ENTRY.match(entry) or not agent.isdigit() or not token.startswith(entry + "#"):
        return None
    return Offer(entry, int(agent), token)


def _enqueue(desk: Desk, language: str, lead: str | None) -> Response:
    wait, left = desk.url("/voice/queue/wait"), desk.url("/voice/queue/left")
    return xml(twiml.enqueue(language, wait, left, lead))


def _closed_offer(desk: Desk) -> str:
    """The callback offer for a caller we cannot queue: they did not ask, so it asks first."""
    return desk.url(CALLBACK_OFFER_URL, reason="closed")


@bp.post(QUEUE_JOIN_URL.removeprefix(PREFIX))
@twilio_webhook()
def join() -> Response:
    """Queue a caller who asked for a person, or say why we cannot and offer a callback."""
    desk, session, event = _desk(), get_session(), forms.voice_event(request.form)
    if event.call_sid is None:
        opening = opening_text(session, desk, now(), "en-GB")
        return xml(twiml.unavailable("en-GB", opening, _closed_offer(desk)))
    # A call the IVR never recorded still reaches a person, as an unauthenticated caller.
    call = open_call(session, event.call_sid, event.caller_e164)
    joined = service.join_queue(session, desk, call, now())
    session.commit()
    if not joined.queued:
        opening = opening_text(session, desk, now(), call.language)
        return xml(twiml.unavailable(call.language, opening, _closed_offer(desk)))
    return _enqueue(desk, call.language, "queue.joined")


@bp.post("/wait")
@twilio_webhook()
def wait() -> Response:
    """One hold cycle: route first (the caller is surely in Twilio's queue now), then talk."""
    desk, session, call = _desk(), get_session(), _call()
    if call is None:
        return xml(twiml.hold("en-GB", [], desk.url("/voice/queue/keypress"), 5))
    service.route(session, desk)
    lines = hold_lines(session, desk, call, now())
    session.commit()
    keypress = desk.url("/voice/queue/keypress")
    return xml(twiml.hold(call.language, lines, keypress, desk.config.hold_pause_seconds))


@bp.post("/keypress")
@twilio_webhook()
def keypress() -> Response:
    """1: leave the queue for a callback, keeping the place; anything else: keep holding."""
    desk, session, call = _desk(), get_session(), _call()
    digits = forms.voice_event(request.form).digits
    if call is None or digits != "1":
        return xml(redirect(desk.url("/voice/queue/wait")))
    left = service.leave_for_callback(session, desk, call, now())
    session.commit()
    # <Leave> ends the <Enqueue>; its action (/left) then hands over to the callback offer.
    return xml(twiml.leave() if left else redirect(desk.url("/voice/queue/wait")))


@bp.post("/left")
@twilio_webhook()
def left() -> Response:
    """The caller's <Enqueue> ended: hang-up is an abandon, leave goes to the callback offer."""
    desk, session, call = _desk(), get_session(), _call()
    result = request.form.get("QueueResult", "")
    if call is None or result in {"bridged", "redirected", "redirected-from-bridged"}:
        return xml(twiml.nothing())
    if result == "hangup":
        service.abandon_call(session, desk, call, now())
        session.commit()
        return xml(twiml.nothing())
    if result != "leave":
        # Twilio's queue failed them (error, queue-full...): they did not ask, so ask first.
        service.leave_for_callback(session, desk, call, now())
        session.commit()
        url = desk.url(CALLBACK_OFFER_URL, reason="queue_problem")
        return xml(twiml.queue_failed(call.language, url))
    return xml(redirect(desk.url(CALLBACK_OFFER_URL)))


@bp.post("/connect")
@twilio_webhook()
def connect() -> Response:
    """The chosen caller, redirected here by dispatch: ring the agent with a whisper."""
    desk, session, call, offer = _desk(), get_session(), _call(), _offer()
    agent = session.get(Agent, offer.agent) if offer else None
    if call is None or offer is None or agent is None:
        return _enqueue(desk, call.language if call else "en-GB", None)
    query: dict[str, str | int] = {"entry": offer.entry, "agent": offer.agent, "token": offer.token}
    whisper_url = desk.url("/voice/queue/whisper", **query)
    action_url = desk.url("/voice/queue/dialled", **query)
    return xml(
        twiml.connect(call.language, agent, whisper_url, action_url, desk.config.ring_seconds)
    )


@bp.post("/whisper")
@twilio_webhook()
def whisper() -> Response:
    """On the agent's leg after they answer: claim the call once, then tell them who it is."""
    desk, session, offer = _desk(), get_session(), _offer()
    if offer is None or not service.accept_offer(session, desk, offer, now()):
        session.rollback()
        return xml(twiml.whisper_taken())
    words = whisper_words(session, offer)
    session.commit()
    return xml(twiml.whisper(words))


@bp.post("/dialled")
@twilio_webhook()
def dialled() -> Response:
    """The agent's leg ended: after a conversation say goodbye; unanswered, back to the queue."""
    desk, session, call, offer = _desk(), get_session(), _call(), _offer()
    if call is None or offer is None:
        return xml(twiml.goodbye(call.language if call else "en-GB"))
    outcome = service.settle_offer(session, desk, offer, now())
    session.commit()
    waiting = desk.acd.entry(offer.entry).get("state") == "waiting"
    if outcome == "requeued" or waiting:
        return _enqueue(desk, call.language, "queue.still_trying")
    return xml(twiml.goodbye(call.language))
