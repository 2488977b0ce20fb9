"""Set the desk up for a simulated day: cases for every victim, the roster, opening hours."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Sequence

from flask import Flask
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from cases.importer import upsert
from core.db import session_factory
from queueing.agents import go_available
from queueing.desk import desk_for
from roster.models import Agent, OpeningHours, Shift
from simulation.model import Model, Victim

AGENT_PREFIX = "sim-agent-"
LOGIN_LEAD = dt.timedelta(minutes=30)  # agents' shifts start this long before opening


def seed(app: Flask, model: Model, day: dt.date, people: Sequence[Victim]) -> list[int]:
    """Load the victims' cases, the simulated agents and their shifts; return agent ids."""
    with app.app_context(), session_factory(app)() as session:
        upsert(session, [_case_row(victim, day) for victim in people])
        _opening_hours(session, model)
        ids = [_agent(session, model, day, n) for n in range(1, model.agents + 1)]
        session.commit()
        return ids


def _case_row(victim: Victim, day: dt.date) -> dict[str, object]:
    return {
        "crime_reference": victim.reference,
        "reference_key": victim.reference,
        "victim_name": f"Victim {victim.number}",
        "victim_phone": victim.phone,
        "victim_dob": victim.dob,
        "status_code": "UNDER_INVESTIGATION",
        "status_detail": victim.status_detail,
        "officer": "Detective Constable Sim",
        "last_update": day - dt.timedelta(days=3),
        "next_update_due": day + dt.timedelta(days=4),
        "enhanced_rights": victim.enhanced,
        "language": "en-GB",
        "offence": "Burglary",
    }


def _opening_hours(session: Session, model: Model) -> None:
    for weekday in range(7):
        closes = model.weekend_closes if weekday >= 5 else model.weekday_closes
        session.merge(OpeningHours(weekday=weekday, opens=model.opens, closes=closes))


def _agent(session: Session, model: Model, day: dt.date, n: int) -> int:
    identity = f"{AGENT_PREFIX}{n}"
    agent = session.scalar(select(Agent).where(Agent.client_identity == identity))
    if agent is None:
        agent = Agent(client_identity=identity, name=f"Sim Agent {n}")
        session.add(agent)
    agent.skills, agent.languages, agent.active = [], ["en-GB"], True
    session.flush()
    session.execute(delete(Shift).where(Shift.agent_id == agent.id, Shift.on_date == day))
    starts = (dt.datetime.combine(day, model.opens) - LOGIN_LEAD).time()
    session.add(
        Shift(agent_id=agent.id, on_date=day, starts=starts, ends=model.closes(day), kind="work")
    )
    return agent.id


def log_agents_in(app: Flask, agent_ids: Sequence[int]) -> None:
    """Make every simulated agent available, as they would at the start of their shift."""
    with app.app_context(), session_factory(app)() as session:
        for agent_id in agent_ids:
            go_available(session, desk_for(app), agent_id)
        session.commit()


def supervisor_token(app: Flask) -> str:
    """Issue a supervisor API token for checking the desk's figures through the JSON API."""
    from api.auth import issue_token

    with app.app_context(), session_factory(app)() as session:
        token = issue_token(session, f"simulation-{secrets.token_hex(4)}", "supervisor")
        session.commit()
        return token


def come_back_from_pause(app: Flask, agent_ids: Sequence[int], after_seconds: float) -> int:
    """Make agents paused for missed offers available again, as a person at the desk would."""
    from queueing.agents import queue_snapshot

    paused = [
        a["agent_id"]
        for a in queue_snapshot(desk_for(app))["agents"]
        if a["state"] == "paused" and a["seconds_in_state"] >= after_seconds
    ]
    mine = [agent_id for agent_id in paused if agent_id in agent_ids]
    if mine:
        log_agents_in(app, mine)
    return len(mine)
