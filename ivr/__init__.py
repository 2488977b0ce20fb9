"""The IVR: greet, authenticate, read the case status, route to a person or a callback."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the IVR's voice webhooks (/voice/incoming, /voice/ivr/...)."""
    from ivr.views import bp

    app.register_blueprint(bp)
