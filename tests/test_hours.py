"""Opening hours and closures, in desk-local time."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from flask import Flask

from roster.hours import is_open, next_opening
from roster.models import Closure, OpeningHours

LONDON = ZoneInfo("Europe/London")


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    """A moment in November 2026, London time (Monday is the 23rd)."""
    return dt.datetime(2026, 11, day, hour, minute, tzinfo=LONDON)


def test_defaults_apply_when_nothing_is_configured(app: Flask) -> None:
    """08:00-20:00 on weekdays, 08:00-16:00 at weekends."""
    with app.extensions["helpline.sessionmaker"]() as session:
        assert is_open(session, at(23, 8))
        assert not is_open(session, at(23, 20))
        assert is_open(session, at(22, 15, 59))
        assert not is_open(session, at(22, 16))
        assert next_opening(session, at(23, 21)) == at(24, 8)


def test_configured_hours_and_closures(app: Flask) -> None:
    """A weekday with no row is closed; a bank holiday closure skips to the next open day."""
    with app.extensions["helpline.sessionmaker"]() as session:
        session.add(OpeningHours(weekday=0, opens=dt.time(9), closes=dt.time(17)))
        session.add(OpeningHours(weekday=1, opens=dt.time(9), closes=dt.time(17)))
        session.add(Closure(on_date=dt.date(2026, 11, 24), reason="Bank holiday"))
        session.commit()
        assert is_open(session, at(23, 9, 30))
        assert not is_open(session, at(24, 10))
        assert next_opening(session, at(23, 18)) == at(30, 9)


def test_utc_input_is_read_in_london_time(app: Flask) -> None:
    """In summer 07:30 UTC is 08:30 in London: open."""
    with app.extensions["helpline.sessionmaker"]() as session:
        summer = dt.datetime(2026, 7, 1, 7, 30, tzinfo=dt.UTC)
        assert is_open(session, summer)


def test_closing_at_midnight(app: Flask) -> None:
    """A closing time of 00:00 means midnight: 08:00-00:00 is open late; 00:00-00:00 all day."""
    with app.extensions["helpline.sessionmaker"]() as session:
        session.add(OpeningHours(weekday=0, opens=dt.time(8), closes=dt.time(0)))
        session.add(OpeningHours(weekday=1, opens=dt.time(0), closes=dt.time(0)))
        session.add(OpeningHours(weekday=2, opens=dt.time(9), closes=dt.time(7)))  # nonsense
        session.commit()
        assert is_open(session, at(23, 23, 59))
        assert is_open(session, at(24, 0, 0)) and is_open(session, at(24, 23, 59))
        assert not is_open(session, at(25, 10))
