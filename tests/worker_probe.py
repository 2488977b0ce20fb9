"""A job for tests to run in a real `helpline worker`: which app (and process) ran it."""

from __future__ import annotations

import os

from core.jobs import job_app


def app_identity() -> str:
    """Return this job's process id and its app's identity."""
    return f"{os.getpid()}:{id(job_app())}"
