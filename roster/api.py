"""Manage agents, their skills and shifts: /api/agents, /api/shifts (supervisors only)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import Blueprint, Response, current_app, g, jsonify, request
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from api.auth import require_token
from api.errors import api_error
from core.db import get_session
from core.features import agent_state
from roster import api_input, editing
from roster.editing import RosterError
from roster.models import Agent, Shift

bp = Blueprint("roster_api", __name__, url_prefix="/api")
# Supervisors (and admins) manage the roster; integration tokens have no roster rights:
# a records system that could change an agent's phone could send victims' calls anywhere.
MANAGERS = ("supervisor",)
T = TypeVar("T")
Answer = Response | tuple[Response | str, int]


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
    live = agent_state(current_app, agent.id)  # type: ignore[arg-type]
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


def _edit(change: Callable[[Session], T], what: str, respond: Callable[[T], Answer]) -> Answer:
    """Run one roster service as the token's holder; commit and tell routing, or say why not."""
    session = get_session()
    try:
        result = change(session)
    except RosterError as error:
        session.rollback()
        return _refused(error, what)
    except IntegrityError:  # another request took the client_identity since we checked
        session.rollback()
        return api_error(409, f"the {what} was not saved", [_TAKEN])
    session.commit()
    editing.routing_changed(session, current_app._get_current_object())  # type: ignore[attr-defined]
    return respond(result)


def _actor() -> str:
    return f"api:{g.api_token.name}"


def _refused(error: RosterError, what: str) -> Response:
    """Answer 404 when the row is gone, 409 for a clash alone, else 422 with every reason."""
    kinds = {problem.kind for problem in error.problems}
    details = [{"field": p.field or what, "reason": p.message} for p in error.problems]
    if "missing" in kinds:
        return api_error(404, error.messages[0])
    return api_error(409 if kinds == {"taken"} else 422, f"the {what} was not saved", details)


_TAKEN = {"field": "client_identity", "reason": "another agent already has it"}


@bp.get("/agents")
@require_token(*MANAGERS)
def list_agents() -> Response:
    """List every agent with their live state."""
    agents = get_session().scalars(select(Agent).order_by(Agent.id)).all()
    return jsonify({"agents": [agent_json(a) for a in agents]})


@bp.post("/agents")
@require_token(*MANAGERS)
def create_agent() -> Answer:
    """Add an agent reachable at a client identity and/or phone number."""
    body, error = _body(api_input.AGENT_FIELDS)
    if error or body is None:
        return error  # type: ignore[return-value]
    details, unparsed = api_input.agent_details(body, None)
    return _edit(
        lambda session: editing.save_agent(session, _actor(), details, None, unparsed),
        "agent",
        lambda agent: (jsonify(agent_json(agent)), 201),
    )


def _agent_or_404(agent_id: int) -> Agent | Response:
    agent = get_session().get(Agent, agent_id)
    return agent if agent is not None else api_error(404, f"no agent {agent_id}")


@bp.get("/agents/<id:agent_id>")
@require_token(*MANAGERS)
def get_agent(agent_id: int) -> Response:
    """Show one agent."""
    agent = _agent_or_404(agent_id)
    return agent if isinstance(agent, Response) else jsonify(agent_json(agent))


@bp.patch("/agents/<id:agent_id>")
@require_token(*MANAGERS)
def update_agent(agent_id: int) -> Answer:
    """Change an agent's name, endpoints, skills, languages or active flag."""
    agent = _agent_or_404(agent_id)
    if isinstance(agent, Response):
        return agent
    body, error = _body(api_input.AGENT_FIELDS)
    if error or body is None:
        return error  # type: ignore[return-value]
    details, unparsed = api_input.agent_details(body, agent)
    return _edit(
        lambda session: editing.save_agent(session, _actor(), details, agent_id, unparsed),
        "agent",
        lambda saved: jsonify(agent_json(saved)),
    )


@bp.get("/agents/<id:agent_id>/shifts")
@require_token(*MANAGERS)
def list_shifts(agent_id: int) -> Response:
    """List an agent's weekly patterns and dated exceptions."""
    agent = _agent_or_404(agent_id)
    if isinstance(agent, Response):
        return agent
    return jsonify({"shifts": [shift_json(s) for s in agent.shifts]})


@bp.post("/agents/<id:agent_id>/shifts")
@require_token(*MANAGERS)
def add_shift(agent_id: int) -> Answer:
    """Add a weekly shift (weekday) or a dated extra shift or leave (on_date)."""
    body, error = _body(api_input.SHIFT_FIELDS)
    if error or body is None:
        return error  # type: ignore[return-value]
    details, unparsed = api_input.shift_details(body)
    return _edit(
        lambda session: editing.add_shift(session, _actor(), agent_id, details, unparsed),
        "shift",
        lambda shift: (jsonify(shift_json(shift)), 201),
    )


@bp.delete("/shifts/<id:shift_id>")
@require_token(*MANAGERS)
def delete_shift(shift_id: int) -> Answer:
    """Remove a shift."""
    return _edit(
        lambda session: editing.delete_shift(session, _actor(), shift_id),
        "shift",
        lambda _agent_id: ("", 204),
    )


@bp.get("/skills")
@require_token(*MANAGERS)
def list_skills() -> Response:
    """List the specialist skills offences map to, and those agents hold."""
    configured = {pair.partition("=")[2] for pair in current_app.config["ACD_OFFENCE_SKILLS"]}
    held = {s for a in get_session().scalars(select(Agent)) for s in a.skills or []}
    return jsonify({"skills": sorted((configured | held) - {""})})
