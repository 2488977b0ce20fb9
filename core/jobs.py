"""Background jobs: the RQ queue, the app jobs run in, and the periodic scheduler."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from functools import cache

from flask import Flask
from redis.exceptions import RedisError
from rq import Queue

from core.clock import real_seconds
from core.features import PeriodicJob, registry
from core.redis_conn import get_raw_redis

log = logging.getLogger("helpline.jobs")
QUEUE_NAME = "helpline"
# Present while some `helpline worker` is alive: /readyz reads it (see ops/health.py).
HEARTBEAT_KEY = "hl:worker:heartbeat"
_factory: list[Callable[[], Flask]] = []
# On a simulated (compressed) clock intervals shrink, but never below this many real seconds.
MIN_REAL_INTERVAL = 1.0


def use_app_factory(factory: Callable[[], Flask]) -> None:
    """Say how a worker process builds the app its jobs run in (the worker's start does)."""
    _factory[:] = [factory]
    job_app.cache_clear()


@cache
def job_app() -> Flask:
    """Return one app per worker process, built by the factory the worker's start gave."""
    if not _factory:
        raise RuntimeError("jobs need an app: run them in `helpline worker` (worker.run)")
    return _factory[0]()


def queue(app: Flask) -> Queue:
    """Return the RQ queue on the app's Redis."""
    return Queue(QUEUE_NAME, connection=get_raw_redis(app))


class PeriodicScheduler(threading.Thread):
    """Enqueue each periodic job once per interval across all workers (a Redis lock per slot)."""

    def __init__(self, app: Flask, periodic: Sequence[PeriodicJob] | None = None) -> None:
        super().__init__(name="helpline-periodic", daemon=True)
        self.app = app
        self.periodic = registry(app).periodic if periodic is None else periodic
        self.stopping = threading.Event()

    def run(self) -> None:
        every = min([1.0, *(_real_interval(job.seconds) for job in self.periodic)])
        # Tick at once: the heartbeat must be there before the worker's first job has run.
        while True:
            try:
                self.tick()
            except RedisError as exc:
                # Redis will come back; a dead thread would never schedule or beat again.
                log.warning("periodic jobs: Redis unreachable (%s); retrying", type(exc).__name__)
            if self.stopping.wait(every):
                return

    def tick(self) -> int:
        """Enqueue the jobs that are due; return how many this process enqueued."""
        redis = get_raw_redis(self.app)
        redis.set(HEARTBEAT_KEY, "1", ex=self.app.config["WORKER_HEARTBEAT_SECONDS"])
        enqueued = 0
        for job in self.periodic:
            every_ms = int(_real_interval(job.seconds) * 1000)
            if redis.set(f"hl:periodic:{job.name}", "1", nx=True, px=every_ms):
                queue(self.app).enqueue(job.func, job_timeout=max(job.seconds * 4, 30))
                enqueued += 1
        return enqueued


def _real_interval(interval: float) -> float:
    """Return the real seconds between runs of a job due every `interval` clock seconds."""
    return max(real_seconds(interval), min(MIN_REAL_INTERVAL, interval))
