"""Who is on shift at a moment, from weekly patterns and dated exceptions (desk-local time)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from roster.models import Agent, Shift


def on_shift(session: Session, agent_id: int, at: dt.datetime, tz: str = "Europe/London") -> bool:
    """Say whether the agent is rostered to work at `at`."""
    return agent_id in agents_on_shift(session, at, tz, agent_ids=[agent_id])


def agents_on_shift(
    session: Session,
    at: dt.datetime,
    tz: str = "Europe/London",
    agent_ids: Iterable[int] | None = None,
) -> set[int]:
    """Return the ids of active agents rostered to work at `at`."""
    local = at.astimezone(ZoneInfo(tz))
    query = (
        select(Shift)
        .join(Agent)
        .where(Agent.active.is_(True))
        .where(or_(Shift.weekday.is_not(None), Shift.on_date.in_(_days(local))))
    )
    if agent_ids is not None:
        query = query.where(Shift.agent_id.in_(list(agent_ids)))
    working: set[int] = set()
    on_leave: set[int] = set()
    for shift in session.scalars(query):
        if _covers(shift, local):
            (on_leave if shift.kind == "leave" else working).add(shift.agent_id)
    return working - on_leave


def _days(local: dt.datetime) -> list[dt.date]:
    return [local.date(), local.date() - dt.timedelta(days=1)]


def _covers(shift: Shift, local: dt.datetime) -> bool:
    """Say whether the shift's window holds `local`."""
    # roster.editing accepts shifts that end after they start or at midnight (00:00, read
    # here as ending the next day at 00:00); older rows may run overnight or all day.
    for start_day in _days(local):
        if not _falls_on(shift, start_day):
            continue
        start = dt.datetime.combine(start_day, shift.starts, tzinfo=local.tzinfo)
        end = dt.datetime.combine(start_day, shift.ends, tzinfo=local.tzinfo)
        if shift.ends <= shift.starts:
            end += dt.timedelta(days=1)
        if start <= local < end:
            return True
    return False


def _falls_on(shift: Shift, day: dt.date) -> bool:
    if shift.on_date is not None:
        return shift.on_date == day
    return shift.weekday == day.weekday()
