"""JSON API for agents and supervisors: list, reschedule and cancel callbacks.

Least privilege: supervisors (and admins) manage every callback; an agent's token sees,
reschedules and cancels only the callbacks the ACD has put to that agent (an attempt of
theirs, or the one they are on now); integration tokens have no access.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Blueprint, Response, current_app, g, jsonify, request
from sqlalchemy import Select, or_, select

from api.auth import require_token
from api.errors import api_error, error_responses
from api.openapi import path_id
from callbacks import dialer, queue_link
from callbacks.attempts import cancel
from callbacks.models import PENDING_STATES, CallbackAttempt, CallbackRequest
from callbacks.service import reschedule
from cases.models import Case
from core.clock import now
from core.db import get_session
from telephony.numbers import mask

bp = Blueprint("callbacks_api", __name__, url_prefix="/api")
STATES = ("pending", "in_progress", "completed", "failed", "expired", "cancelled")
ROLES = ("agent", "supervisor")


@bp.get("/callbacks")
@require_token(*ROLES)
def list_callbacks() -> Response:
    """List the callbacks this token may see, optionally by state (oldest place first)."""
    state = request.args.get("state")
    if state is not None and state not in STATES:
        return api_error(400, f"state must be one of: {', '.join(STATES)}")
    query = _visible()
    if query is None:
        return api_error(403, "this agent token is linked to no agent")
    query = query.order_by(CallbackRequest.priority.desc(), CallbackRequest.virtual_start_at)
    if state:
        query = query.where(CallbackRequest.state == state)
    rows = get_session().scalars(query.limit(500)).all()
    return jsonify({"callbacks": [_as_json(row) for row in rows]})


def _visible() -> Select[CallbackRequest] | None:
    """Return the callbacks this token may see (None: an agent token linked to no agent)."""
    token = g.api_token
    query = select(CallbackRequest)
    if token.role != "agent":
        return query
    if token.agent_id is None:
        return None
    theirs = select(CallbackAttempt.callback_id).where(CallbackAttempt.agent_id == token.agent_id)
    return query.where(
        or_(CallbackRequest.agent_id == token.agent_id, CallbackRequest.id.in_(theirs))
    )


def _find(callback_id: int) -> CallbackRequest | Response:
    """Return the callback if this token may act on it, else a 403 or 404 answer."""
    query = _visible()
    if query is None:
        return api_error(403, "this agent token is linked to no agent")
    row = get_session().scalar(query.where(CallbackRequest.id == callback_id))
    # An agent asking for someone else's callback hears "no such callback", as for a missing one.
    return row if row is not None else api_error(404, "no such callback")


@bp.post("/callbacks/<id:callback_id>/reschedule")
@require_token(*ROLES)
def reschedule_callback(callback_id: int) -> Response | tuple[Response, int]:
    """Move a pending callback to a new earliest time; it keeps its place once due."""
    session = get_session()
    row = _find(callback_id)
    if isinstance(row, Response):
        return row
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return api_error(422, 'the body must be a JSON object: {"not_before": ...}')
    not_before, problem = _parse_time(body.get("not_before"))
    if problem or not_before is None:
        return api_error(422, problem or "not_before is required")
    if row.state != "pending":
        return api_error(409, f"only a pending callback can be rescheduled (it is {row.state})")
    if not_before >= row.expires_at:
        return api_error(422, "not_before is after the callback expires")
    reschedule(session, row, not_before, _actor())
    session.commit()
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    queue_link.remove(app, row.id)
    dialer.enqueue_later(app, session, row)
    return jsonify(_as_json(row))


@bp.post("/callbacks/<id:callback_id>/cancel")
@require_token(*ROLES)
def cancel_callback(callback_id: int) -> Response | tuple[Response, int]:
    """Cancel an open callback (and stop an attempt under way)."""
    session = get_session()
    row = _find(callback_id)
    if isinstance(row, Response):
        return row
    if row.state not in PENDING_STATES:
        return api_error(409, f"the callback is already {row.state}")
    settled = cancel(session, row, _actor(), now())
    session.commit()
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    queue_link.remove(app, row.id)
    dialer.after(app, settled)
    return jsonify(_as_json(row))


def _actor() -> str:
    token = g.api_token
    return f"{token.role}:{token.name}"


def _parse_time(raw: Any) -> tuple[dt.datetime | None, str | None]:
    if not isinstance(raw, str):
        return None, "not_before must be an ISO 8601 date-time string"
    try:
        value = dt.datetime.fromisoformat(raw)
    except ValueError:
        return None, "not_before is not an ISO 8601 date-time"
    if value.tzinfo is None:
        return None, "not_before needs a time zone offset, such as Z or +01:00"
    try:
        return value.astimezone(dt.UTC), None
    except OverflowError:  # e.g. 0001-01-01T00:00:00+14:00 falls before year 1 in UTC
        return None, "not_before is out of range"


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value else None


def _as_json(row: CallbackRequest) -> dict[str, Any]:
    case = get_session().get(Case, row.case_id) if row.case_id else None
    return {
        "id": row.id,
        "state": row.state,
        "crime_reference": case.crime_reference if case else None,
        "phone": mask(row.phone_e164),
        "language": row.language,
        "safe_to_leave_message": row.safe_to_leave_message,
        "reason": row.reason,
        "priority": row.priority,
        "virtual_start_at": _iso(row.virtual_start_at),
        "requested_at": _iso(row.requested_at),
        "not_before": _iso(row.not_before),
        "next_attempt_at": _iso(row.next_attempt_at),
        "expires_at": _iso(row.expires_at),
        "attempts": row.attempts,
        "finished_at": _iso(row.finished_at),
        "finish_reason": row.finish_reason,
    }


_CALLBACK_SCHEMA = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"},
        "state": {"type": "string", "enum": list(STATES)},
        "crime_reference": {"type": ["string", "null"]},
        "phone": {"type": "string", "description": "masked: only the last three digits"},
        "language": {"type": "string"},
        "safe_to_leave_message": {"type": "boolean"},
        "reason": {"type": "string"},
        "priority": {"type": "integer"},
        "virtual_start_at": {"type": "string", "format": "date-time"},
        "requested_at": {"type": "string", "format": "date-time"},
        "not_before": {"type": "string", "format": "date-time"},
        "next_attempt_at": {"type": ["string", "null"], "format": "date-time"},
        "expires_at": {"type": "string", "format": "date-time"},
        "attempts": {"type": "integer"},
        "finished_at": {"type": ["string", "null"], "format": "date-time"},
        "finish_reason": {"type": ["string", "null"]},
    },
}
_ONE = {"application/json": {"schema": {"$ref": "#/components/schemas/Callback"}}}
_ID = path_id("callback_id")

OPENAPI: dict[str, Any] = {
    "schemas": {"Callback": _CALLBACK_SCHEMA},
    "paths": {
        "/api/callbacks": {
            "get": {
                "summary": "List callbacks (supervisor: all; agent: only those put to them)",
                "parameters": [
                    {
                        "name": "state",
                        "in": "query",
                        "schema": {"type": "string", "enum": list(STATES)},
                    }
                ],
                "responses": {
                    "200": {
                        "description": "callbacks, best place first",
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "properties": {
                                        "callbacks": {
                                            "type": "array",
                                            "items": {"$ref": "#/components/schemas/Callback"},
                                        }
                                    },
                                }
                            }
                        },
                    },
                    **error_responses(400, 401, 403),
                },
            }
        },
        "/api/callbacks/{callback_id}/reschedule": {
            "post": {
                "summary": "Set a pending callback's earliest time (supervisor; agent: their own)",
                "parameters": _ID,
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "required": ["not_before"],
                                "properties": {
                                    "not_before": {"type": "string", "format": "date-time"}
                                },
                            }
                        }
                    },
                },
                "responses": {
                    "200": {"description": "rescheduled", "content": _ONE},
                    **error_responses(401, 403, 404, 409, 422),
                },
            }
        },
        "/api/callbacks/{callback_id}/cancel": {
            "post": {
                "summary": "Cancel an open callback (supervisor; agent: their own)",
                "parameters": _ID,
                "responses": {
                    "200": {"description": "cancelled", "content": _ONE},
                    **error_responses(401, 403, 404, 409),
                },
            }
        },
    },
}
