"""The simulation's model, clock and checks, without running the stack."""

from __future__ import annotations

import dataclasses
import datetime as dt
import xml.etree.ElementTree as ET
from types import SimpleNamespace
from typing import Any

import pytest

from core import clock
from core.jobs import MIN_REAL_INTERVAL, _real_interval
from simulation.chart import svg
from simulation.check import double_offers
from simulation.model import Model, arrival_rate, victims
from simulation.outcomes import outcomes
from simulation.truth import CallTruth, VictimTruth

DAY = dt.date(2026, 11, 25)  # a Wednesday


def test_same_seed_same_victims_and_another_seed_differs() -> None:
    """A seed fixes every draw; another seed gives another day."""
    assert victims(Model(), DAY, 7) == victims(Model(), DAY, 7)
    assert victims(Model(), DAY, 7) != victims(Model(), DAY, 8)


def test_daily_volume_matches_the_monthly_figure() -> None:
    """A month of weekdays and weekends adds up to the configured monthly calls."""
    model = Model()
    start = dt.date(2026, 11, 1)
    days = [start + dt.timedelta(days=n) for n in range(365)]
    month = sum(model.daily_calls(d) for d in days) / 12
    assert month == pytest.approx(model.monthly_calls, rel=0.01)
    first_calls = sum(rate for _, rate in arrival_rate(model, DAY))
    assert first_calls == pytest.approx(model.daily_calls(DAY) * model.first_call_share)


def test_arrivals_fall_in_opening_hours_and_peak_in_the_morning() -> None:
    """First calls come between opening and closing, busiest mid-morning."""
    people = victims(Model(), DAY, 1)
    hours = [v.first_call.hour for v in people]
    assert min(hours) >= 8 and max(hours) < 20
    assert hours.count(10) > 2 * hours.count(19)
    weekend = victims(Model(), dt.date(2026, 11, 28), 1)
    assert max(v.first_call.hour for v in weekend) < 16 and len(weekend) < len(people)


def test_patience_tail_reaches_but_never_passes_45_minutes() -> None:
    """The seeds' longest wait before giving up bounds patience, and the tail gets there."""
    drawn = [p for v in victims(Model(), DAY, 3) for p in v.patience]
    assert max(drawn) <= 45 * 60
    assert sum(p >= 30 * 60 for p in drawn) > 0
    assert 200 < sorted(drawn)[len(drawn) // 2] < 400


def test_simulated_clock_runs_fast_from_its_start(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every process reading the clock sees START + (real - ANCHOR) x RATE."""
    scale = clock.Scale(start=1_700_000_000.0, rate=60.0, anchor=1_000.0)
    monkeypatch.setenv(clock.SIMULATED_CLOCK, scale.encode())
    monkeypatch.setenv("HELPLINE_ENV", "test")
    monkeypatch.setattr(clock.time, "time", lambda: 1_010.0)
    assert clock.now() == dt.datetime.fromtimestamp(1_700_000_600.0, dt.UTC)
    assert clock.epoch_ms() == 1_700_000_600_000
    assert clock.real_seconds(120) == 2.0


def test_simulated_clock_is_refused_in_production(monkeypatch: pytest.MonkeyPatch) -> None:
    """A production process never runs on a made-up clock."""
    monkeypatch.setenv(clock.SIMULATED_CLOCK, clock.Scale(0.0, 2.0, 0.0).encode())
    monkeypatch.setenv("HELPLINE_ENV", "production")
    with pytest.raises(RuntimeError, match="development and test only"):
        clock.now()


def test_periodic_jobs_shrink_with_the_clock_but_not_below_a_floor(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """At real speed intervals stay; on a fast clock they shrink, floored for the worker."""
    monkeypatch.delenv(clock.SIMULATED_CLOCK, raising=False)
    assert _real_interval(30) == 30
    monkeypatch.setenv(clock.SIMULATED_CLOCK, clock.Scale(0.0, 10.0, 0.0).encode())
    monkeypatch.setenv("HELPLINE_ENV", "test")
    assert _real_interval(30) == 3.0
    assert _real_interval(2) == MIN_REAL_INTERVAL


def _event(n: int, call: int, kind: str, agent: int | None = None) -> Any:
    at = dt.datetime(2026, 11, 25, 10, 0, tzinfo=dt.UTC) + dt.timedelta(seconds=n)
    return SimpleNamespace(id=n, call_id=call, at=at, kind=kind, detail={"agent_id": agent})


def test_double_offers_are_found_in_the_journal() -> None:
    """An agent offered a second live call before the first settled is a double offer."""
    clean = [
        _event(1, 1, "offered", 7),
        _event(2, 1, "answered", 7),
        _event(3, 1, "agent_call_ended", 7),
        _event(4, 2, "offered", 7),
    ]
    assert double_offers(clean) == []
    double = [_event(1, 1, "offered", 7), _event(2, 2, "offered", 7)]
    assert double_offers(double) == ["agent 7 offered call 2 while holding call 1"]
    twice = [_event(1, 1, "answered", 7), _event(2, 1, "answered", 8)]
    assert double_offers(twice) == ["call 1 answered twice"]


def test_an_offer_racing_an_abandon_is_not_a_double_offer() -> None:
    """The ACD frees the agent with the abandon, even if the offer is journalled after it."""
    events = [_event(1, 1, "abandoned"), _event(2, 1, "offered", 7), _event(3, 2, "offered", 7)]
    assert double_offers(events) == []


def test_outcomes_and_chart_from_truth() -> None:
    """The table counts victims' needs met, and the chart is an SVG with a bar per policy."""
    people = victims(Model(), DAY, 1)[:3]
    status_only = dataclasses.replace(people[0], intent="status")
    served = VictimTruth(status_only, [CallTruth(placed=0, heard_status=True)])
    quick = VictimTruth(people[1], [CallTruth(placed=0, queued_at=10, answered_at=70)])
    slow = VictimTruth(people[2], [CallTruth(placed=0, queued_at=10, answered_at=400)])
    result = outcomes([served, quick, slow], pending_at_end=0)
    assert (result.answered, result.answered_within_2_min) == (2, 1)
    assert result.need_met == 2  # self-served, and answered within 2 minutes
    assert result.asa_s == pytest.approx((60 + 390) / 2)
    root = ET.fromstring(svg({"a": result, "b": result}, "title"))
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert len(root.findall("{http://www.w3.org/2000/svg}rect")) == 5 * 2 + 2
