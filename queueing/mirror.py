"""Keep the roster's routing facts (classes served, on shift) mirrored in Redis."""

from __future__ import annotations

import datetime as dt

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.clock import now
from queueing.acd import Acd
from queueing.desk import desk_for
from queueing.routing import agent_classes
from roster.models import Agent
from roster.shifts import agents_on_shift


def sync_agent(session: Session, acd: Acd, agent: Agent, at: dt.datetime, tz: str) -> str:
    """Mirror one agent now (after an API change); return their live state."""
    working = agent.active and agent.id in agents_on_shift(session, at, tz, [agent.id])
    return acd.mirror(agent.id, working, agent_classes(agent), _ms(at))


def on_roster_changed(app: Flask, session: Session) -> None:
    """Mirror the roster again after a committed edit, so it applies at once.

    An agent whose shift has just ended keeps their current call; the ACD stops new offers.
    """
    desk = desk_for(app)
    refresh_roster(session, desk.acd, now(), desk.config.timezone)


def refresh_roster(session: Session, acd: Acd, at: dt.datetime, tz: str) -> int:
    """Mirror every agent, so shift boundaries take effect without an API call; return count.

    One script call for the whole roster: one round trip per sweep, however many agents.
    """
    working = agents_on_shift(session, at, tz)
    agents = session.scalars(select(Agent)).all()
    acd.mirror_all(
        [(a.id, a.active and a.id in working, agent_classes(a)) for a in agents], _ms(at)
    )
    return len(agents)


def _ms(at: dt.datetime) -> int:
    return int(at.timestamp() * 1000)
