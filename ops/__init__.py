"""Operations: health and readiness probes, Prometheus metrics and structured logs."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Configure logging, time and tag every request, and add /healthz, /readyz, /metrics."""
    from ops import logs, metrics
    from ops.views import bp

    logs.init_app(app)
    metrics.init_app(app)
    app.register_blueprint(bp)
