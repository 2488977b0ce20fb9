"""The offer conversation: which number, is it safe to leave a message, when we will call.

A caller who asked for a callback (the IVR menu, 1 in the queue) starts at the number. One
sent here because nobody can take the call (`?reason=closed` from the queue) is first asked
whether they want one at all, and may say no and leave.

Between webhooks the number being confirmed lives in Redis (an hour), never in a URL, so it
stays out of Twilio's and our request logs.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import redis
from sqlalchemy.orm import Session
from twilio.twiml.voice_response import VoiceResponse

from callbacks import prompts, responses
from callbacks.service import Policy, Requested, request_callback
from calls.journey import record
from calls.models import Call
from telephony.numbers import is_callable, spoken, to_e164

DRAFT_TTL = 3600


@dataclass(frozen=True)
class Outcome:
    """What to answer the caller, and the request if one was made."""

    twiml: VoiceResponse
    requested: Requested | None = None


class Draft:
    """The number under discussion and how many tries this step has used (in Redis)."""

    def __init__(self, client: redis.Redis, call_sid: str) -> None:
        self.redis, self.key = client, f"hl:callback-offer:{call_sid}"

    @property
    def number(self) -> str | None:
        """Return the number the caller is confirming, if any."""
        return self.redis.hget(self.key, "number")  # type: ignore[return-value]

    def set_number(self, number: str | None) -> None:
        """Remember a candidate number and start the step's tries again."""
        self.redis.delete(self.key)
        if number:
            self.redis.hset(self.key, "number", number)
        self.redis.expire(self.key, DRAFT_TTL)

    def new_step(self) -> None:
        """Start a new question with a fresh count of tries."""
        self.redis.hdel(self.key, "tries")

    def failed(self) -> int:
        """Count one more failed try at this step; return the total."""
        tries = int(self.redis.hincrby(self.key, "tries", 1))
        self.redis.expire(self.key, DRAFT_TTL)
        return tries

    def clear(self) -> None:
        """Forget the conversation."""
        self.redis.delete(self.key)


def spoken_number(e164: str) -> str:
    """Return the number as the caller would write it, spelled out digit by digit."""
    return spoken(e164)


# Why the caller is here, from the redirect's query string: they did not ask, so ask first.
ASK_FIRST = frozenset({"closed", "queue_problem"})


def begin(call: Call, draft: Draft, reason: str | None = None) -> VoiceResponse:
    """Start the offer: ask whether they want one if they did not ask, else go to the number."""
    if reason in ASK_FIRST:
        draft.set_number(None)
        return responses.ask_wanted(call.language, [])
    return start_number(call, draft)


def start_number(call: Call, draft: Draft) -> VoiceResponse:
    """Read back the caller's own number, or ask for one if withheld."""
    own = call.from_e164 if call.from_e164 and is_callable(call.from_e164) else None
    draft.set_number(own)
    if own is None:
        return responses.ask_number(call.language, [prompts.text(call.language, "withheld")])
    return responses.confirm_number(call.language, spoken_number(own), [])


def decide(session: Session, call: Call, draft: Draft, digits: str | None) -> VoiceResponse:
    """Take 1 (yes, call me back) or 2 (no); two silences or wrong keys mean no."""
    if digits == "1":
        return start_number(call, draft)
    if digits != "2" and draft.failed() < 2:
        return responses.ask_wanted(call.language, [prompts.text(call.language, "no_input")])
    draft.clear()
    decline(session, call)
    return responses.finish(call.language, [prompts.text(call.language, "declined")])


def decline(session: Session, call: Call) -> None:
    """End without a callback, as the IVR's closed desk does (self-served if status heard)."""
    call.outcome = "self_served" if call.status_heard_at else "closed"
    record(session, call, "callback_declined")


def choose(call: Call, draft: Draft, digits: str | None, max_tries: int) -> VoiceResponse:
    """Take 1 (that number is right) or 2 (another number)."""
    number = draft.number
    if digits == "1" and number:
        draft.new_step()
        return responses.ask_safe(call.language, [])
    if digits == "2" or not number:
        draft.new_step()
        return responses.ask_number(call.language, [])
    if draft.failed() >= max_tries:
        return give_up(call)
    sorry = [prompts.text(call.language, "no_input")]
    return responses.confirm_number(call.language, spoken_number(number), sorry)


def take_number(call: Call, draft: Draft, digits: str | None, max_tries: int) -> VoiceResponse:
    """Validate a keyed number (UK by default); refuse invalid and premium-rate numbers."""
    e164 = to_e164(digits.rstrip("#")) if digits else None
    problem = _problem(e164, digits)
    if problem is None and e164 is not None:
        draft.set_number(e164)
        return responses.confirm_number(call.language, spoken_number(e164), [])
    if draft.failed() >= max_tries:
        return give_up(call)
    return responses.ask_number(call.language, [prompts.text(call.language, problem or "")])


def _problem(e164: str | None, digits: str | None) -> str | None:
    if not digits:
        return "no_input"
    if e164 is None:
        return "number_invalid"
    return None if is_callable(e164) else "number_premium"


def give_up(call: Call) -> VoiceResponse:
    """End politely after too many tries, with the 999 line."""
    return responses.finish(call.language, [prompts.text(call.language, "give_up")])


def take_safety(
    session: Session,
    call: Call,
    draft: Draft,
    digits: str | None,
    at: dt.datetime,
    policy: Policy,
) -> Outcome:
    """Take yes/no for leaving a message (silence twice means no), then record the request."""
    number = draft.number
    if number is None:
        return Outcome(responses.ask_number(call.language, []))
    if digits not in ("1", "2") and draft.failed() < 2:
        return Outcome(responses.ask_safe(call.language, [prompts.text(call.language, "no_input")]))
    requested = request_callback(session, call, number, digits == "1", at, policy)
    draft.clear()
    return Outcome(
        responses.finish(call.language, closing_lines(call, requested, policy)), requested
    )


def closing_lines(call: Call, requested: Requested, policy: Policy) -> list[str]:
    """Say whether this updated an earlier request, when we will call, and the SMS."""
    lang = call.language
    lines = [prompts.text(lang, "updated")] if requested.updated else []
    if requested.opens_at is None:
        # "You have kept your place in the queue" is only true for a caller who was queued.
        lines.append(prompts.text(lang, "queued_open" if call.queued_at else "queued_later"))
    else:
        lines.append(prompts.text(lang, "queued_closed", when=when(requested, policy)))
    if requested.request.sms_confirmation:
        lines.append(prompts.text(lang, "sms_follows"))
    return lines


def when(requested: Requested, policy: Policy) -> str:
    """Say when the victim will be called, in their language and the desk's time zone."""
    zone = ZoneInfo(policy.timezone)
    opens = requested.opens_at.astimezone(zone) if requested.opens_at else None
    today = requested.request.requested_at.astimezone(zone).date()
    return prompts.spoken_when(requested.request.language, opens, today)


def note_offer(session: Session, call: Call) -> None:
    """Mark in the journey that the caller was offered a callback."""
    record(session, call, "callback_offered")
