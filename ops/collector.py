"""Metrics read from shared state at scrape time: the queue, agents, callbacks, call totals.

Computed here rather than counted in each process, so every web process reports the same
truth, and a restart loses nothing: gauges from Redis (the ACD) and the database, counters
from the database's own records and from the shared counters in Redis (core/counters.py).
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Iterable, Iterator

import redis
from flask import Flask
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from callbacks.models import CallbackRequest
from calls.models import Call
from consoles.login_throttle import PREFIX as LOGIN_PREFIX
from consoles.login_throttle import Throttle
from core import counters
from core.clock import epoch_ms, now
from core.db import session_factory
from core.jobs import HEARTBEAT_KEY
from core.redis_conn import get_redis
from queueing.desk import desk_for

log = logging.getLogger("helpline.metrics")
ENTRY_KINDS = ("call", "cb")
AGENT_STATES = ("logged_out", "available", "reserved", "busy", "wrap_up", "break")
CALLBACK_FINAL = ("completed", "failed", "expired", "cancelled")
IVR_LOCKS = "hl:{ivr}:lock:"
LOCK_KINDS = {"ref": "reference", "num": "number"}


class StateCollector(Collector):
    """Yield the helpline's shared-state metrics, and which stores could be read."""

    def __init__(self, app: Flask) -> None:
        self.app = app

    def collect(self) -> Iterator[Metric]:
        up = GaugeMetricFamily(
            "helpline_metrics_source_up", "1 if /metrics could read the store", labels=["source"]
        )
        for name, read in (("redis", self._from_redis), ("database", self._from_database)):
            try:
                families = list(read())
            except Exception as exc:  # a store down must not hide the other's metrics
                log.warning("metrics: could not read %s: %s", name, type(exc).__name__)
                up.add_metric([name], 0)
                continue
            up.add_metric([name], 1)
            yield from families
        yield up

    def _from_redis(self) -> Iterable[Metric]:
        client = get_redis(self.app)
        worker = GaugeMetricFamily(
            "helpline_worker_up",
            "1 while some `helpline worker` heartbeat is fresh (as /readyz sees it)",
            value=int(client.exists(HEARTBEAT_KEY)),
        )
        return [
            *_queue(self.app),
            worker,
            _ivr_lockouts(client),
            _console_lockouts(client, Throttle.from_config(self.app.config)),
            *_shared_counters(client),
        ]

    def _from_database(self) -> Iterable[Metric]:
        with session_factory(self.app)() as session:
            return [*_call_totals(session), *_callbacks(session)]


def _queue(app: Flask) -> list[Metric]:
    """Waiting entries and the longest wait by kind, and agents by state, from the ACD."""
    snapshot = desk_for(app).acd.snapshot(epoch_ms())
    waiting = GaugeMetricFamily(
        "helpline_queue_waiting", "entries waiting for an agent, by kind", labels=["kind"]
    )
    longest = GaugeMetricFamily(
        "helpline_queue_longest_wait_seconds", "longest current wait, by kind", labels=["kind"]
    )
    for kind in ENTRY_KINDS:
        waits = [e["waited_seconds"] for e in snapshot["waiting"] if _kind(e["entry"]) == kind]
        waiting.add_metric([kind], len(waits))
        longest.add_metric([kind], max(waits, default=0.0))
    states = Counter(str(agent["state"]) for agent in snapshot["agents"])
    agents = _by_label(
        GaugeMetricFamily, "helpline_agents", "agents by live state", "state", AGENT_STATES, states
    )
    staffed = desk_for(app).acd.staffed()
    on_shift = GaugeMetricFamily(
        "helpline_agents_staffed", "agents on shift and logged in", value=staffed
    )
    return [waiting, longest, agents, on_shift]


def _kind(entry: str) -> str:
    return entry.partition(":")[0]


def _ivr_lockouts(client: redis.Redis) -> Metric:
    """Count IVR locks in force by what is locked (keys hold keyed hashes, never references)."""
    found: Counter[str] = Counter()
    for key in client.scan_iter(match=IVR_LOCKS + "*", count=1000):
        name = key.decode() if isinstance(key, bytes) else str(key)
        kind = name[len(IVR_LOCKS) :].partition(":")[0]
        found[LOCK_KINDS.get(kind, kind)] += 1
    return _by_label(
        GaugeMetricFamily,
        "helpline_lockouts_active",
        "IVR lockouts in force, by what is locked (a crime reference or a caller number)",
        "kind",
        LOCK_KINDS.values(),
        found,
    )


def _console_lockouts(client: redis.Redis, throttle: Throttle) -> Metric:
    """Count console login throttles in force: one user everywhere, or one user from one address."""
    found: Counter[str] = Counter()
    limits = {"user": throttle.user_failures, "client": throttle.client_failures}
    for kind, limit in limits.items():
        keys = list(client.scan_iter(match=f"{LOGIN_PREFIX}:{kind}:*", count=1000))
        values = client.mget(keys) if keys else []
        found[kind] = sum(1 for v in values if v is not None and int(v) >= limit)
    return _by_label(
        GaugeMetricFamily,
        "helpline_console_lockouts_active",
        "console logins refused now: a user everywhere, or a user from one address",
        "scope",
        limits.keys(),
        found,
    )


def _shared_counters(client: redis.Redis) -> list[Metric]:
    values = counters.read(client)
    families: list[Metric] = []
    for counter in counters.COUNTERS:
        family = CounterMetricFamily(
            counter.name, counter.doc, labels=[counter.label] if counter.label else None
        )
        if counter.label is None:
            family.add_metric([], values.get(counter.field(None), 0))
        else:
            prefix = counter.field("")
            seen = {k[len(prefix) :]: v for k, v in values.items() if k.startswith(prefix)}
            for value in sorted(set(counter.known) | set(seen)):
                family.add_metric([value], seen.get(value, 0))
        families.append(family)
    return families


def _call_totals(session: Session) -> list[Metric]:
    """Calls queued, answered, abandoned and self-served, ever (one pass over the calls)."""
    row = session.execute(
        select(
            func.count(Call.queued_at),
            func.count(Call.answered_at),
            func.count(Call.abandoned_at),
            func.coalesce(func.sum(case((Call.outcome == "self_served", 1), else_=0)), 0),
        )
    ).one()
    docs = (
        ("helpline_calls_queued", "calls that joined the queue"),
        ("helpline_calls_answered", "calls an agent answered"),
        ("helpline_calls_abandoned", "callers who hung up while queued"),
        ("helpline_calls_self_served", "callers who heard their status and left content"),
    )
    return [
        CounterMetricFamily(name, doc, value=int(v))
        for (name, doc), v in zip(docs, row, strict=True)
    ]


def _callbacks(session: Session) -> list[Metric]:
    """Callbacks open (pending, due now, in progress) and finished by how they ended."""
    by_state = dict(
        session.execute(
            select(CallbackRequest.state, func.count()).group_by(CallbackRequest.state)
        ).all()
    )
    at = now()
    due = session.scalar(
        select(func.count()).where(
            CallbackRequest.state == "pending",
            CallbackRequest.not_before <= at,
            (CallbackRequest.next_attempt_at.is_(None)) | (CallbackRequest.next_attempt_at <= at),
        )
    )
    pending = by_state.get("pending", 0)
    return [
        GaugeMetricFamily(
            "helpline_callbacks_pending", "callbacks waiting to be made", value=pending
        ),
        GaugeMetricFamily(
            "helpline_callbacks_due", "pending callbacks that may be made now", value=due or 0
        ),
        GaugeMetricFamily(
            "helpline_callbacks_in_progress",
            "callbacks being dialled now",
            value=by_state.get("in_progress", 0),
        ),
        _by_label(
            CounterMetricFamily,
            "helpline_callbacks_finished",
            "callbacks finished, by how (failed: no answer after every retry)",
            "state",
            CALLBACK_FINAL,
            by_state,
        ),
    ]


def _by_label(
    family: Callable[..., GaugeMetricFamily | CounterMetricFamily],
    name: str,
    doc: str,
    label: str,
    known: Iterable[str],
    counts: dict[str, int] | Counter[str],
) -> Metric:
    """Build a one-label family showing every known value (0 when absent) and any others."""
    metric = family(name, doc, labels=[label])
    for value in sorted(set(known) | set(counts)):
        metric.add_metric([value], counts.get(value, 0))
    return metric
