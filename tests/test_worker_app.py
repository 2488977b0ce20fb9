"""`helpline worker` builds its app once, not once per job."""

from __future__ import annotations

import time
from typing import Any

from flask import Flask
from rq.job import Job

from core.jobs import queue
from tests.live import WorkerProcess
from tests.worker_probe import app_identity


def _result(job: Job, timeout: float = 60.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if job.get_status(refresh=True) == "finished":
            return job.return_value()
        time.sleep(0.1)
    raise AssertionError(f"job {job.id} did not finish: {job.get_status()}")


def test_jobs_share_the_workers_app(app: Flask, config: dict[str, Any]) -> None:
    """Two jobs run in the same process with the same app: no app is rebuilt per job."""
    worker = WorkerProcess(config)
    try:
        first = _result(queue(app).enqueue(app_identity))
        second = _result(queue(app).enqueue(app_identity))
    finally:
        worker.stop()
    assert first == second
