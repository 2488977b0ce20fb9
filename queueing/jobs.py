"""Worker jobs: the periodic sweep, and routing asked for by the hold loop.

Routing offers a call by redirecting it through Twilio's REST API, which can be slow or down;
so webhooks never route themselves: they ask for `route_waiting` with `route_soon`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from calls.journey import record
from calls.models import Call
from core.clock import now
from core.db import session_factory
from core.jobs import job_app
from queueing.desk import Desk, desk_for
from queueing.mirror import refresh_roster
from queueing.service import call_ended, ms, route


def sweep() -> dict[str, Any]:
    """Run one sweep in the worker (every SWEEP_SECONDS, registered by queueing.init_app)."""
    app = job_app()
    with app.app_context(), session_factory(app)() as session:
        result = run_sweep(session, desk_for(app), now())
        session.commit()
    return result


ROUTE_PENDING = "route:pending"
# Long enough to cover a routing pass against a Twilio that hangs (the REST client gives up
# after 10 s); short enough that a lost job or a stopped worker only delays the next request.
ROUTE_PENDING_SECONDS = 15


def route_soon(desk: Desk) -> bool:
    """Ask a worker to route now, unless a routing job is already waiting; True if asked."""
    key = desk.acd.prefix + ROUTE_PENDING
    if not desk.acd.redis.set(key, "1", nx=True, ex=ROUTE_PENDING_SECONDS):
        return False
    desk.enqueue(route_waiting, job_timeout=120)
    return True


def route_waiting() -> int:
    """Make every match that can be made now, in the worker; return how many were offered."""
    app = job_app()
    with app.app_context(), session_factory(app)() as session:
        desk = desk_for(app)
        # Cleared first: anything that changes while we route asks for another pass.
        desk.acd.redis.delete(desk.acd.prefix + ROUTE_PENDING)
        offers = route(session, desk)
        session.commit()
    return len(offers)


def run_sweep(session: Session, desk: Desk, at: dt.datetime) -> dict[str, Any]:
    """Mirror the roster, expire offers and wrap-ups, finish ended calls, then route."""
    refresh_roster(session, desk.acd, at, desk.config.timezone)
    swept = desk.acd.sweep(ms(at), desk.config.max_missed)
    for entry, agent in swept.expired:
        _record_timeout(session, entry, agent)
    ended = _finish_ended_calls(session, desk, at)
    offers = route(session, desk)
    return {
        "expired": len(swept.expired),
        "wrapped": len(swept.wrapped),
        "freed": len(swept.freed),
        "ended": ended,
        "offered": len(offers),
    }


def _record_timeout(session: Session, entry: str, agent: int) -> None:
    kind, _, sid = entry.partition(":")
    call = session.scalar(select(Call).where(Call.call_sid == sid)) if kind == "call" else None
    if call is not None:
        record(session, call, "no_answer", agent_id=agent, reason="timeout")


def _finish_ended_calls(session: Session, desk: Desk, at: dt.datetime) -> int:
    """Close entries whose call already ended (a lost webhook must not strand an agent)."""
    sids = [e.partition(":")[2] for e in desk.acd.live_entries() if e.startswith("call:")]
    if not sids:
        return 0
    ended = session.scalars(
        select(Call).where(Call.call_sid.in_(sids), Call.ended_at.is_not(None))
    ).all()
    for call in ended:
        call_ended(session, desk, call, at)
    return len(ended)
