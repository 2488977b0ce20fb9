"""`helpline worker`: an RQ worker with its scheduler, running the jobs features registered."""

from __future__ import annotations

import logging
from logging.handlers import RotatingFileHandler
from pathlib import Path

from flask import Flask
from rq import Worker

from app import create_app
from core.jobs import PeriodicScheduler, job_app, queue, use_app_factory
from core.redis_conn import get_raw_redis


def run(app: Flask, log_file: Path | None = None) -> None:
    """Schedule the app's periodic jobs and work the queue until stopped."""
    if log_file is not None:
        log_routine_to(log_file)
    prepare(app).start()
    # Build the jobs' app once, before RQ forks a work horse per job: otherwise every job pays
    # for building it (about a second under load). This process opens no database connection.
    job_app()
    worker = Worker([queue(app)], connection=get_raw_redis(app))
    worker.work(with_scheduler=True)


def prepare(app: Flask) -> PeriodicScheduler:
    """Give jobs their app factory and return the scheduler of the app's periodic jobs."""
    # Each job runs in an app built the way the web process builds its own (one per process).
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
