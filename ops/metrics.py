"""Prometheus metrics: request latency per route, and shared state read at scrape time.

Under gunicorn each worker process writes its histograms to PROMETHEUS_MULTIPROC_DIR
(gunicorn.conf.py sets one up) and a scrape sums them all; elsewhere they stay in memory.
"""

from __future__ import annotations

import hmac
import os
import time

from flask import Flask, Response, current_app, g, request
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Histogram, generate_latest
from prometheus_client.multiprocess import MultiProcessCollector

from ops.collector import StateCollector

# Twilio gives up on a webhook after 15 s; the top buckets show how close we come.
BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 15.0)
PROCESS = CollectorRegistry()
LATENCY = Histogram(
    "helpline_http_request_duration_seconds",
    "time to answer a request (Twilio webhooks, API, consoles), by route",
    ["route", "method", "status"],
    buckets=BUCKETS,
    registry=PROCESS,
)


def init_app(app: Flask) -> None:
    """Time every request."""
    app.before_request(_start_timer)
    app.after_request(_observe)


def route() -> str:
    """Return the matched route's pattern (bounded, and free of any data in the path)."""
    return request.url_rule.rule if request.url_rule is not None else "unmatched"


def elapsed() -> float | None:
    """Return the seconds since this request began, if it was timed."""
    started = g.get("ops_started")
    return None if started is None else time.perf_counter() - started


def _start_timer() -> None:
    g.ops_started = time.perf_counter()


def _observe(response: Response) -> Response:
    seconds = elapsed()
    if seconds is not None:
        LATENCY.labels(route(), request.method, str(response.status_code)).observe(seconds)
    return response


def exposition(app: Flask) -> bytes:
    """Render every metric in Prometheus's text format."""
    registry = CollectorRegistry(auto_describe=False)
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        MultiProcessCollector(registry)
    else:
        registry.register(PROCESS)
    registry.register(StateCollector(app))
    return generate_latest(registry)


def allowed() -> bool:
    """Say whether this request carries METRICS_TOKEN as a bearer token."""
    token = current_app.config.get("METRICS_TOKEN") or ""
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    return (
        bool(token)
        and scheme.lower() == "bearer"
        and hmac.compare_digest(given.strip().encode(), token.encode())
    )


def response(app: Flask) -> Response:
    """Answer a scrape: 404 when no token is configured, 401 without the right one."""
    if not app.config.get("METRICS_TOKEN"):
        return Response("not found", status=404, mimetype="text/plain")
    if not allowed():
        challenge = {"WWW-Authenticate": "Bearer"}
        return Response("unauthorised", status=401, mimetype="text/plain", headers=challenge)
    return Response(exposition(app), mimetype=CONTENT_TYPE_LATEST)
