"""A records system pushes one case update: PUT /api/cases/{crime_reference}."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request

from api.auth import require_token
from api.errors import api_error, error_responses
from cases.importer import HEADER, RowError, parse_row, upsert
from core.db import get_session

bp = Blueprint("cases_api", __name__, url_prefix="/api")
FIELDS = HEADER[1:]


@bp.put("/cases/<path:reference>")
@require_token("integration")
def put_case(reference: str) -> Response | tuple[Response, int]:
    """Create or replace one case, validated exactly like an imported CSV row."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return api_error(400, "the body must be a JSON object")
    unknown = sorted(set(body) - set(FIELDS))
    if unknown:
        return api_error(400, "unknown fields: " + ", ".join(unknown))
    cells, type_errors = _as_cells(reference, body)
    row, errors = parse_row(cells, 1, _patterns())
    wrong_type = {e.column for e in type_errors}
    errors = type_errors + [e for e in errors if e.column not in wrong_type]
    if errors:
        details = [{"field": e.column, "reason": e.reason} for e in errors]
        return api_error(422, "the case was not saved", details)
    session = get_session()
    result = upsert(session, [row])
    session.commit()
    return jsonify(
        {"crime_reference": row["crime_reference"], "created": bool(result.created)}
    ), 201 if result.created else 200


def _as_cells(reference: str, body: dict[str, Any]) -> tuple[dict[str | None, Any], list[RowError]]:
    """Turn the JSON body into CSV-like cells, refusing values of the wrong JSON type."""
    cells: dict[str | None, Any] = {"crime_reference": reference}
    errors: list[RowError] = []
    for name in FIELDS:
        value = body.get(name)
        if name == "enhanced_rights":
            ok = value is None or isinstance(value, bool)
            cells[name] = "" if value is None else str(value).lower()
        else:
            ok = value is None or isinstance(value, str)
            cells[name] = value if isinstance(value, str) else ""
        if not ok:
            errors.append(RowError(1, name, f"must be {_TYPES.get(name, 'a string')}"))
    return cells, errors


_TYPES = {"enhanced_rights": "true or false"}


def _patterns() -> tuple[str, ...]:
    return tuple(current_app.config["CRIME_REFERENCE_PATTERNS"])


_CASE_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["victim_name", "victim_dob", "status_code", "last_update"],
    "properties": {
        "victim_name": {"type": "string", "maxLength": 200},
        "victim_phone": {"type": ["string", "null"], "description": "any UK or E.164 format"},
        "victim_dob": {"type": "string", "format": "date"},
        "status_code": {"type": "string"},
        "status_detail": {
            "type": "string",
            "maxLength": 2000,
            "description": "written for the victim; read out verbatim",
        },
        "officer": {"type": "string"},
        "last_update": {"type": "string", "format": "date"},
        "next_update_due": {"type": ["string", "null"], "format": "date"},
        "enhanced_rights": {"type": "boolean"},
        "language": {"type": "string", "example": "en-GB"},
        "offence": {"type": "string"},
    },
}

OPENAPI: dict[str, Any] = {
    "schemas": {"CaseUpdate": _CASE_SCHEMA},
    "paths": {
        "/api/cases/{crime_reference}": {
            "put": {
                "summary": "Create or update one case (role: integration)",
                "parameters": [
                    {
                        "name": "crime_reference",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "string"},
                    }
                ],
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/CaseUpdate"}}
                    },
                },
                "responses": {
                    "200": {"description": "updated"},
                    "201": {"description": "created"},
                    # 404: a reference that cannot be a path segment (e.g. a line break).
                    **error_responses(400, 401, 403, 404, 422),
                },
            }
        }
    },
}
