"""The JSON API: bearer-token auth, errors with reasons, and the OpenAPI document."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Serve /api/openapi.json (from the fragments features add) and JSON errors under /api/."""
    from api import views

    views.init_app(app)
