"""OpenAPI paths and schemas for the roster API: /api/agents, /api/shifts, /api/skills."""

from __future__ import annotations

from typing import Any

from api.errors import error_responses
from api.openapi import json_content, path_id, ref, request_body
from roster.editing import IDENTITY, LANGUAGE, SKILL

# An agent's live state as the ACD keeps it (queueing/lua); the roster shows it beside them.
AGENT_STATE = {
    "type": "string",
    "enum": ["logged_out", "available", "reserved", "busy", "wrap_up", "break", "paused"],
}

SCHEMAS: dict[str, Any] = {
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
            "state": AGENT_STATE,
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
}

_AUDITED = 'The change is written to the audit trail with actor "api:<token name>".'
_EDIT_RULES = (
    "Checked by the same rules as the supervisor console. A 422 lists each reason as"
    ' {"field", "reason"}; field is "agent" or "shift" when no one field is at fault. '
) + _AUDITED


PATHS: dict[str, Any] = {
    "/api/agents": {
        "get": {
            "summary": "List agents with live state (role: supervisor)",
            "responses": {
                "200": json_content(
                    {
                        "type": "object",
                        "properties": {"agents": {"type": "array", "items": ref("Agent")}},
                    },
                    "agents",
                ),
                **error_responses(401, 403),
            },
        },
        "post": {
            "summary": "Add an agent (role: supervisor)",
            "description": _EDIT_RULES,
            "requestBody": request_body("AgentInput"),
            "responses": {
                "201": json_content(ref("Agent"), "created"),
                **error_responses(400, 401, 403, 409, 422),
            },
        },
    },
    "/api/agents/{agent_id}": {
        "get": {
            "summary": "Show an agent (role: supervisor)",
            "parameters": path_id("agent_id"),
            "responses": {
                "200": json_content(ref("Agent"), "the agent"),
                **error_responses(401, 403, 404),
            },
        },
        "patch": {
            "summary": "Change an agent's details, skills, languages or active flag",
            "description": _EDIT_RULES,
            "parameters": path_id("agent_id"),
            "requestBody": request_body("AgentInput"),
            "responses": {
                "200": json_content(ref("Agent"), "updated"),
                **error_responses(400, 401, 403, 404, 409, 422),
            },
        },
    },
    "/api/agents/{agent_id}/shifts": {
        "get": {
            "summary": "List an agent's shifts (role: supervisor)",
            "parameters": path_id("agent_id"),
            "responses": {
                "200": json_content(
                    {
                        "type": "object",
                        "properties": {"shifts": {"type": "array", "items": ref("Shift")}},
                    },
                    "shifts",
                ),
                **error_responses(401, 403, 404),
            },
        },
        "post": {
            "summary": "Add a weekly shift, or a dated extra shift or leave",
            "description": _EDIT_RULES,
            "parameters": path_id("agent_id"),
            "requestBody": request_body("ShiftInput"),
            "responses": {
                "201": json_content(ref("Shift"), "created"),
                **error_responses(400, 401, 403, 404, 422),
            },
        },
    },
    "/api/shifts/{shift_id}": {
        "delete": {
            "summary": "Remove a shift (role: supervisor)",
            "description": _AUDITED,
            "parameters": path_id("shift_id"),
            "responses": {"204": {"description": "removed"}, **error_responses(401, 403, 404)},
        }
    },
    "/api/skills": {
        "get": {
            "summary": "Specialist skills offences map to and agents hold",
            "responses": {
                "200": json_content(
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
