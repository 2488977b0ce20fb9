"""Everything the live wallboard shows, gathered in one place.

The seam to the ACD: `live_state` (its queue snapshot from Redis) and `_today_measures`
(queueing's and callbacks' day measures); pending callbacks and agent names come from the
database.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from callbacks import measures as callback_measures
from callbacks.models import PENDING_STATES, CallbackRequest
from consoles.demand import rostered_at
from consoles.overdue import overdue
from queueing import measures
from queueing.agents import queue_snapshot
from queueing.desk import desk_for
from roster.models import Agent


def live_state(app: Flask, at: dt.datetime) -> dict[str, Any]:
    """Return the ACD's queue snapshot: waiting entries and agents with time in state."""
    return queue_snapshot(desk_for(app), at)


def snapshot(
    session: Session, at: dt.datetime, config: Mapping[str, Any], live: dict[str, Any]
) -> dict[str, Any]:
    """Return the wallboard's figures as JSON-ready data."""
    zone = ZoneInfo(config["TIMEZONE"])
    local = at.astimezone(zone)
    return {
        "generated_at": at.isoformat(),
        "generated_local": local.strftime("%H:%M:%S %Z"),  # desk time, e.g. "14:05:09 BST"
        "queue": _queue(live),
        "callbacks": _callbacks(session, at),
        "overdue_cases": len(overdue(session, local.date())),
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


def _callbacks(session: Session, at: dt.datetime) -> dict[str, int]:
    """Return callbacks pending, and how many of those are due now."""
    pending = CallbackRequest.state.in_(PENDING_STATES)
    due_at = func.coalesce(CallbackRequest.next_attempt_at, CallbackRequest.not_before)
    count = select(func.count()).select_from(CallbackRequest).where(pending)
    return {
        "pending": session.scalar(count) or 0,
        "due": session.scalar(count.where(due_at <= at)) or 0,
    }


def _agents(session: Session, live: dict[str, Any], local: dt.datetime) -> dict[str, Any]:
    """Return agents grouped by live state with time in state (logged-out agents left out)."""
    active = session.scalar(select(func.count()).select_from(Agent).where(Agent.active)) or 0
    summary = {"rostered_now": rostered_at(session, local), "active": active}
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
    """Return today's call measures (DOMAIN.md), self-served calls and callback figures."""
    target, zone = config["SERVICE_LEVEL_SECONDS"], config["TIMEZONE"]
    figures = measures.today(session, at, zone, target).as_dict()
    callbacks = callback_measures.today(session, at, zone).as_dict()
    return figures | {"service_level_seconds": target, "callbacks": callbacks}


class Term(NamedTuple):
    """A figure's tile label and what it means."""

    label: str
    meaning: str


def definitions(target_seconds: int) -> dict[str, Term]:
    """Say what each of today's figures means, in DOMAIN.md's words, keyed by data-field."""
    within = f"answered within {target_seconds} s"
    return {
        "offered": Term("Offered", "Calls that reached the queue today."),
        "answered": Term("Answered", "Offered calls an agent answered."),
        "abandoned": Term("Abandoned", "Hung up while queued (short abandons included)."),
        "short_abandons": Term(
            "Short abandons (<10 s)",
            "Abandons under 10 s: counted as abandoned, excluded from service level.",
        ),
        "self_served": Term(
            "Self-served", "Status heard, no agent (never queued, so not offered)."
        ),
        "answer_rate": Term("Answer rate", "Answered / offered."),
        "service_level": Term(
            f"Service level ({target_seconds} s)", f"Service level = {within} / answered."
        ),
        "service_level_2": Term(
            "SL2 (with abandons)",
            f"SL2 also counts abandons: {within} / (answered + abandoned that were not short).",
        ),
        "asa": Term("ASA", "Average speed of answer: the mean wait of answered calls."),
        "average_wait": Term(
            "Average wait", "The mean wait of every caller who left the queue, answered or not."
        ),
        "longest_answered_wait": Term(
            "Longest answered wait", "The longest wait of an answered call."
        ),
        "longest_abandon_wait": Term(
            "Longest wait before abandon", "The longest a caller waited before hanging up."
        ),
        "callbacks": Term(
            "Callbacks",
            "Requested today; completed, failed or expired today, whenever they were asked for.",
        ),
    }
