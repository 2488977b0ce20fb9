"""Send a caller on from the IVR: their case update, a person, or a callback; never commits."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from calls.journey import record
from calls.models import Call
from cases.models import Case
from ivr import prompts
from roster.hours import is_open, next_opening


@dataclass(frozen=True)
class Route:
    """Where a caller who asked for a person goes: the queue, or the closed-desk message."""

    open: bool
    reopening: str


def case_update(session: Session, call: Call, at: dt.datetime, tz: str) -> list[str]:
    """Return the sentences about the caller's case and note that they heard them."""
    case = session.get(Case, call.case_id) if call.authenticated and call.case_id else None
    if case is None:
        return [prompts.UNKNOWN_STATUS]
    call.status_heard_at = call.status_heard_at or at
    record(session, call, "status_heard", case_id=case.id, status=case.status_code)
    today = at.astimezone(ZoneInfo(tz)).date()
    return prompts.status_lines(
        case.status_code, case.status_detail, case.last_update, case.next_update_due, today
    )


def ask_for_person(session: Session, call: Call, at: dt.datetime, tz: str) -> Route:
    """Mark when the caller asked for a person, and check the desk's hours.

    Priority and place in the queue are the queue's to decide (from `authenticated`,
    `case_id` and `wanted_agent_at`), so the IVR does not set them.
    """
    call.wanted_agent_at = call.wanted_agent_at or at
    desk_open = is_open(session, at, tz)
    record(session, call, "wanted_agent", open=desk_open, authenticated=call.authenticated)
    if desk_open:
        return Route(open=True, reopening="")
    today = at.astimezone(ZoneInfo(tz)).date()
    return Route(open=False, reopening=prompts.reopening(next_opening(session, at, tz), today))


def want_callback(session: Session, call: Call) -> None:
    """Note that a caller at a closed desk chose a callback (the callback feature takes over)."""
    record(session, call, "callback_offer_accepted")


def decline_callback(session: Session, call: Call) -> None:
    """End a closed-desk call without a callback (a caller who heard their status self-served)."""
    if call.status_heard_at is None:
        call.outcome = "closed"
    record(session, call, "callback_offer_declined")
