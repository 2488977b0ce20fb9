"""Victims' Code update deadlines: spot overdue cases and record them for supervisors."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from accounts.models import AuditRecord
from calls.journey import record
from calls.models import Call
from cases.models import CLOSED_STATUSES, Case
from core.clock import now
from roster.calendar import calendar

# Right 6: tell the victim within 5 working days, or 1 for victims with Enhanced Rights.
WORKING_DAYS = 5
ENHANCED_WORKING_DAYS = 1
_HORIZON_DAYS = 400


def closures(session: Session, start: dt.date, end: dt.date) -> frozenset[dt.date]:
    """Return the closure dates (bank holidays) between start and end inclusive."""
    return frozenset(day for day in calendar(session).closures if start <= day <= end)


def add_working_days(start: dt.date, days: int, holidays: frozenset[dt.date]) -> dt.date:
    """Return the date `days` working days after start (weekends and closures skipped)."""
    day = start
    for _ in range(_HORIZON_DAYS):
        if days <= 0:
            return day
        day += dt.timedelta(days=1)
        if day.weekday() < 5 and day not in holidays:
            days -= 1
    return day


def update_due(session: Session, case: Case, holidays: frozenset[dt.date] | None = None) -> dt.date:
    """Return when the victim should next hear: the code's deadline or the due date if sooner."""
    limit = ENHANCED_WORKING_DAYS if case.enhanced_rights else WORKING_DAYS
    if holidays is None:
        end = case.last_update + dt.timedelta(days=_HORIZON_DAYS)
        holidays = closures(session, case.last_update, end)
    deadline = add_working_days(case.last_update, limit, holidays)
    if case.next_update_due is not None:
        return min(deadline, case.next_update_due)
    return deadline


def is_overdue(
    session: Session, case: Case, today: dt.date, holidays: frozenset[dt.date] | None = None
) -> bool:
    """Say whether the case's update deadline has passed (never for a closed case)."""
    if case.status_code in CLOSED_STATUSES:
        return False
    return update_due(session, case, holidays) < today


def note_overdue(
    session: Session,
    case: Case,
    call: Call | None,
    today: dt.date,
    holidays: frozenset[dt.date] | None = None,
) -> bool:
    """Check the case; flag it on first detection (and clear a stale flag); return overdue."""
    overdue = is_overdue(session, case, today, holidays)
    if overdue and case.overdue_flagged_at is None:
        case.overdue_flagged_at = now()
        detail = {
            "due": update_due(session, case, holidays).isoformat(),
            "status": case.status_code,
        }
        session.add(
            AuditRecord(
                at=now(),
                actor="ivr" if call is not None else "overdue-sweep",
                action="case_overdue",
                entity="case",
                entity_id=str(case.id),
                detail=detail,
            )
        )
        if call is not None:
            record(session, call, "case_overdue", case_id=case.id, **detail)
    elif not overdue and case.overdue_flagged_at is not None:
        case.overdue_flagged_at = None
    return overdue


def overdue_cases(session: Session, today: dt.date | None = None) -> list[Case]:
    """List flagged cases that are still overdue, oldest flag first (for supervisors)."""
    today = today or now().date()
    flagged = session.scalars(
        select(Case).where(Case.overdue_flagged_at.is_not(None)).order_by(Case.overdue_flagged_at)
    ).all()
    holidays = _holidays_for(session, flagged, today)
    return [case for case in flagged if is_overdue(session, case, today, holidays)]


def sweep(session: Session, today: dt.date, batch: int = 1000) -> int:
    """Check every open case, flagging newly overdue ones (and clearing stale flags).

    Victims who never call are owed updates too; this finds them. Returns how many are
    overdue now.
    """
    holidays = closures(session, today - dt.timedelta(days=_HORIZON_DAYS), today)
    query = select(Case).where(Case.status_code.not_in(CLOSED_STATUSES)).order_by(Case.id)
    overdue = 0
    for case in session.scalars(query.execution_options(yield_per=batch)):
        overdue += note_overdue(session, case, None, today, holidays)
    return overdue


def _holidays_for(session: Session, cases: Sequence[Case], today: dt.date) -> frozenset[dt.date]:
    """Load the closures covering every case's deadline window, in one query."""
    if not cases:
        return frozenset()
    start = min(case.last_update for case in cases)
    return closures(session, start, max(today, start + dt.timedelta(days=_HORIZON_DAYS)))
