"""Everything the live wallboard shows, gathered in one place.

The seam to the ACD is `live_state` (its queue snapshot from Redis) and `_today_measures`
(its measures over the calls table). Where the ACD is not installed, the queue is read from
the calls table and agents' live states are shown as unknown.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any
from zoneinfo import ZoneInfo

from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from callbacks.models import PENDING_STATES, CallbackRequest
from calls.models import Call
from consoles.demand import rostered_at
from roster.models import Agent

SHORT_ABANDON_SECONDS = 10


def live_state(app: Flask, at: dt.datetime) -> dict[str, Any] | None:
    """Return the ACD's queue snapshot (waiting entries, agents), or None without an ACD."""
    try:
        from queueing.agents import queue_snapshot
        from queueing.desk import desk_for
    except ImportError:  # the ACD ships separately; the wallboard still works without it
        return None
    return queue_snapshot(desk_for(app), at)


def snapshot(
    session: Session, at: dt.datetime, config: Mapping[str, Any], live: dict[str, Any] | None
) -> dict[str, Any]:
    """Return the wallboard's figures as JSON-ready data."""
    zone = ZoneInfo(config["TIMEZONE"])
    local = at.astimezone(zone)
    return {
        "generated_at": at.isoformat(),
        "queue": _queue(live) if live else _queue_from_calls(session, at),
        "callbacks": _callbacks(session, at),
        "agents": _agents(session, live, local),
        "today": _today_measures(session, at, config),
    }


def _queue(live: dict[str, Any]) -> dict[str, Any]:
    """Return the ACD's waiting entries, in queue order."""
    entries = [
        {
            "position": e["position"],
            "priority": e["priority"],
            "wait_seconds": round(e["waited_seconds"]),
        }
        for e in live["waiting"]
    ]
    longest = max((e["wait_seconds"] for e in entries), default=0)
    return {"waiting": len(entries), "longest_wait_seconds": longest, "entries": entries}


def _queue_from_calls(session: Session, at: dt.datetime) -> dict[str, Any]:
    """Return calls waiting now from the calls table (no ACD), oldest first."""
    waiting = session.scalars(
        select(Call)
        .where(Call.queued_at.is_not(None), Call.left_queue_at.is_(None))
        .where(Call.ended_at.is_(None), Call.outcome == "in_progress")
        .order_by(Call.priority.desc(), Call.queued_at)
    ).all()
    return _queue(
        {
            "waiting": [
                {
                    "position": n,
                    "priority": call.priority or 0,
                    "waited_seconds": (at - call.queued_at).total_seconds(),  # type: ignore[operator]
                }
                for n, call in enumerate(waiting, start=1)
            ]
        }
    )


def _callbacks(session: Session, at: dt.datetime) -> dict[str, int]:
    """Return callbacks pending, and how many of those are due now."""
    pending = CallbackRequest.state.in_(PENDING_STATES)
    due_at = func.coalesce(CallbackRequest.next_attempt_at, CallbackRequest.not_before)
    count = select(func.count()).select_from(CallbackRequest).where(pending)
    return {
        "pending": session.scalar(count) or 0,
        "due": session.scalar(count.where(due_at <= at)) or 0,
    }


def _agents(session: Session, live: dict[str, Any] | None, local: dt.datetime) -> dict[str, Any]:
    """Return agents grouped by live state with time in state (logged-out agents left out)."""
    active = session.scalar(select(func.count()).select_from(Agent).where(Agent.active)) or 0
    summary = {"rostered_now": rostered_at(session, local), "active": active}
    if live is None:
        return summary | {"states_known": False, "by_state": {}}
    names = {row.id: row.name for row in session.execute(select(Agent.id, Agent.name))}
    by_state: dict[str, list[dict[str, Any]]] = {}
    for person in sorted(live["agents"], key=lambda p: -p["seconds_in_state"]):
        if person["state"] == "logged_out":
            continue
        by_state.setdefault(person["state"], []).append(
            {
                "name": names.get(person["agent_id"], f"agent {person['agent_id']}"),
                "seconds_in_state": round(person["seconds_in_state"]),
                "on_shift": person["on_shift"],
            }
        )
    return summary | {"states_known": True, "by_state": by_state}


def _today_measures(session: Session, at: dt.datetime, config: Mapping[str, Any]) -> dict[str, Any]:
    """Return today's offered, answered, abandoned, answer rate, ASA and service level."""
    target = config["SERVICE_LEVEL_SECONDS"]
    try:
        from queueing.measures import today
    except ImportError:  # no ACD installed: the same definitions, computed here
        figures = _measures_from_calls(session, at, ZoneInfo(config["TIMEZONE"]), target)
    else:
        figures = today(session, at, config["TIMEZONE"], target).as_dict()
    return figures | {"service_level_seconds": target}


def _measures_from_calls(
    session: Session, at: dt.datetime, zone: ZoneInfo, sl_seconds: int
) -> dict[str, Any]:
    midnight = dt.datetime.combine(at.astimezone(zone).date(), dt.time(0), tzinfo=zone)
    calls = session.scalars(select(Call).where(Call.queued_at >= midnight)).all()
    waits = [c.wait_seconds or 0.0 for c in calls if c.answered_at is not None]
    abandons = [c.wait_seconds or 0.0 for c in calls if c.abandoned_at is not None]
    return {
        "offered": len(calls),
        "answered": len(waits),
        "abandoned": len(abandons),
        "short_abandons": sum(1 for w in abandons if w < SHORT_ABANDON_SECONDS),
        "answer_rate": len(waits) / len(calls) if calls else None,
        "asa_seconds": sum(waits) / len(waits) if waits else None,
        "service_level": sum(1 for w in waits if w <= sl_seconds) / len(waits) if waits else None,
    }
