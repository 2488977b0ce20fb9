"""OpenAPI pieces the features share."""

from __future__ import annotations

from typing import Any

from core.db import MAX_ROW_ID

# Path ids outside this range match no route (404): see core.db.RowIdConverter.
ROW_ID: dict[str, Any] = {"type": "integer", "minimum": 1, "maximum": MAX_ROW_ID}


def path_id(name: str) -> dict[str, Any]:
    """Describe a row id in the path."""
    return {"name": name, "in": "path", "required": True, "schema": ROW_ID}
