"""Who is on shift: weekly patterns, dated extra shifts and leave, older overnight rows."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from flask import Flask

from roster.models import Agent, Shift
from roster.shifts import agents_on_shift, on_shift

LONDON = ZoneInfo("Europe/London")


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    """A moment in November 2026, London time (Monday is the 23rd)."""
    return dt.datetime(2026, 11, day, hour, minute, tzinfo=LONDON)


def test_weekly_pattern_and_exceptions(app: Flask) -> None:
    """A Monday 9-17 pattern, a dated Tuesday extra and a dated Monday leave all apply."""
    with app.extensions["helpline.sessionmaker"]() as session:
        agent = Agent(name="A", client_identity="a")
        session.add(agent)
        session.flush()
        session.add_all(
            [
                Shift(agent_id=agent.id, weekday=0, starts=dt.time(9), ends=dt.time(17)),
                Shift(
                    agent_id=agent.id,
                    on_date=dt.date(2026, 11, 24),
                    starts=dt.time(12),
                    ends=dt.time(14),
                ),
                Shift(
                    agent_id=agent.id,
                    on_date=dt.date(2026, 11, 30),
                    starts=dt.time(0),
                    ends=dt.time(23, 59),
                    kind="leave",
                ),
            ]
        )
        session.flush()
        assert on_shift(session, agent.id, at(23, 9))
        assert not on_shift(session, agent.id, at(23, 17))
        assert not on_shift(session, agent.id, at(23, 8, 59))
        assert on_shift(session, agent.id, at(24, 13))
        assert not on_shift(session, agent.id, at(24, 15))
        assert not on_shift(session, agent.id, at(30, 10))


def test_overnight_shift_and_inactive_agents(app: Flask) -> None:
    """An older 22:00-06:00 row still covers the next early hours; inactive agents never count."""
    with app.extensions["helpline.sessionmaker"]() as session:
        night = Agent(name="N", client_identity="n")
        gone = Agent(name="G", client_identity="g", active=False)
        session.add_all([night, gone])
        session.flush()
        for agent in (night, gone):
            session.add(Shift(agent_id=agent.id, weekday=0, starts=dt.time(22), ends=dt.time(6)))
        session.flush()
        assert agents_on_shift(session, at(23, 23)) == {night.id}
        assert agents_on_shift(session, at(24, 5, 59)) == {night.id}
        assert agents_on_shift(session, at(24, 6)) == set()


def test_an_end_of_midnight_closes_the_day(app: Flask) -> None:
    """16:00-00:00 runs to midnight; 00:00-00:00 is the whole day, with no gap at 23:59."""
    with app.extensions["helpline.sessionmaker"]() as session:
        late, allday = Agent(name="L", client_identity="l"), Agent(name="D", client_identity="d")
        session.add_all([late, allday])
        session.flush()
        session.add(Shift(agent_id=late.id, weekday=0, starts=dt.time(16), ends=dt.time(0)))
        session.add(Shift(agent_id=allday.id, weekday=0, starts=dt.time(0), ends=dt.time(0)))
        session.flush()
        assert agents_on_shift(session, at(23, 23, 59)) == {late.id, allday.id}
        assert agents_on_shift(session, at(23, 0, 0)) == {allday.id}
        assert agents_on_shift(session, at(24, 0, 0)) == set()
