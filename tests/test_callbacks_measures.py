"""Today's callback figures, computed from callback requests."""

from __future__ import annotations

import datetime as dt

from flask import Flask

from callbacks.measures import today
from callbacks.models import CallbackRequest

NOON = dt.datetime(2026, 11, 23, 12, 0, tzinfo=dt.UTC)
DAY = dt.timedelta(days=1)


def request(
    n: int, requested: dt.datetime, state: str = "pending", **columns: object
) -> CallbackRequest:
    """A callback request for victim n, asked for at `requested`."""
    return CallbackRequest(
        victim_key=f"v{n}",
        phone_e164="+447700900123",
        priority=0,
        virtual_start_at=requested,
        requested_at=requested,
        not_before=requested,
        expires_at=requested + 7 * DAY,
        state=state,
        **columns,
    )


def test_requested_today_and_finished_today_by_state(app: Flask) -> None:
    """Requested counts today's requests; completed/failed/expired count today's endings."""
    with app.extensions["helpline.sessionmaker"]() as session:
        session.add_all(
            [
                request(1, NOON),
                request(2, NOON, "completed", finished_at=NOON),
                request(3, NOON - DAY, "completed", finished_at=NOON),  # asked yesterday
                request(4, NOON - DAY, "failed", finished_at=NOON),
                request(5, NOON - 8 * DAY, "expired", finished_at=NOON),
                request(6, NOON - 2 * DAY, "completed", finished_at=NOON - DAY),
                request(7, NOON, "cancelled", finished_at=NOON),
            ]
        )
        session.flush()
        figures = today(session, NOON, "Europe/London")
    assert figures.as_dict() == {"requested": 3, "completed": 2, "failed": 1, "expired": 1}


def test_no_callbacks_is_all_zero(app: Flask) -> None:
    """An empty day reports zeros, not missing figures."""
    with app.extensions["helpline.sessionmaker"]() as session:
        figures = today(session, NOON)
    assert figures.as_dict() == {"requested": 0, "completed": 0, "failed": 0, "expired": 0}
