"""One place to read the time, so Redis scripts get it passed in and tests can reason about it."""

from __future__ import annotations

import time
from datetime import UTC, datetime


def now() -> datetime:
    """Return the current time as an aware UTC datetime."""
    return datetime.now(UTC)


def epoch_ms() -> int:
    """Return the current Unix time in milliseconds (what Lua scripts receive in ARGV)."""
    return time.time_ns() // 1_000_000
