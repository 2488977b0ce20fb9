"""The seam between callbacks and the ACD's Redis queue (queueing.service / queueing.acd).

A due callback is the ACD entry `cb:<id>`, enqueued with the priority and virtual start time
it inherited, so it keeps the caller's place and counts in positions and wait estimates. The
ACD's dispatcher reserves an agent for it and calls `offer_entry` (callbacks' `init_app`
registers it for kind "cb"); the agent's answer is `accept`ed and the end of the agent's leg
`settle`d, exactly like a live call's offer. The database stays the source of truth: `sync`
rebuilds the ACD side from it.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable

from flask import Flask, current_app
from sqlalchemy.orm import Session

from callbacks.models import CallbackAttempt, CallbackRequest
from cases.models import Case
from core.clock import now
from core.jobs import queue
from queueing.acd import Offer
from queueing.desk import Desk, desk_for
from queueing.routing import class_for, skill_for
from queueing.service import ms, route

log = logging.getLogger("helpline.callbacks")
KIND = "cb"


def entry_id(callback_id: int) -> str:
    """Return the queue entry for a callback."""
    return f"{KIND}:{callback_id}"


def callback_id_of(entry: str) -> int | None:
    """Return the callback id in a `cb:<id>` entry, or None for other kinds."""
    kind, _, raw = entry.partition(":")
    return int(raw) if kind == KIND and raw.isdigit() else None


def enqueue_callback(
    session: Session, desk: Desk, request: CallbackRequest, at: dt.datetime
) -> int:
    """Put a due callback in the queue at the place it inherited (idempotent); its position."""
    case = session.get(Case, request.case_id) if request.case_id else None
    klass = class_for(request.language, skill_for(case.offence if case else "", desk.config))
    return desk.acd.enqueue(
        entry_id(request.id),
        request.priority,
        ms(request.virtual_start_at),
        klass,
        ms(at),
        desk.config.ageing_ms,
    )


def dispatch(session: Session, desk: Desk) -> int:
    """Let the ACD make every match it can now (callbacks and live calls alike)."""
    return len(route(session, desk))


def offer_entry(session: Session, desk: Desk, offer: Offer) -> bool:
    """The ACD chose this callback for an agent: ring them from a job (agent first)."""
    callback_id = callback_id_of(offer.entry)
    if callback_id is None:
        desk.acd.abandon(offer.entry, ms(now()))
        return False
    # route() runs in a request or a job, both inside an app context.
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    queue(app).enqueue(
        "callbacks.jobs.attempt", callback_id, offer.agent, offer.token, job_timeout=120
    )
    return True


def offer_of(attempt: CallbackAttempt) -> Offer | None:
    """Return the ACD reservation an attempt came from (None if offered directly)."""
    if not attempt.offer_token or attempt.agent_id is None:
        return None
    return Offer(entry_id(attempt.callback_id), attempt.agent_id, attempt.offer_token)


def refuse(app: Flask, callback_id: int, agent_id: int, token: str | None) -> None:
    """Drop an offer the database refused (the request is not pending): free the agent."""
    if token:
        desk_for(app).acd.abandon(entry_id(callback_id), ms(now()))


def accept(app: Flask, attempt: CallbackAttempt) -> bool:
    """The agent answered: mark them busy in the ACD (False if the reservation was lost)."""
    offer = offer_of(attempt)
    if offer is None:
        return True
    accepted = desk_for(app).acd.accept(offer, ms(now())) is not None
    if not accepted:
        # The database claim is the authority; a lost reservation (e.g. Redis flushed) only
        # means the ACD no longer knows this agent is busy until the sweep re-mirrors them.
        log.warning("callback %s: ACD reservation lost; continuing", attempt.callback_id)
    return accepted


def settle(app: Flask, attempt: CallbackAttempt) -> str:
    """The agent's leg ended: unanswered goes back to its place; answered goes to wrap-up."""
    offer = offer_of(attempt)
    if offer is None:
        return "direct"
    desk = desk_for(app)
    config = desk.config
    return desk.acd.settle(offer, ms(now()), config.wrap_ms, config.max_missed)[0]


def remove(app: Flask, callback_id: int) -> bool:
    """Take a waiting callback out of the queue (cancelled or rescheduled)."""
    return desk_for(app).acd.leave(entry_id(callback_id), ms(now())) is not None


def queued_ids(app: Flask) -> set[int]:
    """Return the callbacks the ACD holds (waiting, offered or connected)."""
    ids = (callback_id_of(entry) for entry in desk_for(app).acd.live_entries())
    return {i for i in ids if i is not None}


def sync(
    app: Flask, session: Session, due: Iterable[CallbackRequest], open_ids: set[int]
) -> tuple[int, int]:
    """Queue every due callback missing from the ACD; drop entries of closed ones."""
    desk, at = desk_for(app), now()
    present = queued_ids(app)
    added = [r for r in due if r.id not in present]
    for request in added:
        enqueue_callback(session, desk, request, at)
    stale = present - open_ids
    for callback_id in stale:
        desk.acd.abandon(entry_id(callback_id), ms(at))
    return len(added), len(stale)
