"""Background jobs: the RQ queue, an app for jobs to run in, and periodic tasks."""

from __future__ import annotations

import importlib
import logging
import threading
from collections.abc import Callable
from functools import cache
from typing import Any

from flask import Flask
from redis.exceptions import RedisError
from rq import Queue

from core.redis_conn import get_raw_redis

log = logging.getLogger("helpline.jobs")
QUEUE_NAME = "helpline"
# Present while some `helpline worker` is alive: /readyz reads it (see ops/health.py).
HEARTBEAT_KEY = "hl:worker:heartbeat"

# Dotted path of a job function -> interval in seconds. Features add their sweeps here.
PERIODIC: dict[str, int] = {"queueing.jobs.sweep": 2, "cases.jobs.flag_overdue": 3600}


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
        while not self.stopping.wait(1.0):
            try:
                self.tick()
            except RedisError as exc:
                # Redis will come back; a dead thread would never schedule or beat again.
                log.warning("periodic jobs: Redis unreachable (%s); retrying", type(exc).__name__)

    def tick(self) -> int:
        """Enqueue the jobs that are due; return how many this process enqueued."""
        redis = get_raw_redis(self.app)
        redis.set(HEARTBEAT_KEY, "1", ex=self.app.config["WORKER_HEARTBEAT_SECONDS"])
        enqueued = 0
        for path, interval in self.periodic.items():
            if redis.set(f"hl:periodic:{path}", "1", nx=True, ex=interval):
                queue(self.app).enqueue(path, job_timeout=max(interval * 4, 30))
                enqueued += 1
        return enqueued
