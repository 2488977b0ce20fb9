"""Queue services: join, route, offer, answer, settle, abandon, leave. Never commit.

Extension point: dispatch returns an `Offer` for an entry `<kind>:<id>`; `route` hands it to
the handler a feature registered for that kind in its `init_app` (`add_offer_handler`, see
core/features.py). Calls ("call:<CallSid>") are offered by `offer_call` here, registered by
queueing's `init_app`; callbacks ("cb:<id>") register their own handler.
A handler returns False when the entry's owner is gone (it must then drop the entry), and
raises `OfferFailed` when the offer could not be delivered through no fault of the agent:
`route` then gives the entry back at its place, frees the agent without counting a miss, and
stops for now (the next sweep, hold cycle or agent event tries again).
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import NoReturn

import requests
from flask import Flask
from sqlalchemy.orm import Session
from twilio.base.exceptions import TwilioException, TwilioRestException

from calls.journey import find_call, record
from calls.models import Call
from cases.models import Case
from core.clock import now
from queueing.acd import Left, Offer
from queueing.desk import Desk, desk_for
from queueing.routing import call_class, priority_for
from roster.hours import is_open, next_opening
from roster.shifts import agents_on_shift

log = logging.getLogger("helpline.queueing")
GONE_CODES = frozenset({20404, 21220})


class OfferFailed(Exception):
    """An offer never reached the agent (e.g. Twilio down): give it back and back off."""


def ms(at: dt.datetime) -> int:
    """Return an aware datetime as epoch milliseconds (what the Lua scripts take)."""
    return int(at.timestamp() * 1000)


def from_ms(value: int) -> dt.datetime:
    """Return epoch milliseconds as an aware UTC datetime."""
    return dt.datetime.fromtimestamp(value / 1000, dt.UTC)


def entry_for(call: Call) -> str:
    """Return the queue entry id of a call."""
    return f"call:{call.call_sid}"


@dataclass(frozen=True)
class Joined:
    """The outcome of asking for a person: queued at a position, or not available now."""

    queued: bool
    position: int = 0
    opening: dt.datetime | None = None


def join_queue(session: Session, desk: Desk, call: Call, at: dt.datetime) -> Joined:
    """Queue the call at its place, or say the desk cannot take it (closed, nobody on shift)."""
    tz = desk.config.timezone
    if not is_open(session, at, tz) or not agents_on_shift(session, at, tz):
        record(session, call, "queue_unavailable", open=is_open(session, at, tz))
        return Joined(queued=False, opening=next_opening(session, at, tz))
    case = session.get(Case, call.case_id) if call.case_id else None
    priority = call.priority or priority_for(call, case, desk.config)
    start = call.virtual_start_at or call.wanted_agent_at or at
    klass = call_class(call, case, desk.config)
    position = desk.acd.enqueue(
        entry_for(call), priority, ms(start), klass, ms(at), desk.config.ageing_ms
    )
    call.queued_at = call.queued_at or at
    call.priority, call.virtual_start_at = priority, start
    record(session, call, "queued", position=position, priority=priority, requirement=klass)
    return Joined(queued=True, position=position)


def route(session: Session, desk: Desk, limit: int = 25) -> list[Offer]:
    """Make every match that can be made now and offer each one; return the offers."""
    offers: list[Offer] = []
    for _ in range(limit):
        offer = desk.acd.dispatch(ms(now()), desk.config.relax_ms, desk.config.hold_ms)
        if offer is None:
            break
        handler = desk.offers.get(offer.kind)
        if handler is None:
            log.error("no offer handler for %s; dropping it", offer.entry)
            desk.acd.abandon(offer.entry, ms(now()))
            continue
        try:
            if handler(session, desk, offer):
                offers.append(offer)
        except OfferFailed:
            # Not the agent's fault: no miss. Stop, or the same entry would go straight back
            # to the same agent (both keep their places) and fail again in a hot loop.
            desk.acd.offer_failed(offer, ms(now()))
            break
    return offers


def offer_call(session: Session, desk: Desk, offer: Offer) -> bool:
    """Redirect the waiting caller to TwiML that dials the agent."""
    call = find_call(session, offer.ref)
    if call is None:
        desk.acd.abandon(offer.entry, ms(now()))
        return False
    query: dict[str, str | int] = {"entry": offer.entry, "agent": offer.agent, "token": offer.token}
    try:
        desk.port().redirect_call(call.call_sid, desk.url("/voice/queue/connect", **query))
    except TwilioRestException as exc:
        if exc.status == 404 or exc.code in GONE_CODES:
            abandon_call(session, desk, call, now())
            return False
        _offer_failed(session, call, offer, status=exc.status, error=exc.code)
    except (TwilioException, requests.RequestException) as exc:
        _offer_failed(session, call, offer, status=None, error=type(exc).__name__)
    record(session, call, "offered", agent_id=offer.agent, token=offer.token)
    return True


def _offer_failed(
    session: Session, call: Call, offer: Offer, status: int | None, error: int | str | None
) -> NoReturn:
    """Record why the redirect failed (a code, never the message: it may hold a number)."""
    log.warning("offer of %s failed (%s %s); it keeps its place", offer.entry, status, error)
    record(session, call, "offer_failed", agent_id=offer.agent, status=status, error=error)
    raise OfferFailed(offer.entry)


def accept_offer(session: Session, desk: Desk, offer: Offer, at: dt.datetime) -> bool:
    """The agent answered: connect the caller once, and record the answer; False if stale."""
    wait_ms = desk.acd.accept(offer, ms(at))
    call = find_call(session, offer.ref) if offer.kind == "call" else None
    if wait_ms is None or call is None:
        return wait_ms is not None
    call.agent_id, call.answered_at = offer.agent, at
    call.wait_seconds, call.outcome = wait_ms / 1000, "answered"
    record(session, call, "answered", agent_id=offer.agent, wait_seconds=wait_ms / 1000)
    return True


def settle_offer(session: Session, desk: Desk, offer: Offer, at: dt.datetime) -> str:
    """The agent's leg ended: "finished", "requeued" (no answer) or "stale"."""
    config = desk.config
    result = desk.acd.settle(offer, ms(at), config.wrap_ms, config.max_missed)
    call = find_call(session, offer.ref)
    if call is not None and result[0] == "finished":
        call.agent_ended_at = at
        record(session, call, "agent_call_ended", agent_id=offer.agent, handle_ms=int(result[1]))
    elif call is not None and result[0] == "requeued":
        record(session, call, "no_answer", agent_id=offer.agent, agent_state=result[2])
    return result[0]


def abandon_call(session: Session, desk: Desk, call: Call, at: dt.datetime) -> bool:
    """The caller hung up before an agent answered: record the wait and position."""
    gone = desk.acd.abandon(entry_for(call), ms(at))
    if gone is None:
        return False
    position = gone.position or 1  # 0 means they were being offered: at the front
    call.abandoned_at, call.wait_seconds = at, gone.wait_ms / 1000
    call.abandon_position, call.outcome = position, "abandoned"
    record(session, call, "abandoned", wait_seconds=gone.wait_ms / 1000, position=position)
    return True


def leave_for_callback(session: Session, desk: Desk, call: Call, at: dt.datetime) -> Left | None:
    """Take the caller out of the queue, keeping their priority and place for a callback."""
    left = desk.acd.leave(entry_for(call), ms(at))
    if left is None:
        return None
    call.priority, call.virtual_start_at = left.priority, from_ms(left.virtual_start_ms)
    call.left_queue_at, call.wait_seconds = at, left.wait_ms / 1000
    record(session, call, "left_queue", reason="callback", position=left.position)
    return left


def on_call_ended(app: Flask, session: Session, call: Call, at: dt.datetime) -> None:
    """Twilio says the call is over (registered by queueing's init_app for calls' webhook)."""
    call_ended(session, desk_for(app), call, at)


def call_ended(session: Session, desk: Desk, call: Call, at: dt.datetime) -> None:
    """The call is over: finish it if connected, else record an abandon (idempotent)."""
    entry = desk.acd.entry(entry_for(call))
    if not entry:
        return
    if entry.get("state") == "connected":
        offer = Offer(entry_for(call), int(entry["agent"]), entry["token"])
        settle_offer(session, desk, offer, at)
    else:
        abandon_call(session, desk, call, at)
