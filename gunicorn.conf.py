"""Gunicorn settings for the Procfile's `web` line (gunicorn reads ./gunicorn.conf.py itself).

Prometheus multi-process mode: each worker process writes its metrics to files in
PROMETHEUS_MULTIPROC_DIR and a scrape of /metrics, answered by any worker, sums them all.
The variable must be set before a worker imports prometheus_client, and the directory
emptied when gunicorn starts so that figures from an earlier run are not added in.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="helpline-metrics-")


def on_starting(_server: Any) -> None:
    """Empty the metrics directory before the first worker starts."""
    directory = Path(os.environ["PROMETHEUS_MULTIPROC_DIR"])
    directory.mkdir(parents=True, exist_ok=True)
    for stale in directory.glob("*.db"):
        stale.unlink()


def child_exit(_server: Any, worker: Any) -> None:
    """Drop a dead worker's live-gauge files (its counters and histograms stay summed)."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)
