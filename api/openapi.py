"""Assemble the OpenAPI document from the fragments features registered (core/features.py)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

ERROR_SCHEMA = {
    "type": "object",
    "required": ["error"],
    "properties": {"error": {"type": "string"}, "details": {"type": "array", "items": {}}},
}


def ref(name: str) -> dict[str, Any]:
    """Return a reference to a schema in components."""
    return {"$ref": f"#/components/schemas/{name}"}


def json_content(schema: dict[str, Any], description: str) -> dict[str, Any]:
    """Return a response carrying JSON of `schema`."""
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def request_body(name: str) -> dict[str, Any]:
    """Return a required JSON request body of the named schema."""
    return {"required": True, "content": {"application/json": {"schema": ref(name)}}}


def path_id(name: str) -> list[dict[str, Any]]:
    """Return the parameters list for one integer path parameter."""
    return [{"name": name, "in": "path", "required": True, "schema": {"type": "integer"}}]


def document(fragments: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """Return the whole OpenAPI 3.1 document for /api/ from features' paths and schemas."""
    paths: dict[str, Any] = {}
    schemas: dict[str, Any] = {"Error": ERROR_SCHEMA}
    for fragment in fragments:
        paths.update(fragment.get("paths", {}))
        schemas.update(fragment.get("schemas", {}))
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
