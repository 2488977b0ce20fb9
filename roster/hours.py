"""Opening hours: is the desk open now, and when does it next open (desk-local time)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from roster.calendar import calendar

# Defaults when no opening hours are configured: the successor desk's hours.
DEFAULT_HOURS = {
    **{day: (dt.time(8, 0), dt.time(20, 0)) for day in range(5)},
    5: (dt.time(8, 0), dt.time(16, 0)),
    6: (dt.time(8, 0), dt.time(16, 0)),
}
HORIZON_DAYS = 14
MIDNIGHT = dt.time(0)  # as a closing time: the end of the day


def weekly_hours(session: Session) -> dict[int, tuple[dt.time, dt.time] | None]:
    """Return weekday -> (opens, closes), or None when closed all day."""
    rows = calendar(session).hours
    if not rows:
        return dict(DEFAULT_HOURS)
    hours: dict[int, tuple[dt.time, dt.time] | None] = dict.fromkeys(range(7))
    for weekday, opens, closes in rows:
        if opens is None or closes is None:
            continue
        if closes > opens:
            hours[weekday] = (opens, closes)
        elif closes == MIDNIGHT:
            hours[weekday] = (opens, dt.time.max)
    return hours


def is_open(session: Session, at: dt.datetime, tz: str = "Europe/London") -> bool:
    """Say whether the desk takes calls that need a person at `at`."""
    local = at.astimezone(ZoneInfo(tz))
    window = _window(session, local.date(), weekly_hours(session))
    return window is not None and window[0] <= local.time() < window[1]


def next_opening(
    session: Session, at: dt.datetime, tz: str = "Europe/London"
) -> dt.datetime | None:
    """Return when the desk next opens after `at` (aware, desk-local), or None within 14 days."""
    zone = ZoneInfo(tz)
    local = at.astimezone(zone)
    hours = weekly_hours(session)
    for offset in range(HORIZON_DAYS + 1):
        day = local.date() + dt.timedelta(days=offset)
        window = _window(session, day, hours)
        if window is None:
            continue
        opens = dt.datetime.combine(day, window[0], tzinfo=zone)
        if opens > local:
            return opens
    return None


def _window(
    session: Session, day: dt.date, hours: dict[int, tuple[dt.time, dt.time] | None]
) -> tuple[dt.time, dt.time] | None:
    if day in calendar(session).closures:
        return None
    return hours.get(day.weekday())
