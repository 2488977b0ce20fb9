"""Erlang C against textbook values, demand from the calls table, and the staffing chart."""

from __future__ import annotations

import datetime as dt
import math
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from sqlalchemy.orm import Session

from calls.models import Call
from consoles import demand, staffing
from roster.models import Agent, OpeningHours, Shift
from tests.consoles.conftest import Console

LONDON = ZoneInfo("Europe/London")
# The classic worked example: 100 calls in 30 minutes, 180 s handle time, so A = 10 Erlangs.
# Published results (P(wait), SL within 20 s, ASA) for N = 11..14 agents.
TEXTBOOK = [
    (11, 0.6821, 0.3896, 122.8),
    (12, 0.4494, 0.6402, 40.4),
    (13, 0.2853, 0.7956, 17.1),
    (14, 0.1741, 0.8884, 7.8),
]


def test_traffic_in_erlangs() -> None:
    """A = arrivals x AHT / interval: 100 calls of 180 s in 30 minutes is 10 Erlangs."""
    assert staffing.traffic(100, 180, 1800) == pytest.approx(10.0)


@pytest.mark.parametrize(("agents", "wait", "sl", "asa"), TEXTBOOK)
def test_erlang_c_matches_the_textbook(agents: int, wait: float, sl: float, asa: float) -> None:
    """P(wait), SL(20 s) and ASA match the published worked example."""
    assert staffing.erlang_c(agents, 10.0) == pytest.approx(wait, abs=5e-4)
    assert staffing.service_level(agents, 10.0, 180, 20) == pytest.approx(sl, abs=5e-4)
    assert staffing.average_speed_of_answer(agents, 10.0, 180) == pytest.approx(asa, abs=0.05)


def test_erlang_c_agrees_with_the_factorial_formula() -> None:
    """The stable recursion equals the formula as written, where that does not overflow."""
    for agents, load in ((3, 2.5), (7, 5.0), (30, 25.0)):
        top = load**agents / math.factorial(agents) * agents / (agents - load)
        bottom = sum(load**k / math.factorial(k) for k in range(agents)) + top
        assert staffing.erlang_c(agents, load) == pytest.approx(top / bottom, rel=1e-9)


def test_overloaded_and_idle_edges() -> None:
    """N <= A always waits (ASA infinite, SL 0); no traffic needs nobody."""
    assert staffing.erlang_c(10, 10.0) == 1.0
    assert staffing.service_level(9, 10.0, 180, 20) == 0.0
    assert math.isinf(staffing.average_speed_of_answer(10, 10.0, 180))
    assert staffing.required_agents(0.0, 180, 0.8, 20) == 0
    assert staffing.occupancy(14, 10.0) == pytest.approx(10 / 14)


def test_required_agents_and_shrinkage() -> None:
    """80/20 for 10 Erlangs needs 14 on the phones; 30% shrinkage means rostering 20."""
    assert staffing.required_agents(10.0, 180, 0.8, 20) == 14
    assert staffing.rostered(14, 0.3) == 20
    assert staffing.rostered(14, 0.0) == 14
    with pytest.raises(ValueError):
        staffing.rostered(3, 1.0)


def _queued(db: Session, at: dt.datetime, talk: int | None, n: int) -> None:
    for k in range(n):
        answered = at + dt.timedelta(seconds=20) if talk is not None else None
        db.add(
            Call(
                call_sid=f"CA{at:%Y%m%d%H%M}{k:04d}",
                started_at=at,
                queued_at=at,
                answered_at=answered,
                agent_ended_at=answered + dt.timedelta(seconds=talk) if answered else None,
                outcome="answered" if talk is not None else "abandoned",
            )
        )


def test_recent_demand_averages_the_same_weekday(app: Flask) -> None:
    """Two Mondays with 40 and 20 calls at 09:00 average 30 arrivals with their handle time."""
    monday = dt.date(2026, 11, 23)
    with app.extensions["helpline.sessionmaker"]() as db:
        _queued(db, dt.datetime(2026, 11, 16, 9, 5, tzinfo=LONDON), 240, 40)
        _queued(db, dt.datetime(2026, 11, 9, 9, 10, tzinfo=LONDON), 120, 20)
        _queued(db, dt.datetime(2026, 11, 17, 9, 5, tzinfo=LONDON), 240, 50)  # a Tuesday
        db.commit()
        result = demand.recent_demand(db, monday, LONDON, weeks=2)
    arrivals, aht = result[dt.time(9)]
    assert arrivals == 30
    assert aht == pytest.approx((40 * 240 + 20 * 120) / 60)
    assert set(result) == {dt.time(9)}


def test_staffing_marks_shortfalls_against_the_roster(app: Flask) -> None:
    """With demand at 09:00 and one agent rostered, 09:00 is short and 10:00 (no calls) is not."""
    monday = dt.date(2026, 11, 23)
    with app.extensions["helpline.sessionmaker"]() as db:
        db.add(OpeningHours(weekday=0, opens=dt.time(9), closes=dt.time(11)))
        agent = Agent(name="Alice", client_identity="alice")
        agent.shifts.append(Shift(weekday=0, starts=dt.time(9), ends=dt.time(11), kind="work"))
        db.add(agent)
        for weeks_back in range(1, 5):
            at = dt.datetime.combine(monday - dt.timedelta(weeks=weeks_back), dt.time(9, 1))
            _queued(db, at.replace(tzinfo=LONDON), 300, 30)
        db.commit()
        intervals = demand.staffing_for_day(db, monday, app.config)
    assert [i.starts.time() for i in intervals] == [
        dt.time(9),
        dt.time(9, 30),
        dt.time(10),
        dt.time(10, 30),
    ]
    nine = intervals[0]
    assert nine.traffic == pytest.approx(30 * 300 / 1800)
    assert nine.required == staffing.required_agents(5.0, 300, 0.8, 60)
    assert nine.rostered == 1 and nine.shortfall == nine.needed - 1 > 0
    assert [i.shortfall for i in intervals[1:]] == [0, 0, 0]
    bars = demand.chart(intervals)
    assert [b.short for b in bars] == [True, False, False, False]


def test_leave_removes_a_rostered_agent(app: Flask) -> None:
    """A dated leave cancels the weekly shift for that day only."""
    with app.extensions["helpline.sessionmaker"]() as db:
        agent = Agent(name="Alice", client_identity="alice")
        agent.shifts.append(Shift(weekday=0, starts=dt.time(8), ends=dt.time(16), kind="work"))
        agent.shifts.append(
            Shift(
                on_date=dt.date(2026, 11, 23), starts=dt.time(0), ends=dt.time(23, 59), kind="leave"
            )
        )
        db.add(agent)
        db.commit()
        on_leave = dt.datetime(2026, 11, 23, 10, tzinfo=LONDON)
        assert demand.rostered_at(db, on_leave) == 0
        assert demand.rostered_at(db, on_leave + dt.timedelta(weeks=1)) == 1


def test_closed_day_has_no_intervals(app: Flask) -> None:
    """A day with no opening hours has nothing to staff."""
    with app.extensions["helpline.sessionmaker"]() as db:
        db.add(OpeningHours(weekday=6, opens=None, closes=None))
        db.commit()
        assert demand.staffing_for_day(db, dt.date(2026, 11, 29), app.config) == []


def test_staffing_page_draws_the_chart(supervisor: Console) -> None:
    """The page renders an SVG chart for today's open hours (default hours apply)."""
    page = supervisor.get("/console/staffing")
    assert page.status_code == 200
    assert "<svg" in page.text and "Every half-hour is covered." in page.text
