"""Count background job failures (an RQ exception handler for `helpline worker`)."""

from __future__ import annotations

from types import TracebackType
from typing import Any

from core.counters import JOB_FAILURES


def count_failure(
    job: Any, _type: type[BaseException], _value: BaseException, _tb: TracebackType | None
) -> bool:
    """Count the failure by job function; True lets RQ's default handling go on."""
    try:
        name = str(job.func_name)
    except Exception:  # an undecodable job still counts as a failure
        name = "unknown"
    JOB_FAILURES.inc(name, client=job.connection)
    return True
