"""One script for "nobody can answer now": the desk is closed, or open with nobody on duty.

Both situations are said the same way, each with what is true for it: why nobody can answer,
when somebody next can (the next opening, or the next adviser's shift), and a callback offer.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from prompts import catalogue
from roster.hours import is_open, next_opening
from roster.models import Agent, Shift
from roster.shifts import agents_on_shift

LOOKAHEAD_DAYS = 7
MAX_CANDIDATES = 60  # shift starts checked for the next staffed moment (a rare path)


@dataclass(frozen=True)
class Unavailable:
    """Why nobody can answer, and when somebody next can (None: not within a week)."""

    reason: Literal["closed", "unstaffed"]
    until: dt.datetime | None


def unavailable(session: Session, at: dt.datetime, tz: str) -> Unavailable | None:
    """Return why nobody can answer at `at`, or None when the desk is open and staffed."""
    if not is_open(session, at, tz):
        return Unavailable("closed", next_opening(session, at, tz))
    if not agents_on_shift(session, at, tz):
        return Unavailable("unstaffed", next_staffed(session, at, tz))
    return None


def script(language: str, situation: Unavailable, at: dt.datetime, tz: str) -> list[str]:
    """Return what the caller hears: why, when (if known), and that we can call them back."""
    p = catalogue(language)
    today = at.astimezone(ZoneInfo(tz)).date()
    if situation.until is None:
        when = p.text("unavailable.unknown")
    else:
        key = "unavailable.opens" if situation.reason == "closed" else "unavailable.staffed_from"
        when = p.text(key, when=p.when(situation.until.astimezone(ZoneInfo(tz)), today))
    return [p.text(f"unavailable.{situation.reason}"), when, p.text("unavailable.offer")]


def next_staffed(session: Session, at: dt.datetime, tz: str) -> dt.datetime | None:
    """Return the first shift start within a week when the desk is open and someone on duty."""
    zone = ZoneInfo(tz)
    local = at.astimezone(zone)
    for start in _shift_starts(session, local)[:MAX_CANDIDATES]:
        if is_open(session, start, tz) and agents_on_shift(session, start, tz):
            return start
    return None


def _shift_starts(session: Session, local: dt.datetime) -> list[dt.datetime]:
    """Return the work shifts' start times after `local`, soonest first (desk-local)."""
    shifts = session.scalars(
        select(Shift).join(Agent).where(Agent.active.is_(True), Shift.kind == "work")
    ).all()
    days = [local.date() + dt.timedelta(days=n) for n in range(LOOKAHEAD_DAYS + 1)]
    starts = {
        dt.datetime.combine(day, shift.starts, tzinfo=local.tzinfo)
        for day in days
        for shift in shifts
        if (shift.on_date == day) or (shift.on_date is None and shift.weekday == day.weekday())
    }
    return sorted(start for start in starts if start > local)
