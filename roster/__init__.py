"""Roster: agents, their skills, shifts and the desk's opening hours."""

from __future__ import annotations

from flask import Flask

from core.features import add_openapi


def init_app(app: Flask) -> None:
    """Register the roster API (/api/agents, /api/shifts, /api/skills) and its description."""
    from roster.api import bp
    from roster.openapi import OPENAPI

    app.register_blueprint(bp)
    add_openapi(app, OPENAPI)
