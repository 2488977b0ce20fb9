"""After a run: the desk's own figures against the simulator's ground truth.

The desk's side is read the two ways a supervisor reads it: the measures functions the
wallboard shows (queueing.measures, callbacks.measures) and the JSON API (/api/callbacks,
/api/queue). Counts must be equal; times may differ by the webhooks' latency (see TIME_SLACK).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import requests
from flask import Flask
from sqlalchemy import select

from callbacks import measures as callback_measures
from calls.models import Call, CallEvent
from core.db import session_factory
from queueing import measures
from simulation.outcomes import Outcomes
from simulation.truth import VictimTruth

TIME_SLACK = (15.0, 0.10)  # seconds, share: what webhook latency on a fast clock may add
SETTLING = ("answered", "agent_call_ended", "no_answer", "offer_failed")


@dataclass
class Report:
    """Each compared figure, and every difference found."""

    compared: dict[str, tuple[Any, Any]] = field(default_factory=dict)
    differences: list[str] = field(default_factory=list)

    def same(self, name: str, desk: Any, truth: Any) -> None:
        """Record a figure that must be equal."""
        self.compared[name] = (desk, truth)
        if desk != truth:
            self.differences.append(f"{name}: desk {desk} != truth {truth}")

    def close(self, name: str, desk: float | None, truth: float | None) -> None:
        """Record a time that must agree within TIME_SLACK."""
        self.compared[name] = (desk, truth)
        if desk is None or truth is None:
            if desk != truth:
                self.differences.append(f"{name}: desk {desk} vs truth {truth}")
            return
        slack = max(TIME_SLACK[0], TIME_SLACK[1] * truth)
        if abs(desk - truth) > slack:
            self.differences.append(f"{name}: desk {desk:.1f} s vs truth {truth:.1f} s")

    def as_dict(self) -> dict[str, Any]:
        """Return the report as JSON-ready data."""
        return {"compared": self.compared, "differences": self.differences}


def check(
    app: Flask,
    web_url: str,
    token: str,
    day: dt.date,
    truths: Sequence[VictimTruth],
    result: Outcomes,
    retries: int,
) -> Report:
    """Compare the desk's figures with the truth; check every victim and offer."""
    report = Report()
    at = dt.datetime.combine(day, dt.time(12), tzinfo=dt.UTC)
    with app.app_context(), session_factory(app)() as session:
        figures = measures.today(session, at, app.config["TIMEZONE"], 60)
        callbacks = callback_measures.today(session, at, app.config["TIMEZONE"])
        _accounted(report, session, truths)
        report.differences += double_offers(session.scalars(select(CallEvent)).all())
    calls = [c for t in truths for c in t.calls]
    report.same("offered", figures.offered, result.offered)
    report.same("answered", figures.answered, result.answered)
    report.same("abandoned", figures.abandoned, result.abandoned)
    dropped = sum(c.dropped for c in calls)
    report.same("queued callers the desk hung up on, unanswered", dropped, 0)
    report.same("self_served (calls)", figures.self_served, sum(c.self_served for c in calls))
    report.same("callbacks requested", callbacks.requested, result.callbacks_requested)
    report.same("callbacks completed", callbacks.completed, result.callbacks_completed)
    report.close("ASA", figures.asa_seconds, result.asa_s)
    report.close("longest wait", figures.longest_wait_seconds, result.longest_wait_s)
    _api(report, web_url, token, truths, retries)
    return report


def pending_truth(truths: Sequence[VictimTruth], retries: int) -> int:
    """Count victims who asked for a callback, were not reached, and still have tries left."""
    return sum(
        1
        for t in truths
        if t.requested_at is not None
        and t.called_back_at is None
        and len(t.callback_legs) < retries + 1
    )


def _api(
    report: Report, web_url: str, token: str, truths: Sequence[VictimTruth], retries: int
) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    listed = requests.get(f"{web_url}/api/callbacks", headers=headers, timeout=30).json()
    states: dict[str, int] = defaultdict(int)
    for row in listed["callbacks"]:
        states[row["state"]] += 1
    pending = states["pending"] + states["in_progress"]
    report.same("API callbacks pending", pending, pending_truth(truths, retries))
    report.same(
        "API callbacks completed",
        states["completed"],
        sum(1 for t in truths if t.called_back_at is not None),
    )
    queue = requests.get(f"{web_url}/api/queue", headers=headers, timeout=30).json()
    # Every simulated call has ended by now: only callbacks not yet made may still wait.
    waiting = len(queue.get("waiting", []))
    report.same("API queue waiting at end", waiting, pending_truth(truths, retries))


def _accounted(report: Report, session: Any, truths: Sequence[VictimTruth]) -> None:
    """Every victim's every call is in the desk's records, and ended one known way."""
    rows: dict[str, int] = defaultdict(int)
    for call in session.scalars(select(Call).where(Call.direction == "inbound")):
        rows[call.from_e164 or ""] += 1
    missing = [t.victim.number for t in truths if rows[t.victim.phone] != len(t.calls)]
    if missing:
        report.differences.append(f"victims whose calls the desk miscounted: {missing[:20]}")
    unknown = [
        t.victim.number
        for t in truths
        for c in t.calls
        if not (c.self_served or c.answered_at or c.abandoned or c.left_for_callback or c.dropped)
        and not c.requested_callback_at
    ]
    report.same("calls with no known ending", len(unknown), 0)
    if unknown:
        report.differences.append(f"victims with a call of no known ending: {unknown[:20]}")


def double_offers(events: Sequence[CallEvent]) -> list[str]:
    """Find an agent offered a call while holding another live one, or a call answered twice.

    An offer settles when the agent's leg ends (answered and finished, no answer, failed) or
    when the call itself ends: an offer racing a caller's hang-up may be journalled just
    after the abandon, and the ACD releases the agent with the abandon.
    """
    problems: list[str] = []
    holding: dict[int, int] = {}
    gone: set[int] = set()
    answered: dict[int, int] = defaultdict(int)
    for event in sorted(events, key=lambda e: (e.at, e.id)):
        agent = (event.detail or {}).get("agent_id")
        if event.kind in ("abandoned", "ended"):
            gone.add(event.call_id)
            holding = {a: c for a, c in holding.items() if c != event.call_id}
        elif event.kind == "answered":
            answered[event.call_id] += 1
            if answered[event.call_id] > 1:
                problems.append(f"call {event.call_id} answered twice")
        if agent is None:
            continue
        if event.kind == "offered" and event.call_id not in gone:
            if agent in holding:
                problems.append(
                    f"agent {agent} offered call {event.call_id} while holding call "
                    f"{holding[agent]}"
                )
            holding[agent] = event.call_id
        elif event.kind in SETTLING[1:] and holding.get(agent) == event.call_id:
            del holding[agent]
    return problems
