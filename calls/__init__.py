"""Calls: the journey of every call, from first ring to how it ended, and feedback."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the status callback and inbound SMS webhooks."""
    from calls.views import bp

    app.register_blueprint(bp)
