"""Today's queue measures, computed from call rows."""

from __future__ import annotations

import datetime as dt

from flask import Flask

from calls.models import Call
from queueing.measures import day_window, today

NOON = dt.datetime(2026, 11, 23, 12, 0, tzinfo=dt.UTC)


def call(n: int, *, answered: float | None = None, abandoned: float | None = None) -> Call:
    """A call queued at noon that was answered or abandoned after the given wait."""
    row = Call(call_sid=f"CA{n:032x}", started_at=NOON, queued_at=NOON)
    if answered is not None:
        row.answered_at, row.wait_seconds, row.outcome = NOON, answered, "answered"
    if abandoned is not None:
        row.abandoned_at, row.wait_seconds, row.outcome = NOON, abandoned, "abandoned"
    return row


def test_measures_follow_the_definitions(app: Flask) -> None:
    """Answer rate, ASA, short abandons and both service levels match DOMAIN.md."""
    with app.extensions["helpline.sessionmaker"]() as session:
        session.add_all(
            [
                call(1, answered=30),
                call(2, answered=90),
                call(3, answered=60),
                call(4, abandoned=5),
                call(5, abandoned=120),
                call(6),
            ]
        )
        yesterday = call(7, answered=1)
        yesterday.queued_at = NOON - dt.timedelta(days=1)
        session.add(yesterday)
        session.flush()
        m = today(session, NOON)
    assert (m.offered, m.answered, m.abandoned, m.short_abandons) == (6, 3, 2, 1)
    assert m.answer_rate == 0.5
    assert m.asa_seconds == 60
    assert m.longest_wait_seconds == 120
    assert m.longest_abandon_wait_seconds == 120
    assert m.service_level == 2 / 3
    assert m.service_level_2 == 2 / 4


def test_self_served_counts_today_in_desk_local_time(app: Flask) -> None:
    """Self-served calls started on the desk-local day count; they are never offered."""
    late_sunday_utc = dt.datetime(2026, 6, 14, 23, 30, tzinfo=dt.UTC)  # Monday 00:30 in London
    monday_noon = dt.datetime(2026, 6, 15, 11, 0, tzinfo=dt.UTC)
    with app.extensions["helpline.sessionmaker"]() as session:
        for n, started in enumerate((late_sunday_utc, monday_noon, NOON)):
            session.add(Call(call_sid=f"CB{n:032x}", started_at=started, outcome="self_served"))
        session.add(Call(call_sid="CB" + "f" * 32, started_at=monday_noon, outcome="ivr_hangup"))
        session.flush()
        m = today(session, monday_noon)
    assert (m.self_served, m.offered) == (2, 0)


def test_day_window_spans_a_clock_change() -> None:
    """The desk-local day is 23 hours when the clocks go forward."""
    start, end = day_window(dt.datetime(2026, 3, 29, 12, tzinfo=dt.UTC), "Europe/London")
    assert start == dt.datetime(2026, 3, 29, 0, tzinfo=dt.UTC)
    assert end - start == dt.timedelta(hours=23)
