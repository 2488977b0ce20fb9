"""Cases whose Victims' Code update is overdue, as a supervisor needs to see them.

Only what a supervisor acts on: no victim name, date of birth or phone number.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.orm import Session

from cases.models import Case
from cases.overdue import overdue_cases, update_due


@dataclass(frozen=True)
class OverdueCase:
    """One overdue case: who owns it, when the victim last heard and when they should have."""

    case_id: int
    crime_reference: str
    offence: str
    officer: str
    last_update: dt.date
    update_due: dt.date
    days_overdue: int
    enhanced_rights: bool
    flagged_at: dt.datetime


def overdue(session: Session, today: dt.date) -> list[OverdueCase]:
    """List flagged, still-overdue cases, most overdue first (then first flagged first)."""
    rows = [_row(session, case, today) for case in overdue_cases(session, today)]
    return sorted(rows, key=lambda r: (r.update_due, r.flagged_at, r.case_id))


def _row(session: Session, case: Case, today: dt.date) -> OverdueCase:
    assert case.overdue_flagged_at is not None  # overdue_cases lists flagged cases only
    due = update_due(session, case)
    return OverdueCase(
        case_id=case.id,
        crime_reference=case.crime_reference,
        offence=case.offence,
        officer=case.officer,
        last_update=case.last_update,
        update_due=due,
        days_overdue=(today - due).days,
        enhanced_rights=case.enhanced_rights,
        flagged_at=case.overdue_flagged_at,
    )
