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

# Higher is served first. Enhanced Rights victims get priority in the queue (Victims' Code);
# the queue ages priorities so standard callers are not starved.
PRIORITY_STANDARD = 0
PRIORITY_ENHANCED = 10


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
    """Mark the call as wanting a person, with its queue priority and place, and check hours."""
    call.wanted_agent_at = call.wanted_agent_at or at
    call.priority = priority_for(session, call)
    # The place in the queue is kept from when the call started, so time in the IVR counts.
    call.virtual_start_at = call.virtual_start_at or call.started_at
    desk_open = is_open(session, at, tz)
    record(session, call, "wanted_agent", open=desk_open, priority=call.priority)
    if desk_open:
        return Route(open=True, reopening="")
    today = at.astimezone(ZoneInfo(tz)).date()
    return Route(open=False, reopening=prompts.reopening(next_opening(session, at, tz), today))


def priority_for(session: Session, call: Call) -> int:
    """Give authenticated Enhanced Rights victims priority; everyone else is standard."""
    case = session.get(Case, call.case_id) if call.authenticated and call.case_id else None
    return PRIORITY_ENHANCED if case is not None and case.enhanced_rights else PRIORITY_STANDARD


def want_callback(session: Session, call: Call) -> None:
    """Note that a caller at a closed desk chose a callback (the callback feature takes over)."""
    record(session, call, "callback_offer_accepted")


def decline_callback(session: Session, call: Call) -> None:
    """End a closed-desk call without a callback (a caller who heard their status self-served)."""
    if call.status_heard_at is None:
        call.outcome = "closed"
    record(session, call, "callback_offer_declined")
