"""A scheduled requeue job that RQ runs early still queues the callback when it falls due."""

from __future__ import annotations

import datetime as dt
import os
import time
from typing import Any

from flask import Flask
from rq.registry import ScheduledJobRegistry
from sqlalchemy import select

from callbacks import queue_link
from callbacks.dialer import REQUEUE_JOB, requeue_when_due
from callbacks.models import CallbackRequest
from callbacks.service import Policy, request_callback
from calls.models import Call
from cases.models import Case
from core.clock import now
from core.jobs import queue
from devtools.demo import seed
from queueing.desk import desk_for

VICTIM = "+447700900123"


def retry_due_in(app: Flask, seconds: float) -> int:
    """Create a pending callback whose next attempt falls due `seconds` from now."""
    with app.extensions["helpline.sessionmaker"]() as session:
        seed(session)
        case = session.scalar(select(Case).where(Case.crime_reference == "1234567/24"))
        call = Call(call_sid="CA" + os.urandom(16).hex(), from_e164=VICTIM, started_at=now())
        call.authenticated, call.case_id = True, case.id
        session.add(call)
        session.flush()
        request = request_callback(session, call, VICTIM, True, now(), Policy()).request
        request.attempts, request.next_attempt_at = 1, now() + dt.timedelta(seconds=seconds)
        session.commit()
        return request.id


def run_job(app: Flask, callback_id: int) -> tuple[bool, float]:
    """Do what callbacks.jobs.requeue does; return whether it queued and how long it took."""
    started = time.monotonic()
    with app.app_context(), app.extensions["helpline.sessionmaker"]() as session:
        queued = requeue_when_due(app, session, session.get(CallbackRequest, callback_id))
        session.commit()
    return queued, time.monotonic() - started


def test_a_job_run_within_a_second_of_due_waits_and_queues(app: Flask) -> None:
    """RQ rounds scheduled times down to whole seconds: the early job waits, then queues."""
    callback_id = retry_due_in(app, 0.6)
    queued, took = run_job(app, callback_id)
    assert queued
    assert took >= 0.55
    assert desk_for(app).acd.position(queue_link.entry_id(callback_id)) == 1


def test_a_job_run_well_before_due_reschedules_itself(app: Flask) -> None:
    """A job much earlier than due (the retry was moved) schedules itself again for then."""
    callback_id = retry_due_in(app, 30)
    queued, took = run_job(app, callback_id)
    assert (queued, took < 1) == (False, True)
    assert desk_for(app).acd.position(queue_link.entry_id(callback_id)) == 0  # not queued
    registry = ScheduledJobRegistry(queue=queue(app))
    [job_id] = registry.get_job_ids()
    job: Any = queue(app).fetch_job(job_id)
    assert (job.func_name, job.args) == (REQUEUE_JOB, (callback_id,))
    due = registry.get_scheduled_time(job)
    assert abs((due - (now() + dt.timedelta(seconds=30))).total_seconds()) < 2
