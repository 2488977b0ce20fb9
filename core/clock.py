"""One place to read the time, so Redis scripts get it passed in and tests can reason about it.

A simulation may run the whole stack on a compressed clock: with
`HELPLINE_SIMULATED_CLOCK=START@RATE@ANCHOR` (development and test only) every process reads
START + (real time - ANCHOR) x RATE, so web, worker and simulator agree on one fast day.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache

SIMULATED_CLOCK = "HELPLINE_SIMULATED_CLOCK"
DEV_ENVS = frozenset({"development", "test"})


@dataclass(frozen=True)
class Scale:
    """A compressed clock: `start` (Unix s) at real Unix time `anchor`, running `rate` x."""

    start: float
    rate: float
    anchor: float

    def at(self, real: float) -> float:
        """Return the simulated Unix time at real Unix time `real`."""
        return self.start + (real - self.anchor) * self.rate

    def encode(self) -> str:
        """Return the value of HELPLINE_SIMULATED_CLOCK that describes this scale."""
        return f"{self.start!r}@{self.rate!r}@{self.anchor!r}"


@lru_cache(maxsize=4)
def parse(raw: str) -> Scale:
    """Read START@RATE@ANCHOR (Unix seconds, a positive factor, Unix seconds)."""
    try:
        start, rate, anchor = (float(part) for part in raw.split("@"))
    except ValueError as exc:
        raise ValueError(f"{SIMULATED_CLOCK} must be START@RATE@ANCHOR, got {raw!r}") from exc
    if rate <= 0:
        raise ValueError(f"{SIMULATED_CLOCK} needs a positive rate")
    return Scale(start, rate, anchor)


def scale() -> Scale | None:
    """Return the simulated clock in force, or None (refused outside development and test)."""
    raw = os.environ.get(SIMULATED_CLOCK)
    if not raw:
        return None
    if os.environ.get("HELPLINE_ENV") not in DEV_ENVS:
        raise RuntimeError(f"{SIMULATED_CLOCK} is for development and test only")
    return parse(raw)


def _unix() -> float:
    real = time.time()
    scaled = scale()
    return real if scaled is None else scaled.at(real)


def now() -> datetime:
    """Return the current time as an aware UTC datetime."""
    return datetime.fromtimestamp(_unix(), UTC)


def epoch_ms() -> int:
    """Return the current Unix time in milliseconds (what Lua scripts receive in ARGV)."""
    if scale() is None:
        return time.time_ns() // 1_000_000
    return int(_unix() * 1000)


def real_seconds(seconds: float) -> float:
    """Return how many real seconds `seconds` of clock time take (fewer on a simulated clock)."""
    scaled = scale()
    return seconds if scaled is None else seconds / scaled.rate
