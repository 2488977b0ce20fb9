"""Record the milestones of a caller's IVR journey and check the desk's hours; never commits.

Milestones: the case status heard (flagging it if overdue), a person or a callback wanted, a
callback declined, goodbye. Where the call goes next is the IVR steps' choice (ivr/steps.py).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from calls.journey import record
from calls.models import Call
from cases import overdue
from cases.models import Case
from ivr.script import CaseFacts, case_script
from prompts import Prompts
from roster.hours import is_open, next_opening


@dataclass(frozen=True)
class Route:
    """Where a caller who asked for a person goes: the queue, or the closed-desk message."""

    open: bool
    reopening: str


def local_today(at: dt.datetime, tz: str) -> dt.date:
    """Return the desk-local date at `at`."""
    return at.astimezone(ZoneInfo(tz)).date()


def case_update(session: Session, call: Call, p: Prompts, at: dt.datetime, tz: str) -> list[str]:
    """Return the script about the caller's case, note they heard it, and flag it if overdue."""
    case = session.get(Case, call.case_id) if call.authenticated and call.case_id else None
    if case is None:
        return [p.text("status.unknown")]
    today = local_today(at, tz)
    late = overdue.note_overdue(session, case, call, today)
    call.status_heard_at = call.status_heard_at or at
    record(session, call, "status_heard", case_id=case.id, status=case.status_code, overdue=late)
    facts = CaseFacts(
        status_code=case.status_code,
        detail=case.status_detail or "",
        officer=case.officer or "",
        last_update=case.last_update,
        update_due=overdue.update_due(session, case),
        overdue=late,
    )
    return case_script(p, facts)


def ask_for_person(session: Session, call: Call, p: Prompts, at: dt.datetime, tz: str) -> Route:
    """Mark when the caller asked for a person, and check the desk's hours.

    Priority and place in the queue are the queue's to decide (from `authenticated`,
    `case_id`, `language` and `wanted_agent_at`), so the IVR does not set them.
    """
    call.wanted_agent_at = call.wanted_agent_at or at
    desk_open = is_open(session, at, tz)
    record(session, call, "wanted_agent", open=desk_open, authenticated=call.authenticated)
    if desk_open:
        return Route(open=True, reopening="")
    return Route(
        open=False, reopening=p.reopening(next_opening(session, at, tz), local_today(at, tz))
    )


def want_callback(session: Session, call: Call, reason: str) -> None:
    """Note that the caller chose a callback (the callback feature takes over)."""
    record(session, call, "callback_wanted", reason=reason, authenticated=call.authenticated)


def decline_callback(session: Session, call: Call) -> None:
    """End a closed-desk call without a callback (a caller who heard their status self-served)."""
    call.outcome = "self_served" if call.status_heard_at else "closed"
    record(session, call, "callback_declined")


def say_goodbye(session: Session, call: Call, reason: str) -> None:
    """End the call in the IVR and record how it ended."""
    call.outcome = "self_served" if call.status_heard_at else "ivr_hangup"
    record(session, call, "goodbye", reason=reason)
