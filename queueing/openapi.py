"""OpenAPI paths and schemas for the ACD's agent-state and queue endpoints."""

from __future__ import annotations

from typing import Any

from api.errors import error_responses
from api.openapi import json_content, path_id, ref
from roster.openapi import AGENT_STATE

SCHEMAS: dict[str, Any] = {
    "AgentStatus": {
        "type": "object",
        "properties": {
            "agent_id": {"type": "integer"},
            "state": AGENT_STATE,
            "seconds_in_state": {"type": ["number", "null"]},
            "on_shift": {"type": "boolean"},
            "missed_offers": {"type": "integer"},
            "entry": {"type": ["string", "null"], "description": "queue entry being handled"},
        },
    },
    "QueueSnapshot": {
        "type": "object",
        "properties": {
            "waiting": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "entry": {"type": "string", "example": "call:CA..."},
                        "position": {"type": "integer"},
                        "priority": {"type": "integer"},
                        "waited_seconds": {"type": "number"},
                        "class": {"type": "string", "example": "en-GB|hate_crime"},
                    },
                },
            },
            "agents": {"type": "array", "items": ref("AgentStatus")},
            "agents_by_state": {"type": "object", "additionalProperties": {"type": "integer"}},
            "staffed": {"type": "integer", "description": "on shift and logged in"},
        },
    },
}

_STATUS_OK = json_content(ref("AgentStatus"), "the agent's state now")


def _me(summary: str) -> dict[str, Any]:
    return {
        "post": {
            "summary": summary + " (role: agent, own agent only)",
            "responses": {"200": _STATUS_OK, **error_responses(401, 403, 409)},
        }
    }


PATHS: dict[str, Any] = {
    "/api/agents/me": {
        "get": {
            "summary": "The calling agent's live state (role: agent)",
            "responses": {"200": _STATUS_OK, **error_responses(401, 403)},
        }
    },
    "/api/agents/me/available": _me("Log in or become available for offers"),
    "/api/agents/me/break": _me("Take a break: no offers, still logged in"),
    "/api/agents/me/logout": _me("Log out"),
    "/api/agents/me/wrap-up/finish": _me("End wrap-up early"),
    "/api/agents/{agent_id}/state": {
        "post": {
            "summary": "Move an agent: available, break or logout (role: supervisor)",
            "parameters": path_id("agent_id"),
            "requestBody": {
                "required": True,
                "content": {
                    "application/json": {
                        "schema": {
                            "type": "object",
                            "required": ["action"],
                            "properties": {
                                "action": {
                                    "type": "string",
                                    "enum": ["available", "break", "logout"],
                                }
                            },
                        }
                    }
                },
            },
            "responses": {"200": _STATUS_OK, **error_responses(400, 401, 403, 404, 409, 422)},
        }
    },
    "/api/queue": {
        "get": {
            "summary": "Live queue snapshot (roles: supervisor, integration)",
            "responses": {
                "200": json_content(ref("QueueSnapshot"), "waiting entries and agents"),
                **error_responses(401, 403),
            },
        }
    },
}

OPENAPI: dict[str, Any] = {"paths": PATHS, "schemas": SCHEMAS}
