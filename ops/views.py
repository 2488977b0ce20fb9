"""Probes for the load balancer and the scrape endpoint for Prometheus."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify

from ops import health, metrics

bp = Blueprint("ops", __name__)


@bp.get("/healthz")
def healthz() -> Response:
    """Say the process is alive; touches nothing else, so a store outage never restarts it."""
    return _no_store(jsonify(status="ok"))


@bp.get("/readyz")
def readyz() -> Response:
    """Say whether this process can serve calls: 200 ready, 503 not, each check ok or fail."""
    checks = health.readiness(current_app)
    ready = all(checks.values())
    body = jsonify(
        status="ready" if ready else "unready",
        checks={name: "ok" if passed else "fail" for name, passed in checks.items()},
    )
    body.status_code = 200 if ready else 503
    return _no_store(body)


@bp.get("/metrics")
def metrics_view() -> Response:
    """Serve Prometheus metrics to a scraper holding METRICS_TOKEN."""
    return _no_store(metrics.response(current_app))


def _no_store(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    return response
