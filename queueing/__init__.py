"""The automatic call distributor: a Redis-backed queue that routes calls to agents."""

from __future__ import annotations

from flask import Flask

from core.features import (
    add_call_ended_handler,
    add_offer_handler,
    add_openapi,
    add_periodic_job,
    add_roster_changed_handler,
    set_agent_state_reader,
)

SWEEP_SECONDS = 2


def init_app(app: Flask) -> None:
    """Register the queue's webhooks and API, its call handlers and the sweep."""
    from queueing.agents import read_agent_state
    from queueing.api import bp as api_bp
    from queueing.jobs import sweep
    from queueing.mirror import on_roster_changed
    from queueing.openapi import OPENAPI
    from queueing.service import offer_call, on_call_ended
    from queueing.views import bp

    app.register_blueprint(bp)
    app.register_blueprint(api_bp)
    add_offer_handler(app, "call", offer_call)
    add_call_ended_handler(app, on_call_ended)
    add_openapi(app, OPENAPI)
    add_periodic_job(app, sweep, SWEEP_SECONDS)
    add_roster_changed_handler(app, on_roster_changed)
    set_agent_state_reader(app, read_agent_state)
