"""Today's queue measures, computed from call rows."""

from __future__ import annotations

import datetime as dt

from flask import Flask

from calls.models import Call
from queueing.measures import Measures, day_window, today

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
    assert m.longest_wait_seconds == 90  # of answered calls; the 120 s abandon is not one
    assert m.longest_abandon_wait_seconds == 120
    assert m.service_level == 2 / 3
    assert m.service_level_2 == 2 / 4


def _measures(app: Flask, *rows: Call, target: int = 60) -> Measures:
    """Compute today's measures over the given hand-made rows."""
    with app.extensions["helpline.sessionmaker"]() as session:
        session.add_all(rows)
        session.flush()
        return today(session, NOON, target_seconds=target)


def test_no_calls_gives_no_figures(app: Flask) -> None:
    """With no calls, every average, longest and rate is None (shown as a dash), not zero."""
    m = _measures(app)
    assert (m.offered, m.answered, m.abandoned, m.short_abandons) == (0, 0, 0, 0)
    assert m.average_wait_seconds is None and m.longest_wait_seconds is None
    assert m.longest_abandon_wait_seconds is None
    assert m.service_level is None and m.service_level_2 is None


def test_average_wait_counts_answered_and_abandoned_calls(app: Flask) -> None:
    """Average wait is over every caller who left the queue; ASA is over answered calls only."""
    m = _measures(app, call(1, answered=20), call(2, answered=40), call(3, abandoned=90), call(4))
    assert m.asa_seconds == 30
    assert m.average_wait_seconds == (20 + 40 + 90) / 3  # the caller still waiting is not in it


def test_longest_wait_is_of_answered_calls(app: Flask) -> None:
    """Longest wait is the longest answered wait; a longer abandon shows only before abandon."""
    m = _measures(app, call(1, answered=75), call(2, answered=12), call(3, abandoned=300))
    assert m.longest_wait_seconds == 75
    assert m.longest_abandon_wait_seconds == 300


def test_only_abandons_leave_answer_figures_empty(app: Flask) -> None:
    """With nobody answered, ASA, longest wait and service level are None, not zero."""
    m = _measures(app, call(1, abandoned=30), call(2, abandoned=45))
    assert m.asa_seconds is None and m.longest_wait_seconds is None
    assert m.service_level is None
    assert m.service_level_2 == 0  # two real abandons, nobody answered within T
    assert m.longest_abandon_wait_seconds == 45 and m.average_wait_seconds == 37.5


def test_short_abandon_is_abandoned_but_left_out_of_service_levels(app: Flask) -> None:
    """An abandon under 10 s counts as abandoned and short, but in neither service level."""
    m = _measures(app, call(1, answered=30), call(2, answered=80), call(3, abandoned=9.9))
    assert (m.offered, m.abandoned, m.short_abandons) == (3, 1, 1)
    assert m.answer_rate == 2 / 3
    assert m.service_level == 1 / 2
    assert m.service_level_2 == 1 / 2  # the short abandon is not in the denominator
    assert m.longest_abandon_wait_seconds == 9.9  # still the longest wait before abandon


def test_an_abandon_of_exactly_ten_seconds_is_not_short(app: Flask) -> None:
    """Short means under 10 s, so a 10 s abandon counts against SL2."""
    m = _measures(app, call(1, answered=10), call(2, abandoned=10))
    assert m.short_abandons == 0
    assert (m.service_level, m.service_level_2) == (1, 1 / 2)


def test_only_short_abandons_leave_both_service_levels_empty(app: Flask) -> None:
    """Short abandons alone give SL2 nothing to divide: None, not zero."""
    m = _measures(app, call(1, abandoned=2), call(2, abandoned=3))
    assert (m.abandoned, m.short_abandons) == (2, 2)
    assert m.service_level is None and m.service_level_2 is None


def test_sl2_counts_abandons_in_the_denominator(app: Flask) -> None:
    """SL2 = answered within T / (answered + abandoned that were not short); T is a setting."""
    rows = [call(1, answered=20), call(2, answered=25), call(3, answered=50)]
    rows += [call(4, abandoned=15), call(5, abandoned=4)]
    m = _measures(app, *rows, target=30)
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
