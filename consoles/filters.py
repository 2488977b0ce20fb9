"""Jinja filters shared by the console pages (the wallboard's script formats the same way)."""

from __future__ import annotations

import math
from typing import Any

from flask import Flask

NONE = "\u2013"  # an en dash: "no figure yet"


def duration(seconds: float | None) -> str:
    """Format seconds as m:ss (or h:mm:ss); a dash when unknown."""
    if seconds is None or (isinstance(seconds, float) and math.isinf(seconds)):
        return NONE
    total = round(seconds)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def percent(fraction: float | None) -> str:
    """Format a fraction as a whole percentage; a dash when there is nothing to divide."""
    # Halves round up, as the wallboard's Math.round does (Python's round() would give 62%
    # for 5 of 8 and the board would flip to 63% at its first poll).
    return NONE if fraction is None else f"{math.floor(fraction * 100 + 0.5)}%"


def agents_summary(agents: dict[str, Any]) -> str:
    """Describe the agents line: states when known, otherwise who is rostered."""
    if agents.get("states_known"):
        counts = [f"{len(people)} {state}" for state, people in agents["by_state"].items()]
        return ", ".join(counts) or "No agents logged in."
    return f"{agents['rostered_now']} rostered now; live states are not available yet."


def init_app(app: Flask) -> None:
    """Register the filters."""
    app.jinja_env.filters.update(duration=duration, percent=percent, agents_summary=agents_summary)
