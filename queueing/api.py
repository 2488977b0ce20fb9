"""Agents' own state (/api/agents/me/...), supervisors' state changes and the queue snapshot."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, g, jsonify, request

from api.auth import require_token
from api.errors import api_error
from core.db import get_session
from queueing import agents
from queueing.desk import Desk, desk_for

bp = Blueprint("queueing_api", __name__, url_prefix="/api")
ACTIONS = {"available": "available", "break": "break", "logout": "logout"}


def _desk() -> Desk:
    return desk_for(current_app)  # type: ignore[arg-type]


def _act(agent_id: int, action: str) -> Response:
    """Apply an action for an agent and answer 200, 404 or 409 with the reason."""
    session = get_session()
    try:
        done, state = agents.change_state(session, _desk(), agent_id, action)
    except agents.UnknownAgent:
        return api_error(404, f"no agent {agent_id}")
    except agents.OffShift:
        return api_error(409, "the agent is not on shift now, so cannot go available")
    session.commit()
    if not done:
        return api_error(409, f"cannot {action.replace('_', ' ')} while {state}")
    return jsonify(agents.agent_status(_desk(), agent_id))


def _me() -> int | Response:
    agent_id = g.api_token.agent_id
    return agent_id if agent_id is not None else api_error(403, "this token is not an agent's")


@bp.get("/agents/me")
@require_token("agent")
def me() -> Response:
    """Show the calling agent's live state."""
    agent_id = _me()
    return (
        agent_id
        if isinstance(agent_id, Response)
        else jsonify(agents.agent_status(_desk(), agent_id))
    )


@bp.post("/agents/me/<any(available, break, logout):action>")
@require_token("agent")
def my_state(action: str) -> Response:
    """Log in or become available, take a break, or log out."""
    agent_id = _me()
    return agent_id if isinstance(agent_id, Response) else _act(agent_id, ACTIONS[action])


@bp.post("/agents/me/wrap-up/finish")
@require_token("agent")
def my_wrap_up() -> Response:
    """End wrap-up early and take the next call."""
    agent_id = _me()
    return agent_id if isinstance(agent_id, Response) else _act(agent_id, "finish_wrap")


@bp.post("/agents/<id:agent_id>/state")
@require_token("supervisor")
def set_state(agent_id: int) -> Response:
    """Supervisors move an agent: available (e.g. after a pause), break or logout."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or set(body) != {"action"}:
        return api_error(400, 'the body must be {"action": ...}')
    if not isinstance(body["action"], str) or body["action"] not in ACTIONS:
        return api_error(
            422, "unknown action", [{"field": "action", "reason": "available, break or logout"}]
        )
    return _act(agent_id, ACTIONS[body["action"]])


@bp.get("/queue")
@require_token("supervisor", "integration")
def queue_snapshot() -> Response:
    """Show who is waiting (position, tier, wait so far) and agents by state."""
    return jsonify(agents.queue_snapshot(_desk()))
