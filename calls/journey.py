"""Record each call's journey: services take a session and never commit."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from calls.models import Call, CallEvent
from core.clock import now
from telephony.forms import StatusEvent

FINAL_STATUSES = frozenset({"completed", "busy", "failed", "no-answer", "canceled"})


def find_call(session: Session, call_sid: str | None) -> Call | None:
    """Return the call with this SID, if we know it."""
    if not call_sid:
        return None
    return session.scalar(select(Call).where(Call.call_sid == call_sid))


def open_call(
    session: Session, call_sid: str, caller_e164: str | None, direction: str = "inbound"
) -> Call:
    """Return the call for this SID, creating it on first sight."""
    call = find_call(session, call_sid)
    if call is None:
        call = Call(call_sid=call_sid, from_e164=caller_e164, direction=direction, started_at=now())
        session.add(call)
        session.flush()
    return call


def start_call(session: Session, call_sid: str, caller_e164: str | None) -> tuple[Call, bool]:
    """Record a call Twilio has just put through; return it, and False if we knew it already.

    One INSERT ... ON CONFLICT DO NOTHING RETURNING, so the first webhook of every call
    costs one statement, and two deliveries of it at once still make one row.
    """
    values = {"call_sid": call_sid, "from_e164": caller_e164, "started_at": now()}
    returning = _insert_new(session, values).returning(Call)
    call = session.scalars(returning).first()
    if call is not None:
        return call, True
    known = find_call(session, call_sid)
    if known is None:
        raise RuntimeError("a call clashed on its SID but is not there")
    return known, False


def _insert_new(session: Session, values: dict[str, Any]) -> Insert:
    """Return an INSERT of a call that does nothing if the SID is already there."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return insert(Call).values(**values).on_conflict_do_nothing(index_elements=["call_sid"])


def record(session: Session, call: Call, kind: str, **detail: Any) -> CallEvent:
    """Append an event to the call's journey."""
    event = CallEvent(call=call, at=now(), kind=kind, detail=detail)
    session.add(event)
    return event


def apply_status(session: Session, event: StatusEvent) -> Call | None:
    """Apply a status callback; late or repeated callbacks never move a call backwards."""
    call = find_call(session, event.call_sid)
    if call is None or event.sequence <= call.status_sequence:
        return call
    if call.twilio_status in FINAL_STATUSES:
        return call
    call.status_sequence = event.sequence
    call.twilio_status = event.call_status
    if event.call_status in FINAL_STATUSES:
        finish(session, call, event)
    return call


def finish(session: Session, call: Call, event: StatusEvent) -> None:
    """Close the call's record: when it ended, how long it lasted, how it ended."""
    call.ended_at = event.timestamp or now()
    call.duration_seconds = event.duration
    if call.outcome == "in_progress":
        call.outcome = "self_served" if call.status_heard_at else "ivr_hangup"
    record(session, call, "ended", status=event.call_status, outcome=call.outcome)
