"""Everything the live wallboard shows, gathered in one place.

`_live_queue` and `_today_measures` are the seam to the ACD: its queue snapshot and
measures replace the database reading here once it is merged.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from callbacks.models import PENDING_STATES, CallbackRequest
from calls.models import Call
from consoles.demand import rostered_at
from roster.models import Agent

SHORT_ABANDON_SECONDS = 10


def snapshot(session: Session, at: dt.datetime, config: Mapping[str, Any]) -> dict[str, Any]:
    """Return the wallboard's figures as JSON-ready data."""
    zone = ZoneInfo(config["TIMEZONE"])
    return {
        "generated_at": at.isoformat(),
        "queue": _live_queue(session, at),
        "callbacks": _callbacks(session, at),
        "agents": _agents(session, at.astimezone(zone)),
        "today": _today_measures(session, at, zone, config["STAFFING_SL_SECONDS"]),
    }


def _live_queue(session: Session, at: dt.datetime) -> dict[str, Any]:
    """Return calls waiting now, oldest first, with how long each has waited."""
    waiting = session.scalars(
        select(Call)
        .where(Call.queued_at.is_not(None), Call.left_queue_at.is_(None))
        .where(Call.ended_at.is_(None), Call.outcome == "in_progress")
        .order_by(Call.priority.desc(), Call.queued_at)
    ).all()
    entries = [
        {
            "position": n,
            "priority": call.priority or 0,
            "wait_seconds": round((at - call.queued_at).total_seconds()),  # type: ignore[operator]
        }
        for n, call in enumerate(waiting, start=1)
    ]
    longest = max((e["wait_seconds"] for e in entries), default=0)
    return {"waiting": len(entries), "longest_wait_seconds": longest, "entries": entries}


def _callbacks(session: Session, at: dt.datetime) -> dict[str, int]:
    """Return callbacks pending, and how many of those are due now."""
    pending = CallbackRequest.state.in_(PENDING_STATES)
    due_at = func.coalesce(CallbackRequest.next_attempt_at, CallbackRequest.not_before)
    count = select(func.count()).select_from(CallbackRequest).where(pending)
    return {
        "pending": session.scalar(count) or 0,
        "due": session.scalar(count.where(due_at <= at)) or 0,
    }


def _agents(session: Session, local_now: dt.datetime) -> dict[str, Any]:
    """Return agents by live state; until the ACD reports states, only who is rostered."""
    active = session.scalar(select(func.count()).select_from(Agent).where(Agent.active)) or 0
    return {
        "states_known": False,
        "rostered_now": rostered_at(session, local_now),
        "active": active,
        "by_state": {},
    }


def _today_measures(
    session: Session, at: dt.datetime, zone: ZoneInfo, sl_seconds: int
) -> dict[str, Any]:
    """Return today's offered, answered, abandoned, answer rate, ASA and service level."""
    midnight = dt.datetime.combine(at.astimezone(zone).date(), dt.time(0), tzinfo=zone)
    calls = session.scalars(select(Call).where(Call.queued_at >= midnight)).all()
    answered = [c for c in calls if c.answered_at is not None]
    abandoned = [c for c in calls if c.outcome == "abandoned"]
    waits = [c.wait_seconds or 0.0 for c in answered]
    within = sum(1 for w in waits if w <= sl_seconds)
    return {
        "offered": len(calls),
        "answered": len(answered),
        "abandoned": len(abandoned),
        "short_abandons": sum(
            1 for c in abandoned if (c.wait_seconds or 0) < SHORT_ABANDON_SECONDS
        ),
        "answer_rate": len(answered) / len(calls) if calls else None,
        "asa_seconds": sum(waits) / len(waits) if waits else None,
        "service_level": within / len(answered) if answered else None,
        "service_level_seconds": sl_seconds,
    }
