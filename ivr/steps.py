"""The IVR's decisions: from what the caller did to what they hear next (never commits)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import redis
from sqlalchemy.orm import Session
from twilio.twiml.voice_response import VoiceResponse

from calls.journey import record
from calls.models import Call
from ivr import auth, prompts, responses, routing
from ivr.auth import Step
from telephony.forms import VoiceEvent

# After this many silences in a row the caller is put through to a person: they may not be
# able to use the keypad, and a person is always the safe default.
SILENCES_BEFORE_PERSON = 2
_STATUS_WORDS = ("update", "news", "status", "case", "latest")
_PERSON_WORDS = ("someone", "person", "agent", "adviser", "advisor", "human", "speak", "talk")


@dataclass(frozen=True)
class Context:
    """What every step needs besides the call: settings, Redis, the time, silences so far."""

    config: Mapping[str, Any]
    redis: redis.Redis
    at: dt.datetime
    silent: int = 0

    @property
    def tz(self) -> str:
        """Return the desk's time zone."""
        return str(self.config["TIMEZONE"])

    @property
    def now_ms(self) -> int:
        """Return the time in milliseconds, for Redis scripts."""
        return int(self.at.timestamp() * 1000)


def menu_choice(event: VoiceEvent) -> str | None:
    """Read the main-menu choice from a key press or a few spoken words."""
    if event.digits:
        return {"1": "status", "2": "person", "0": "person"}.get(event.digits[:1])
    words = (event.speech or "").lower()
    if any(word in words for word in _PERSON_WORDS):
        return "person"
    if any(word in words for word in _STATUS_WORDS):
        return "status"
    return None


def menu(session: Session, call: Call, event: VoiceEvent, ctx: Context) -> VoiceResponse:
    """Act on the main menu: self-service, a person, or ask again."""
    choice = menu_choice(event)
    if choice == "status":
        return start_self_service(session, call, ctx)
    if choice == "person" or (not event.has_input and ctx.silent >= SILENCES_BEFORE_PERSON):
        return to_person(session, call, event, ctx)
    lead = prompts.NOT_AN_OPTION if event.has_input else prompts.NO_INPUT
    return responses.main_menu(lead=lead, silent=0 if event.has_input else ctx.silent)


def start_self_service(session: Session, call: Call, ctx: Context) -> VoiceResponse:
    """Ask for the crime reference, unless this number is locked out."""
    record(session, call, "chose_status")
    if auth.number_locked(ctx.redis, call, ctx.config):
        record(session, call, "auth_locked")
        return responses.cannot_authenticate("")
    return responses.ask_reference()


def reference(session: Session, call: Call, event: VoiceEvent, ctx: Context) -> VoiceResponse:
    """Take the keyed crime reference."""
    if not event.digits:
        return _silence(session, call, event, ctx, responses.ask_reference(silent=ctx.silent))
    step = auth.take_reference(session, ctx.redis, call, event.digits, ctx.config, ctx.now_ms)
    return _after_auth(session, call, step, ctx)


def date_of_birth(session: Session, call: Call, event: VoiceEvent, ctx: Context) -> VoiceResponse:
    """Take the keyed date of birth and, if it matches, read the case update."""
    if not event.digits:
        return _silence(session, call, event, ctx, responses.ask_date_of_birth(ctx.silent))
    step = auth.check_date_of_birth(session, ctx.redis, call, event.digits, ctx.config, ctx.now_ms)
    return _after_auth(session, call, step, ctx)


def _silence(
    session: Session, call: Call, event: VoiceEvent, ctx: Context, again: VoiceResponse
) -> VoiceResponse:
    if ctx.silent >= SILENCES_BEFORE_PERSON:
        return to_person(session, call, event, ctx)
    return again


def _after_auth(session: Session, call: Call, step: Step, ctx: Context) -> VoiceResponse:
    if step is Step.VERIFIED:
        return responses.case_status(routing.case_update(session, call, ctx.at, ctx.tz))
    if step is Step.ASK_DATE_OF_BIRTH:
        return responses.ask_date_of_birth()
    if step is Step.ASK_REFERENCE:
        return responses.ask_reference()
    if step is Step.BAD_FORMAT:
        return responses.ask_reference(lead=f"{prompts.REFERENCE_FORMAT} {prompts.TRY_AGAIN}")
    if step is Step.TRY_AGAIN:
        return responses.not_matched_try_again()
    lead = prompts.NOT_MATCHED if step is Step.GIVE_UP else ""
    return responses.cannot_authenticate(lead)


def after_status(session: Session, call: Call, event: VoiceEvent, ctx: Context) -> VoiceResponse:
    """Repeat the update, put the caller through, or say goodbye."""
    choice = (event.digits or "")[:1]
    if choice == "1":
        return responses.case_status(routing.case_update(session, call, ctx.at, ctx.tz))
    if choice in ("2", "0"):
        return to_person(session, call, event, ctx)
    return responses.goodbye()


def to_person(session: Session, call: Call, event: VoiceEvent, ctx: Context) -> VoiceResponse:
    """Hand the caller to the queue, or offer a callback when the desk is closed."""
    route = routing.ask_for_person(session, call, ctx.at, ctx.tz)
    if route.open:
        return responses.connect_to_queue(str(ctx.config["IVR_QUEUE_URL"]))
    return responses.desk_closed(route.reopening)


def closed(session: Session, call: Call, event: VoiceEvent, ctx: Context) -> VoiceResponse:
    """Take the closed-desk choice: a callback, or goodbye."""
    if (event.digits or "")[:1] == "1":
        routing.want_callback(session, call)
        return responses.to_callback(str(ctx.config["IVR_CALLBACK_URL"]))
    routing.decline_callback(session, call)
    return responses.goodbye()
