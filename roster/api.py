"""Manage agents, their skills and shifts: /api/agents, /api/shifts (supervisor, integration)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from api.auth import require_token
from api.errors import api_error
from core.clock import now
from core.db import get_session
from queueing.agents import agent_status
from queueing.desk import desk_for
from queueing.mirror import sync_agent
from roster import validation
from roster.models import Agent, Shift

bp = Blueprint("roster_api", __name__, url_prefix="/api")
MANAGERS = ("supervisor", "integration")


def _body(allowed: set[str]) -> tuple[dict[str, Any] | None, Response | None]:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return None, api_error(400, "the body must be a JSON object")
    unknown = sorted(set(body) - allowed)
    if unknown:
        return None, api_error(400, "unknown fields: " + ", ".join(unknown))
    return body, None


def agent_json(agent: Agent) -> dict[str, Any]:
    """Return an agent as the API shows it, with their live state."""
    live = agent_status(desk_for(current_app), agent.id)  # type: ignore[arg-type]
    return {
        "id": agent.id,
        "name": agent.name,
        "client_identity": agent.client_identity,
        "phone": agent.phone_e164,
        "skills": agent.skills,
        "languages": agent.languages,
        "active": agent.active,
        "state": live["state"],
        "on_shift": live["on_shift"],
    }


def shift_json(shift: Shift) -> dict[str, Any]:
    """Return a shift as the API shows it."""
    return {
        "id": shift.id,
        "agent_id": shift.agent_id,
        "weekday": shift.weekday,
        "on_date": shift.on_date.isoformat() if shift.on_date else None,
        "starts": shift.starts.isoformat("minutes"),
        "ends": shift.ends.isoformat("minutes"),
        "kind": shift.kind,
    }


def _save_agent(agent: Agent) -> Response | None:
    """Commit an agent change and refresh its mirror; a 409 when the identity is taken."""
    session = get_session()
    try:
        session.flush()
    except IntegrityError:
        session.rollback()
        return api_error(409, "another agent already has that client_identity")
    desk = desk_for(current_app)  # type: ignore[arg-type]
    sync_agent(session, desk.acd, agent, now(), desk.config.timezone)
    session.commit()
    return None


@bp.get("/agents")
@require_token(*MANAGERS)
def list_agents() -> Response:
    """List every agent with their live state."""
    agents = get_session().scalars(select(Agent).order_by(Agent.id)).all()
    return jsonify({"agents": [agent_json(a) for a in agents]})


@bp.post("/agents")
@require_token(*MANAGERS)
def create_agent() -> tuple[Response, int] | Response:
    """Add an agent reachable at a client identity and/or phone number."""
    body, error = _body(validation.AGENT_FIELDS)
    if error or body is None:
        return error  # type: ignore[return-value]
    values, problems = validation.agent_values(body, creating=True)
    if not problems and not validation.reachable(values):
        problems.append({"field": "client_identity", "reason": "give a client_identity or phone"})
    if problems:
        return api_error(422, "the agent was not saved", problems)
    agent = Agent(**values)
    get_session().add(agent)
    return _save_agent(agent) or (jsonify(agent_json(agent)), 201)


def _agent_or_404(agent_id: int) -> Agent | Response:
    agent = get_session().get(Agent, agent_id)
    return agent if agent is not None else api_error(404, f"no agent {agent_id}")


@bp.get("/agents/<int:agent_id>")
@require_token(*MANAGERS)
def get_agent(agent_id: int) -> Response:
    """Show one agent."""
    agent = _agent_or_404(agent_id)
    return agent if isinstance(agent, Response) else jsonify(agent_json(agent))


@bp.patch("/agents/<int:agent_id>")
@require_token(*MANAGERS)
def update_agent(agent_id: int) -> Response:
    """Change an agent's name, endpoints, skills, languages or active flag."""
    agent = _agent_or_404(agent_id)
    if isinstance(agent, Response):
        return agent
    body, error = _body(validation.AGENT_FIELDS)
    if error or body is None:
        return error  # type: ignore[return-value]
    values, problems = validation.agent_values(body, creating=False)
    current = {"client_identity": agent.client_identity, "phone_e164": agent.phone_e164}
    if not problems and not validation.reachable(current | values):
        problems.append({"field": "client_identity", "reason": "give a client_identity or phone"})
    if problems:
        return api_error(422, "the agent was not saved", problems)
    for name, value in values.items():
        setattr(agent, name, value)
    return _save_agent(agent) or jsonify(agent_json(agent))


@bp.get("/agents/<int:agent_id>/shifts")
@require_token(*MANAGERS)
def list_shifts(agent_id: int) -> Response:
    """List an agent's weekly patterns and dated exceptions."""
    agent = _agent_or_404(agent_id)
    if isinstance(agent, Response):
        return agent
    return jsonify({"shifts": [shift_json(s) for s in agent.shifts]})


@bp.post("/agents/<int:agent_id>/shifts")
@require_token(*MANAGERS)
def add_shift(agent_id: int) -> tuple[Response, int] | Response:
    """Add a weekly shift (weekday) or a dated extra shift or leave (on_date)."""
    agent = _agent_or_404(agent_id)
    if isinstance(agent, Response):
        return agent
    body, error = _body(validation.SHIFT_FIELDS)
    if error or body is None:
        return error  # type: ignore[return-value]
    values, problems = validation.shift_values(body)
    if problems:
        return api_error(422, "the shift was not saved", problems)
    shift = Shift(agent_id=agent.id, **values)
    get_session().add(shift)
    return _save_agent(agent) or (jsonify(shift_json(shift)), 201)


@bp.delete("/shifts/<int:shift_id>")
@require_token(*MANAGERS)
def delete_shift(shift_id: int) -> tuple[str, int] | Response:
    """Remove a shift."""
    session = get_session()
    shift = session.get(Shift, shift_id)
    if shift is None:
        return api_error(404, f"no shift {shift_id}")
    agent = shift.agent
    session.delete(shift)
    session.flush()
    session.expire(agent, ["shifts"])
    return _save_agent(agent) or ("", 204)


@bp.get("/skills")
@require_token(*MANAGERS)
def list_skills() -> Response:
    """List the specialist skills offences map to, and those agents hold."""
    configured = {pair.partition("=")[2] for pair in current_app.config["ACD_OFFENCE_SKILLS"]}
    held = {s for a in get_session().scalars(select(Agent)) for s in a.skills or []}
    return jsonify({"skills": sorted((configured | held) - {""})})
