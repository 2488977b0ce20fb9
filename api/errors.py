"""JSON error answers: every 4xx says why."""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify
from werkzeug.exceptions import HTTPException


def api_error(status: int, message: str, details: list[Any] | None = None) -> Response:
    """Return {"error": message, "details": [...]} with the given status."""
    body: dict[str, Any] = {"error": message}
    if details:
        body["details"] = details
    response = jsonify(body)
    response.status_code = status
    return response


def handle_http_error(exc: HTTPException) -> Response:
    """Answer werkzeug's HTTP errors (404, 405, bad JSON...) as JSON under /api/."""
    return api_error(exc.code or 500, exc.description or exc.name)


def error_responses(*codes: int) -> dict[str, Any]:
    """Describe, for the OpenAPI document, the JSON error answers an operation can give."""
    reasons = {
        400: "bad input",
        401: "missing or unknown token",
        403: "wrong role",
        404: "not found",
        409: "conflict",
        422: "invalid values",
    }
    error = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    return {str(code): {"description": reasons[code], "content": error} for code in codes}
