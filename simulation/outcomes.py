"""The victims' outcome table for one policy, computed from ground truth."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from simulation.truth import VictimTruth

WITHIN = 120.0  # "answered within 2 minutes"


@dataclass(frozen=True)
class Outcomes:
    """What a policy did for victims over the simulated period."""

    victims: int
    calls_placed: int
    offered: int  # calls that reached the queue, redials included
    self_served: int  # victims whose status call needed nobody
    answered: int  # calls
    answered_within_2_min: int  # calls
    abandoned: int  # calls
    dropped: int  # calls the desk ended while queued, unanswered (should be none)
    callbacks_requested: int  # victims
    callbacks_completed: int  # victims reached (in person or by a permitted voicemail)
    callbacks_voicemail: int
    callbacks_pending_at_end: int
    time_to_callback_avg_s: float | None
    time_to_callback_max_s: float | None
    asa_s: float | None
    longest_wait_s: float | None
    need_met: int
    need_met_share: float | None

    def as_dict(self) -> dict[str, Any]:
        """Return the figures as a plain dict (for JSON)."""
        return asdict(self)


def outcomes(truths: Sequence[VictimTruth], pending_at_end: int) -> Outcomes:
    """Summarise the victims' truth into the outcome table."""
    calls = [c for t in truths for c in t.calls]
    answered = [c.wait or 0.0 for c in calls if c.answered_at is not None]
    asked = [t for t in truths if t.requested_at is not None]
    reached = [t for t in asked if t.called_back_at is not None]
    delays = [(t.called_back_at or 0) - (t.requested_at or 0) for t in reached]
    met = sum(1 for t in truths if t.need_met(WITHIN))
    return Outcomes(
        victims=len(truths),
        calls_placed=len(calls),
        offered=sum(1 for c in calls if c.queued_at is not None),
        self_served=sum(1 for t in truths if any(c.self_served for c in t.calls)),
        answered=len(answered),
        answered_within_2_min=sum(1 for w in answered if w <= WITHIN),
        abandoned=sum(1 for c in calls if c.abandoned),
        dropped=sum(1 for c in calls if c.dropped),
        callbacks_requested=len(asked),
        callbacks_completed=len(reached),
        callbacks_voicemail=sum(1 for t in reached if t.voicemail),
        callbacks_pending_at_end=pending_at_end,
        time_to_callback_avg_s=_mean(delays),
        time_to_callback_max_s=max(delays, default=None),
        asa_s=_mean(answered),
        longest_wait_s=max(answered, default=None),
        need_met=met,
        need_met_share=met / len(truths) if truths else None,
    )


def _mean(values: Sequence[float]) -> float | None:
    return sum(values) / len(values) if values else None


ROWS = (
    ("unique victims", "victims"),
    ("calls placed (with redials)", "calls_placed"),
    ("offered to the queue", "offered"),
    ("self-served (victims)", "self_served"),
    ("answered (calls)", "answered"),
    ("answered within 2 min", "answered_within_2_min"),
    ("abandoned (calls)", "abandoned"),
    ("hung up on by the desk", "dropped"),
    ("callbacks requested", "callbacks_requested"),
    ("callbacks completed", "callbacks_completed"),
    ("  of which voicemail", "callbacks_voicemail"),
    ("callbacks pending at end", "callbacks_pending_at_end"),
    ("time to callback, average", "time_to_callback_avg_s"),
    ("time to callback, longest", "time_to_callback_max_s"),
    ("ASA", "asa_s"),
    ("longest wait (answered)", "longest_wait_s"),
    ("victims whose need was met", "need_met"),
    ("share of victims served", "need_met_share"),
)


def table(columns: dict[str, Outcomes]) -> str:
    """Render policies side by side as a plain-text table."""
    names = list(columns)
    lines = [f"{'':30}" + "".join(f"{n:>18}" for n in names)]
    for label, key in ROWS:
        cells = [_cell(key, getattr(columns[n], key)) for n in names]
        lines.append(f"{label:30}" + "".join(f"{c:>18}" for c in cells))
    return "\n".join(lines)


def _cell(key: str, value: float | None) -> str:
    if value is None:
        return "-"
    if key.endswith("_share"):
        return f"{value:.1%}"
    if key.endswith("_s"):
        return f"{value / 60:.1f} min" if value >= 120 else f"{value:.0f} s"
    return str(value)
