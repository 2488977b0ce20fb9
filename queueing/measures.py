"""Today's queue measures from the database, using DOMAIN.md's definitions verbatim."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from calls.models import Call

SHORT_ABANDON_SECONDS = 10


@dataclass(frozen=True)
class Measures:
    """Offered, answered, abandoned and how fast: one desk-local day."""

    offered: int
    answered: int
    abandoned: int
    short_abandons: int
    answer_rate: float | None
    asa_seconds: float | None
    average_wait_seconds: float | None  # answered and abandoned calls
    longest_wait_seconds: float | None  # answered calls
    longest_abandon_wait_seconds: float | None
    service_level: float | None
    service_level_2: float | None  # abandons (not short ones) join the denominator
    self_served: int = 0  # heard their status and left without an agent (never queued)

    def as_dict(self) -> dict[str, Any]:
        """Return the figures as a plain dict (for JSON)."""
        return asdict(self)


def today(
    session: Session, at: dt.datetime, tz: str = "Europe/London", target_seconds: int = 60
) -> Measures:
    """Compute the measures for calls queued (or self-served) on `at`'s desk-local day."""
    start, end = day_window(at, tz)
    calls = session.scalars(select(Call).where(Call.queued_at >= start, Call.queued_at < end))
    served = select(func.count()).where(
        Call.outcome == "self_served", Call.started_at >= start, Call.started_at < end
    )
    return replace(compute(calls.all(), target_seconds), self_served=session.scalar(served) or 0)


def day_window(at: dt.datetime, tz: str) -> tuple[dt.datetime, dt.datetime]:
    """Return the start and end of `at`'s desk-local day (23 or 25 hours at a clock change)."""
    zone = ZoneInfo(tz)
    day = at.astimezone(zone).date()
    start = dt.datetime.combine(day, dt.time(0), tzinfo=zone)
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), tzinfo=zone)
    return start.astimezone(dt.UTC), end.astimezone(dt.UTC)


def compute(calls: Sequence[Call], target_seconds: int) -> Measures:
    """Compute the measures over calls that were offered to the queue.

    Average wait counts every caller who left the queue (answered or abandoned), since over
    answered calls alone it would be ASA again; longest wait is of answered calls, beside
    longest wait before abandon. SL2 = answered within T / (answered + abandoned - short).
    """
    answered = [c.wait_seconds or 0.0 for c in calls if c.answered_at is not None]
    abandoned = [c.wait_seconds or 0.0 for c in calls if c.abandoned_at is not None]
    short = sum(1 for w in abandoned if w < SHORT_ABANDON_SECONDS)
    within = sum(1 for w in answered if w <= target_seconds)
    counted_abandons = len(abandoned) - short
    waits = answered + abandoned
    return Measures(
        offered=len(calls),
        answered=len(answered),
        abandoned=len(abandoned),
        short_abandons=short,
        answer_rate=_ratio(len(answered), len(calls)),
        asa_seconds=_ratio(sum(answered), len(answered)),
        average_wait_seconds=_ratio(sum(waits), len(waits)),
        longest_wait_seconds=max(answered, default=None),
        longest_abandon_wait_seconds=max(abandoned, default=None),
        service_level=_ratio(within, len(answered)),
        service_level_2=_ratio(within, len(answered) + counted_abandons),
    )


def _ratio(numerator: float, denominator: int) -> float | None:
    return numerator / denominator if denominator else None
