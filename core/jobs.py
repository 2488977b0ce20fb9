"""Background jobs: the RQ queue, an app for jobs to run in, and periodic tasks."""

from __future__ import annotations

import importlib
import logging
import threading
from collections.abc import Callable
from functools import cache
from typing import Any

from flask import Flask
from rq import Queue

from core.clock import real_seconds
from core.redis_conn import get_raw_redis

log = logging.getLogger("helpline.jobs")
QUEUE_NAME = "helpline"

# Dotted path of a job function -> interval in seconds. Features add their sweeps here.
PERIODIC: dict[str, int] = {"queueing.jobs.sweep": 2, "cases.jobs.flag_overdue": 3600}
# On a simulated (compressed) clock intervals shrink, but never below this many real seconds.
MIN_REAL_INTERVAL = 1.0


@cache
def job_app() -> Flask:
    """Return one app per worker process, built from the environment, for jobs to use."""
    from app import create_app

    return create_app()


def queue(app: Flask) -> Queue:
    """Return the RQ queue on the app's Redis."""
    return Queue(QUEUE_NAME, connection=get_raw_redis(app))


def resolve(path: str) -> Callable[..., Any]:
    """Import a job function from its dotted path."""
    module, _, name = path.rpartition(".")
    return getattr(importlib.import_module(module), name)


class PeriodicScheduler(threading.Thread):
    """Enqueue each periodic job once per interval across all workers (a Redis lock per slot)."""

    def __init__(self, app: Flask, periodic: dict[str, int] | None = None) -> None:
        super().__init__(name="helpline-periodic", daemon=True)
        self.app = app
        self.periodic = PERIODIC if periodic is None else periodic
        self.stopping = threading.Event()

    def run(self) -> None:
        while not self.stopping.wait(min([1.0, *map(_real_interval, self.periodic.values())])):
            self.tick()

    def tick(self) -> int:
        """Enqueue the jobs that are due; return how many this process enqueued."""
        redis = get_raw_redis(self.app)
        enqueued = 0
        for path, interval in self.periodic.items():
            every_ms = int(_real_interval(interval) * 1000)
            if redis.set(f"hl:periodic:{path}", "1", nx=True, px=every_ms):
                queue(self.app).enqueue(path, job_timeout=max(interval * 4, 30))
                enqueued += 1
        return enqueued


def _real_interval(interval: float) -> float:
    """Return the real seconds between runs of a job due every `interval` clock seconds."""
    return max(real_seconds(interval), min(MIN_REAL_INTERVAL, interval))
