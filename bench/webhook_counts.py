"""Count the work behind each webhook in-process: SQL statements, commits, Redis round trips."""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import redis.connection
from flask import Flask
from sqlalchemy import event

from bench.webhook_calls import CHECKS, FORBID, Signed

KINDS = ("sql", "pings", "commits", "redis", "cpu_us")


@dataclass
class Tally:
    """Running totals of each kind of work, and per-step sums over the requests sampled."""

    now: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    steps: dict[str, dict[str, int]] = field(default_factory=lambda: defaultdict(dict))
    requests: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    def bump(self, kind: str) -> None:
        """Count one unit of work."""
        self.now[kind] += 1

    def measure(self, step: str, send: Callable[[], None]) -> None:
        """Run one request and add the work it caused to its step."""
        before = dict(self.now)
        started = time.process_time()
        send()
        self.now["cpu_us"] += round((time.process_time() - started) * 1e6)
        self.requests[step] += 1
        for kind in KINDS:
            totals = self.steps[step]
            totals[kind] = totals.get(kind, 0) + self.now[kind] - before[kind]

    def per_request(self, steps: tuple[str, ...]) -> dict[str, float]:
        """Return the mean work per request over the given steps."""
        count = sum(self.requests[s] for s in steps)
        return {k: sum(self.steps[s].get(k, 0) for s in steps) / count for k in KINDS}


def install(app: Flask) -> Tally:
    """Count the app engine's statements, commits and pre-pings and every Redis round trip."""
    tally = Tally()
    engine = app.extensions["helpline.engine"]
    event.listen(engine, "before_cursor_execute", lambda *_: tally.bump("sql"))
    event.listen(engine, "commit", lambda *_: tally.bump("commits"))
    ping = engine.dialect.do_ping

    def counted_ping(dbapi_connection: Any) -> Any:
        # A pooled connection checked before use (pool_pre_ping or core.db's own check).
        tally.bump("pings")
        return ping(dbapi_connection)

    engine.dialect.do_ping = counted_ping
    send = redis.connection.AbstractConnection.send_packed_command

    def counted(self: Any, command: Any, check_health: bool = True) -> None:
        # One call sends one command, or a whole pipeline: one round trip either way.
        tally.bump("redis")
        send(self, command, check_health)

    redis.connection.AbstractConnection.send_packed_command = counted  # type: ignore[method-assign]
    return tally


def post(app: Flask, tally: Tally, request: Signed, token: str, label: str = "") -> None:
    """Post one signed webhook through the app in-process, check the answer, count its work."""
    client = app.test_client()
    headers = {"X-Twilio-Signature": request.signature, "I-Twilio-Idempotency-Token": token}

    def send() -> None:
        answer = client.post(
            request.path,
            data=request.body,
            content_type="application/x-www-form-urlencoded",
            headers=headers,
        )
        body = answer.get_data(as_text=True)
        want = CHECKS.get(request.step, CHECKS["*"])
        if answer.status_code != 200 or FORBID in body or want not in body:
            raise SystemExit(f"bench: {request.step} answered {answer.status_code}: {body}")

    tally.measure(label or request.step, send)
