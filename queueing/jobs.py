"""The periodic sweep: repair what events missed, keep the roster mirror fresh, route."""

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
