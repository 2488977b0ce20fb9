"""`helpline worker`: an RQ worker with its scheduler, running the jobs features registered."""

from __future__ import annotations

import logging
import signal
import time
from logging.handlers import RotatingFileHandler
from pathlib import Path

from flask import Flask
from redis.exceptions import ConnectionError as RedisDown
from rq import SimpleWorker

from app import create_app
from core.jobs import PeriodicScheduler, queue, use_app_factory
from core.redis_conn import get_raw_redis
from ops.jobs import count_failure

log = logging.getLogger("helpline.worker")


def run(app: Flask, log_file: Path | None = None) -> None:
    """Schedule the app's periodic jobs and work the queue until stopped."""
    if log_file is not None:
        log_routine_to(log_file)
    prepare(app).start()
    while True:
        try:
            # Jobs run in this process, in the app `prepare` gave them: building an app per
            # forked job cost 0.25 s idle and seconds under load, and made every job late.
            worker = SimpleWorker(
                [queue(app)], connection=get_raw_redis(app), exception_handlers=[count_failure]
            )
            worker.work(with_scheduler=True)
            return
        except RedisDown:
            # RQ quits when Redis drops mid-job, and a platform may wait minutes to restart a
            # crashed process: start again here. RQ's signal handlers died with its worker.
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            signal.signal(signal.SIGINT, signal.default_int_handler)
            log.warning("Redis unreachable; starting the worker again in 2 s")
            time.sleep(2)


def prepare(app: Flask) -> PeriodicScheduler:
    """Give jobs their app factory and return the scheduler of the app's periodic jobs."""
    # Jobs run in one app per worker process, built the way the web process builds its own.
    use_app_factory(create_app)
    return PeriodicScheduler(app)


def log_routine_to(path: Path) -> None:
    """Send every INFO line to `path`; the terminal keeps warnings and errors only.

    RQ logs through these handlers too (it adds its own only when none would catch its lines).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    to_file = RotatingFileHandler(path, maxBytes=5_000_000, backupCount=1, encoding="utf-8")
    to_file.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    root = logging.getLogger()
    for handler in root.handlers:
        handler.setLevel(logging.WARNING)
    root.addHandler(to_file)
    root.setLevel(logging.INFO)
