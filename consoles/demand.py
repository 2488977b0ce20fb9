"""Staffing at a glance: today's rostered agents per half-hour against Erlang C's need."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from calls.models import Call
from consoles import staffing
from roster.hours import weekly_hours
from roster.models import Closure
from roster.shifts import agents_on_shift

INTERVAL = dt.timedelta(minutes=30)


@dataclass(frozen=True)
class Interval:
    """One half-hour: expected demand, the staff it needs and the staff rostered."""

    starts: dt.datetime
    arrivals: float
    aht_seconds: float
    traffic: float
    required: int
    needed: int
    rostered: int

    @property
    def shortfall(self) -> int:
        """Return how many more rostered heads the interval needs (0 when covered)."""
        return max(self.needed - self.rostered, 0)


def staffing_for_day(session: Session, day: dt.date, config: Mapping[str, Any]) -> list[Interval]:
    """Return the day's open half-hours with demand, requirement and roster."""
    zone = ZoneInfo(config["TIMEZONE"])
    slots = open_slots(session, day, zone)
    demand = recent_demand(session, day, zone, config["STAFFING_WEEKS"])
    default_aht = float(config["STAFFING_DEFAULT_AHT"])
    return [
        _interval(session, slot, demand.get(slot.time()), default_aht, config) for slot in slots
    ]


def _interval(
    session: Session,
    slot: dt.datetime,
    demand: tuple[float, float] | None,
    default_aht: float,
    config: Mapping[str, Any],
) -> Interval:
    arrivals, aht = demand or (0.0, 0.0)
    aht = aht or default_aht  # no answered calls to learn from: assume the configured AHT
    load = staffing.traffic(arrivals, aht, INTERVAL.total_seconds())
    required = staffing.required_agents(
        load, aht, config["STAFFING_SL_TARGET"], config["SERVICE_LEVEL_SECONDS"]
    )
    return Interval(
        starts=slot,
        arrivals=arrivals,
        aht_seconds=aht,
        traffic=load,
        required=required,
        needed=staffing.rostered(required, config["STAFFING_SHRINKAGE"]),
        rostered=rostered_at(session, slot + INTERVAL / 2),  # midpoint: covers most of it
    )


def open_slots(session: Session, day: dt.date, zone: ZoneInfo) -> list[dt.datetime]:
    """Return the start of each half-hour the desk is open on `day` (desk-local, aware)."""
    hours = weekly_hours(session).get(day.weekday())
    if hours is None or session.get(Closure, day) is not None:
        return []
    slot = dt.datetime.combine(day, hours[0], tzinfo=zone)
    closes = dt.datetime.combine(day, hours[1], tzinfo=zone)
    slots = []
    while slot < closes:
        slots.append(slot)
        slot += INTERVAL
    return slots


def recent_demand(
    session: Session, day: dt.date, zone: ZoneInfo, weeks: int
) -> dict[dt.time, tuple[float, float]]:
    """Return half-hour -> (mean arrivals, mean handle time) over the same weekday, last N weeks.

    An arrival is a call that asked for a person (reached the queue); handle time runs from
    answer to the agent leaving the call.
    """
    days = [day - dt.timedelta(weeks=n) for n in range(1, weeks + 1)]
    counts: dict[dt.time, int] = {}
    handled: dict[dt.time, list[float]] = {}
    for call in _queued_calls(session, days, zone):
        local = call.queued_at.astimezone(zone)  # type: ignore[union-attr]
        if local.date() not in days:
            continue
        slot = local.replace(minute=local.minute - local.minute % 30, second=0, microsecond=0)
        counts[slot.time()] = counts.get(slot.time(), 0) + 1
        if call.answered_at and call.agent_ended_at:
            talk = (call.agent_ended_at - call.answered_at).total_seconds()
            handled.setdefault(slot.time(), []).append(talk)
    return {slot: (count / weeks, _mean(handled.get(slot))) for slot, count in counts.items()}


def _mean(values: list[float] | None) -> float:
    return sum(values) / len(values) if values else 0.0


def _queued_calls(session: Session, days: list[dt.date], zone: ZoneInfo) -> list[Call]:
    if not days:
        return []
    since = dt.datetime.combine(min(days), dt.time(0), tzinfo=zone)
    until = dt.datetime.combine(max(days) + dt.timedelta(days=1), dt.time(0), tzinfo=zone)
    query = select(Call).where(Call.queued_at >= since, Call.queued_at < until)
    return list(session.scalars(query))


def rostered_at(session: Session, at: dt.datetime) -> int:
    """Return how many active agents are on shift at `at` (the roster, not who logged in)."""
    zone = at.tzinfo if isinstance(at.tzinfo, ZoneInfo) else ZoneInfo("Europe/London")
    return len(agents_on_shift(session, at, zone.key))


@dataclass(frozen=True)
class Bar:
    """One interval drawn in the chart (SVG user units)."""

    x: float
    width: float
    needed_y: float
    rostered_y: float
    rostered_height: float
    label: str
    short: bool
    title: str


def chart(intervals: list[Interval], width: float = 960, height: float = 240) -> list[Bar]:
    """Lay out rostered bars and needed markers on a 0..max scale, marking shortfalls."""
    if not intervals:
        return []
    top = max(max(i.needed for i in intervals), max(i.rostered for i in intervals), 1)
    step = width / len(intervals)
    bars = []
    for n, interval in enumerate(intervals):
        rostered_h = height * interval.rostered / top
        bars.append(
            Bar(
                x=round(n * step, 1),
                width=round(step * 0.8, 1),
                needed_y=round(height - height * interval.needed / top, 1),
                rostered_y=round(height - rostered_h, 1),
                rostered_height=round(rostered_h, 1),
                label=f"{interval.starts:%H:%M}" if interval.starts.minute == 0 else "",
                short=interval.shortfall > 0,
                title=_title(interval),
            )
        )
    return bars


def _title(interval: Interval) -> str:
    return (
        f"{interval.starts:%H:%M}: {interval.rostered} rostered, {interval.needed} needed "
        f"({interval.arrivals:.1f} calls, handle time {interval.aht_seconds:.0f} s)"
    )
