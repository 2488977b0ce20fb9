"""Callbacks: a caller's place kept while they hang up, and the calls that honour it."""

from __future__ import annotations

from typing import Any

RECONCILE_JOB = "callbacks.jobs.reconcile"


def init_app(app: Any) -> None:
    """Run the reconciliation job every CALLBACK_RECONCILE_SECONDS in `helpline worker`."""
    from core.jobs import PERIODIC

    PERIODIC[RECONCILE_JOB] = int(app.config["CALLBACK_RECONCILE_SECONDS"])
