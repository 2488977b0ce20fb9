"""Today's callback figures from the database, using DOMAIN.md's definitions."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from callbacks.models import CallbackRequest
from queueing.measures import day_window


@dataclass(frozen=True)
class CallbackMeasures:
    """Callbacks requested on one desk-local day, and those that ended it each way."""

    requested: int
    completed: int
    failed: int
    expired: int

    def as_dict(self) -> dict[str, Any]:
        """Return the figures as a plain dict (for JSON)."""
        return asdict(self)


def today(session: Session, at: dt.datetime, tz: str = "Europe/London") -> CallbackMeasures:
    """Count callbacks asked for on `at`'s desk-local day, and those finished that day by state.

    A request finished today may have been made on an earlier day, as at any contact centre.
    """
    start, end = day_window(at, tz)
    requested = select(func.count()).where(
        CallbackRequest.requested_at >= start, CallbackRequest.requested_at < end
    )
    finished = session.execute(
        select(CallbackRequest.state, func.count())
        .where(CallbackRequest.finished_at >= start, CallbackRequest.finished_at < end)
        .group_by(CallbackRequest.state)
    )
    by_state: dict[str, int] = {state: count for state, count in finished}
    return CallbackMeasures(
        requested=session.scalar(requested) or 0,
        completed=by_state.get("completed", 0),
        failed=by_state.get("failed", 0),
        expired=by_state.get("expired", 0),
    )
