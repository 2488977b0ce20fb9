"""The IVR's decisions: from what the caller did to what they hear next (never commits)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import redis
from sqlalchemy.orm import Session
from twilio.twiml.voice_response import VoiceResponse

from calls.journey import record
from calls.models import Call
from ivr import auth, milestones, responses, texting
from ivr.auth import Step
from prompts import Prompts, catalogue
from telephony import twiml
from telephony.forms import VoiceEvent
from telephony.handoffs import CALLBACK_OFFER_URL, QUEUE_JOIN_URL

# After this many silences in a row the caller is offered a person (or, after their status,
# a goodbye): they may not be able to use the keypad, and nothing may loop forever.
SILENCES_BEFORE_PERSON = 2
MAIN_KEYS = {"1": "status", "2": "person", "0": "person"}
AFTER_STATUS_KEYS = {"1": "status", "2": "text", "3": "person", "0": "person", "4": "callback"}
AFTER_STATUS_KEYS |= {"5": "end", "9": "end"}
# Checked in this order: "call me back" must win over "someone", "status" over "end".
SPOKEN = ("callback", "person", "text", "status", "end")


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

    @property
    def languages(self) -> tuple[str, ...]:
        """Return the caller-selectable languages, the default first."""
        return tuple(self.config["IVR_LANGUAGES"]) or ("en-GB",)


def prompts_for(call: Call) -> Prompts:
    """Return the catalogue of the language the caller chose."""
    return catalogue(call.language)


def choice(
    event: VoiceEvent, keys: Mapping[str, str], p: Prompts, spoken: tuple[str, ...] = SPOKEN
) -> str | None:
    """Read a menu choice from one key press, or from a few spoken words meaning one of `spoken`."""
    if event.digits:
        return keys.get(event.digits[:1])
    said = (event.speech or "").lower()
    for meaning in spoken:
        # Whole words only: "end" must not match "attend", nor "case" match "staircase".
        if any(re.search(rf"\b{re.escape(word)}\b", said) for word in p.words(meaning)):
            return meaning
    return None


def language(session: Session, call: Call, event: VoiceEvent, ctx: Context) -> VoiceResponse:
    """Keep the language chosen by key press (the first one on silence) for the whole call."""
    key = (event.digits or "")[:1]
    index = int(key) - 1 if key.isdigit() else 0
    chosen = ctx.languages[index] if 0 <= index < len(ctx.languages) else ctx.languages[0]
    call.language = chosen
    record(session, call, "language_chosen", language=chosen)
    p = catalogue(chosen)
    helpline = str(ctx.config["HELPLINE_NAME"])
    lead = [p.text("greeting", helpline=helpline)] if chosen != ctx.languages[0] else []
    return responses.main_menu(p, lead)


def menu(session: Session, call: Call, event: VoiceEvent, ctx: Context) -> VoiceResponse:
    """Act on the main menu: self-service, a person, a callback, or ask again."""
    p = prompts_for(call)
    # "Call me back" is understood here too, though only 1 and 2 are announced.
    picked = choice(event, MAIN_KEYS, p, ("callback", "person", "status"))
    if picked == "status":
        record(session, call, "chose_status")
        return responses.ask_reference(p)
    if picked == "callback":
        return to_callback(session, call, "menu", ctx)
    if picked == "person" or (not event.has_input and ctx.silent >= SILENCES_BEFORE_PERSON):
        return to_person(session, call, event, ctx)
    lead = p.text("not_an_option" if event.has_input else "no_input")
    return responses.main_menu(p, [lead], silent=0 if event.has_input else ctx.silent)


def reference(session: Session, call: Call, event: VoiceEvent, ctx: Context) -> VoiceResponse:
    """Take the keyed crime reference."""
    p = prompts_for(call)
    if not event.digits:
        return _silence(session, call, event, ctx, responses.ask_reference(p, silent=ctx.silent))
    step = auth.take_reference(session, ctx.redis, call, event.digits, ctx.config, ctx.now_ms)
    return _after_auth(session, call, step, ctx)


def date_of_birth(session: Session, call: Call, event: VoiceEvent, ctx: Context) -> VoiceResponse:
    """Take the keyed date of birth and, if it matches, read the case update."""
    p = prompts_for(call)
    if not event.digits:
        return _silence(session, call, event, ctx, responses.ask_date_of_birth(p, ctx.silent))
    step = auth.check_date_of_birth(session, ctx.redis, call, event.digits, ctx.config, ctx.now_ms)
    return _after_auth(session, call, step, ctx)


def _silence(
    session: Session, call: Call, event: VoiceEvent, ctx: Context, again: VoiceResponse
) -> VoiceResponse:
    if ctx.silent >= SILENCES_BEFORE_PERSON:
        return to_person(session, call, event, ctx)
    return again


def _after_auth(session: Session, call: Call, step: Step, ctx: Context) -> VoiceResponse:
    p = prompts_for(call)
    if step is Step.VERIFIED:
        return responses.after_status_menu(p, status_script(session, call, ctx))
    if step is Step.ASK_DATE_OF_BIRTH:
        return responses.ask_date_of_birth(p)
    if step is Step.ASK_REFERENCE:
        return responses.ask_reference(p)
    if step is Step.BAD_FORMAT:
        return responses.ask_reference(p, [p.text("reference.format"), p.text("auth.try_again")])
    if step is Step.TRY_AGAIN:
        return responses.ask_reference(p, [p.text("auth.not_matched"), p.text("auth.try_again")])
    # GIVE_UP and LOCKED sound the same: a locked reference must not sound like a known one.
    return responses.cannot_authenticate(p, [p.text("auth.not_matched")])


def status_script(session: Session, call: Call, ctx: Context) -> list[str]:
    """Return the caller's case script (and record that they heard it)."""
    return milestones.case_update(session, call, prompts_for(call), ctx.at, ctx.tz)


def after_status(session: Session, call: Call, event: VoiceEvent, ctx: Context) -> VoiceResponse:
    """Repeat, text, a person, a callback or goodbye; two silences end the call kindly."""
    p = prompts_for(call)
    if not call.authenticated:
        # Out of order (or forged): nothing about a case is read before authentication.
        return responses.main_menu(p)
    picked = choice(event, AFTER_STATUS_KEYS, p)
    if picked == "status":
        return responses.after_status_menu(p, status_script(session, call, ctx))
    if picked == "text":
        helpline = str(ctx.config["HELPLINE_NAME"])
        return responses.after_status_menu(
            p, [p.text(texting.text_status(session, call, p, helpline))]
        )
    if picked == "person":
        return to_person(session, call, event, ctx)
    if picked == "callback":
        return to_callback(session, call, "after_status", ctx)
    if picked == "end" or (not event.has_input and ctx.silent >= SILENCES_BEFORE_PERSON):
        milestones.say_goodbye(session, call, picked or "silence")
        return responses.goodbye(p)
    lead = p.text("not_an_option" if event.has_input else "no_input")
    return responses.after_status_menu(p, [lead], silent=0 if event.has_input else ctx.silent)


def to_person(session: Session, call: Call, event: VoiceEvent, ctx: Context) -> VoiceResponse:
    """Hand the caller to the queue, or offer a callback when the desk is closed."""
    p = prompts_for(call)
    route = milestones.ask_for_person(session, call, p, ctx.at, ctx.tz)
    if route.open:
        return responses.connect_to_queue(QUEUE_JOIN_URL)
    return responses.desk_closed(p, route.reopening)


def to_callback(session: Session, call: Call, reason: str, ctx: Context) -> VoiceResponse:
    """Hand the caller to the callback feature, open or closed."""
    milestones.want_callback(session, call, reason)
    return twiml.redirect(CALLBACK_OFFER_URL)


def closed(session: Session, call: Call, event: VoiceEvent, ctx: Context) -> VoiceResponse:
    """Take the closed-desk choice: a callback, or goodbye."""
    if choice(event, {"1": "callback"}, prompts_for(call), ("callback",)):
        return to_callback(session, call, "closed", ctx)
    milestones.decline_callback(session, call)
    return responses.goodbye(prompts_for(call))
