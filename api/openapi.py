"""Assemble the OpenAPI document from each feature's paths and schemas."""

from __future__ import annotations

from typing import Any

from callbacks.api import OPENAPI as CALLBACKS
from cases.api import OPENAPI as CASES
from queueing.openapi import OPENAPI as ACD

FEATURES: tuple[dict[str, Any], ...] = (CASES, ACD, CALLBACKS)

ERROR_SCHEMA = {
    "type": "object",
    "required": ["error"],
    "properties": {"error": {"type": "string"}, "details": {"type": "array", "items": {}}},
}


def document() -> dict[str, Any]:
    """Return the whole OpenAPI 3.1 document for /api/."""
    paths: dict[str, Any] = {}
    schemas: dict[str, Any] = {"Error": ERROR_SCHEMA}
    for feature in FEATURES:
        paths.update(feature.get("paths", {}))
        schemas.update(feature.get("schemas", {}))
    return {
        "openapi": "3.1.0",
        "info": {"title": "Helpline API", "version": "1"},
        "servers": [{"url": "/"}],
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": schemas,
        },
        "security": [{"bearer": []}],
        "paths": paths,
    }
