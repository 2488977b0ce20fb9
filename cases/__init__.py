"""Cases and victims: the records a caller hears about, and how they arrive."""

from __future__ import annotations

from flask import Flask

from core.features import add_openapi, add_periodic_job

OVERDUE_SWEEP_SECONDS = 3600


def init_app(app: Flask) -> None:
    """Register the case update API and the hourly overdue sweep."""
    from cases.api import OPENAPI, bp
    from cases.jobs import flag_overdue

    app.register_blueprint(bp)
    add_openapi(app, OPENAPI)
    add_periodic_job(app, flag_overdue, OVERDUE_SWEEP_SECONDS)
