"""Callbacks: a caller's place kept while they hang up, and the calls that honour it."""

from __future__ import annotations

from flask import Flask

from core.features import add_offer_handler, add_openapi, add_periodic_job


def init_app(app: Flask) -> None:
    """Register the callback webhooks and API, the `cb` offer handler and reconciliation."""
    from callbacks.api import OPENAPI
    from callbacks.api import bp as api_bp
    from callbacks.jobs import reconcile
    from callbacks.queue_link import KIND, offer_entry
    from callbacks.views import bp

    app.register_blueprint(bp)
    app.register_blueprint(api_bp)
    add_offer_handler(app, KIND, offer_entry)
    add_openapi(app, OPENAPI)
    add_periodic_job(app, reconcile, int(app.config["CALLBACK_RECONCILE_SECONDS"]))
