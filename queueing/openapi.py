"""OpenAPI paths and schemas for the ACD's agent, roster and queue endpoints."""

from __future__ import annotations

from typing import Any

from api.errors import error_responses
from api.schemas import path_id
from roster.editing import IDENTITY, LANGUAGE, SKILL


def _ref(name: str) -> dict[str, Any]:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _body(name: str) -> dict[str, Any]:
    return {"required": True, "content": {"application/json": {"schema": _ref(name)}}}


def _id(name: str) -> list[dict[str, Any]]:
    return [path_id(name)]


_STATE = {
    "type": "string",
    "enum": ["logged_out", "available", "reserved", "busy", "wrap_up", "break", "paused"],
}
SCHEMAS: dict[str, Any] = {
    "AgentStatus": {
        "type": "object",
        "properties": {
            "agent_id": {"type": "integer"},
            "state": _STATE,
            "seconds_in_state": {"type": ["number", "null"]},
            "on_shift": {"type": "boolean"},
            "missed_offers": {"type": "integer"},
            "entry": {"type": ["string", "null"], "description": "queue entry being handled"},
        },
    },
    "AgentInput": {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "name": {"type": "string", "maxLength": 200},
            "client_identity": {
                "type": ["string", "null"],
                "pattern": IDENTITY.pattern,
                "description": "Twilio Client id, unique among agents (409 when taken)",
            },
            "phone": {"type": ["string", "null"], "description": "any UK or E.164 format"},
            "skills": {
                "type": "array",
                "items": {"type": "string", "pattern": SKILL.pattern},
                "example": ["hate_crime"],
            },
            "languages": {
                "type": "array",
                "items": {"type": "string", "pattern": LANGUAGE.pattern},
                "minItems": 1,
                "example": ["en-GB"],
            },
            "active": {"type": "boolean"},
        },
    },
    "Agent": {
        "type": "object",
        "properties": {
            "id": {"type": "integer"},
            "name": {"type": "string"},
            "client_identity": {"type": ["string", "null"]},
            "phone": {"type": ["string", "null"]},
            "skills": {"type": "array", "items": {"type": "string"}},
            "languages": {"type": "array", "items": {"type": "string"}},
            "active": {"type": "boolean"},
            "state": _STATE,
            "on_shift": {"type": "boolean"},
        },
    },
    "ShiftInput": {
        "type": "object",
        "additionalProperties": False,
        "required": ["starts", "ends"],
        "description": (
            "Give weekday (weekly pattern) or on_date (dated work or leave). The shift must end"
            " after it starts, on the same day (00:00 as the end means midnight): there are no"
            " overnight shifts. A shift overlapping one of the agent's shifts of the same kind"
            " on the same weekday or date is refused with 422."
        ),
        "properties": {
            "weekday": {"type": "integer", "minimum": 0, "maximum": 6, "description": "0=Mon"},
            "on_date": {"type": "string", "format": "date"},
            "starts": {"type": "string", "example": "08:00", "description": "desk-local"},
            "ends": {
                "type": "string",
                "example": "16:00",
                "description": "desk-local, after starts; 00:00 means midnight",
            },
            "kind": {"type": "string", "enum": ["work", "leave"], "default": "work"},
        },
    },
    "Shift": {
        "type": "object",
        "properties": {
            "id": {"type": "integer"},
            "agent_id": {"type": "integer"},
            "weekday": {"type": ["integer", "null"]},
            "on_date": {"type": ["string", "null"], "format": "date"},
            "starts": {"type": "string"},
            "ends": {"type": "string"},
            "kind": {"type": "string"},
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
            "agents": {"type": "array", "items": _ref("AgentStatus")},
            "agents_by_state": {"type": "object", "additionalProperties": {"type": "integer"}},
            "staffed": {"type": "integer", "description": "on shift and logged in"},
        },
    },
}

_AUDITED = 'The change is written to the audit trail with actor "api:<token name>".'
_EDIT_RULES = (
    "Checked by the same rules as the supervisor console. A 422 lists each reason as"
    ' {"field", "reason"}; field is "agent" or "shift" when no one field is at fault. '
) + _AUDITED
_STATUS_OK = _json(_ref("AgentStatus"), "the agent's state now")


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
            "parameters": _id("agent_id"),
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
                "200": _json(_ref("QueueSnapshot"), "waiting entries and agents"),
                **error_responses(401, 403),
            },
        }
    },
    "/api/agents": {
        "get": {
            "summary": "List agents with live state (role: supervisor)",
            "responses": {
                "200": _json(
                    {
                        "type": "object",
                        "properties": {"agents": {"type": "array", "items": _ref("Agent")}},
                    },
                    "agents",
                ),
                **error_responses(401, 403),
            },
        },
        "post": {
            "summary": "Add an agent (role: supervisor)",
            "description": _EDIT_RULES,
            "requestBody": _body("AgentInput"),
            "responses": {
                "201": _json(_ref("Agent"), "created"),
                **error_responses(400, 401, 403, 409, 422),
            },
        },
    },
    "/api/agents/{agent_id}": {
        "get": {
            "summary": "Show an agent (role: supervisor)",
            "parameters": _id("agent_id"),
            "responses": {
                "200": _json(_ref("Agent"), "the agent"),
                **error_responses(401, 403, 404),
            },
        },
        "patch": {
            "summary": "Change an agent's details, skills, languages or active flag",
            "description": _EDIT_RULES,
            "parameters": _id("agent_id"),
            "requestBody": _body("AgentInput"),
            "responses": {
                "200": _json(_ref("Agent"), "updated"),
                **error_responses(400, 401, 403, 404, 409, 422),
            },
        },
    },
    "/api/agents/{agent_id}/shifts": {
        "get": {
            "summary": "List an agent's shifts (role: supervisor)",
            "parameters": _id("agent_id"),
            "responses": {
                "200": _json(
                    {
                        "type": "object",
                        "properties": {"shifts": {"type": "array", "items": _ref("Shift")}},
                    },
                    "shifts",
                ),
                **error_responses(401, 403, 404),
            },
        },
        "post": {
            "summary": "Add a weekly shift, or a dated extra shift or leave",
            "description": _EDIT_RULES,
            "parameters": _id("agent_id"),
            "requestBody": _body("ShiftInput"),
            "responses": {
                "201": _json(_ref("Shift"), "created"),
                **error_responses(400, 401, 403, 404, 422),
            },
        },
    },
    "/api/shifts/{shift_id}": {
        "delete": {
            "summary": "Remove a shift (role: supervisor)",
            "description": _AUDITED,
            "parameters": _id("shift_id"),
            "responses": {"204": {"description": "removed"}, **error_responses(401, 403, 404)},
        }
    },
    "/api/skills": {
        "get": {
            "summary": "Specialist skills offences map to and agents hold",
            "responses": {
                "200": _json(
                    {
                        "type": "object",
                        "properties": {"skills": {"type": "array", "items": {"type": "string"}}},
                    },
                    "skills",
                ),
                **error_responses(401, 403),
            },
        }
    },
}

OPENAPI: dict[str, Any] = {"paths": PATHS, "schemas": SCHEMAS}
