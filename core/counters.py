"""Event counters kept in Redis, so web and worker processes (on any machine) add to one total.

Prometheus's own counters live in one process (or one host's files under gunicorn); REST
errors and job failures also happen in `helpline worker`, which serves no /metrics. A count
here is one HINCRBY; /metrics reads the hash (ops/collector.py). Facts the database already
records (calls answered, callbacks failed) are counted there instead, not here. Plumbing in
core/, so the telephony edge and the worker can count without importing the ops feature.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import redis
from flask import current_app, has_app_context
from redis.exceptions import RedisError

from core.redis_conn import get_redis

log = logging.getLogger("helpline.metrics")
KEY = "hl:metrics:counters"


@dataclass(frozen=True)
class SharedCounter:
    """A Prometheus counter with at most one label, summed across processes in Redis."""

    name: str
    doc: str
    label: str | None = None
    known: tuple[str, ...] = ()  # label values shown at 0 before their first event

    def inc(self, value: str | None = None, client: redis.Redis | None = None) -> None:
        """Add one (for label `value`); never fail the caller's work over a metric."""
        if client is None and not has_app_context():
            log.warning("metric %s not counted: no app context", self.name)
            return
        try:
            (client or get_redis(current_app)).hincrby(KEY, self.field(value), 1)
        except RedisError as exc:
            log.warning("metric %s not counted: %s", self.name, type(exc).__name__)

    def field(self, value: str | None) -> str:
        """Return the hash field holding this counter (for one label value)."""
        return self.name if self.label is None else f"{self.name}|{value or ''}"


TWILIO_REST_ERRORS = SharedCounter(
    "helpline_twilio_rest_errors",
    "Twilio REST requests that failed, by HTTP status (or unreachable)",
    label="status",
    known=("unreachable",),
)
JOB_FAILURES = SharedCounter(
    "helpline_job_failures", "background jobs that raised, by job", label="job"
)
WEBHOOK_FALLBACKS = SharedCounter(
    "helpline_webhook_fallbacks",
    "Twilio webhooks that failed and answered the caller with fallback TwiML, by route",
    label="route",
)
COUNTERS = (TWILIO_REST_ERRORS, JOB_FAILURES, WEBHOOK_FALLBACKS)


def read(client: redis.Redis) -> dict[str, int]:
    """Return every counter's hash field and value."""
    raw = client.hgetall(KEY)
    return {_text(k): int(v) for k, v in raw.items()}


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value
