"""Drive attempts through Twilio and the ACD: ring the agent, dial the victim, requeue.

These run after the database work is committed (never before), so a crash between the two
leaves a row the reconciliation job can repair rather than a call nobody knows about.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from datetime import timedelta

from flask import Flask
from sqlalchemy.orm import Session
from twilio.base.exceptions import TwilioException

from callbacks import queue_link, responses
from callbacks.attempts import AttemptRefused, Settled, agent_missed, agent_target, claim
from callbacks.models import CallbackRequest
from callbacks.service import due_at, is_due
from core.clock import now, real_seconds
from core.jobs import queue
from queueing.desk import desk_for
from telephony.numbers import mask
from telephony.twilio_port import TwilioPort, get_port

log = logging.getLogger("helpline.callbacks")
REQUEUE_JOB = "callbacks.jobs.requeue"
# RQ rounds a scheduled time down to the whole second, so a job may run this much early.
RQ_EARLY_SECONDS = 1.5


def absolute(app: Flask, path: str, attempt_id: int) -> str:
    """Return the public URL Twilio should request for this attempt."""
    return f"{app.config['PUBLIC_BASE_URL'].rstrip('/')}{path}?attempt={attempt_id}"


def run_attempt(
    app: Flask, session: Session, callback_id: int, agent_id: int, token: str | None
) -> int | None:
    """Claim the callback for the agent the ACD reserved and ring them; return the attempt."""
    target = agent_target(session, agent_id)
    try:
        attempt = claim(session, callback_id, agent_id, now(), token)
    except AttemptRefused:
        session.rollback()
        queue_link.refuse(app, callback_id, agent_id, token)
        return None
    session.commit()
    try:
        if target is None:
            raise LookupError(f"agent {agent_id} cannot be reached")
        attempt.agent_call_sid = ring_agent(app, attempt.id, target)
    except (TwilioException, LookupError, OSError):
        log.exception("could not ring agent %s for callback %s", agent_id, callback_id)
        settled = agent_missed(session, attempt, "failed", now())
        session.commit()
        queue_link.settle(app, attempt)
        after(app, settled)
    session.commit()
    return attempt.id


def ring_agent(app: Flask, attempt_id: int, target: str) -> str:
    """Call the agent; their TwiML briefs them and holds them in the attempt's room."""
    return get_port(app).create_call(
        to=target,
        url=absolute(app, responses.AGENT_URL, attempt_id),
        status_callback=absolute(app, responses.AGENT_STATUS_URL, attempt_id),
        timeout=app.config["CALLBACK_AGENT_RING_SECONDS"],
    )


def dial_victim(app: Flask, attempt_id: int, request: CallbackRequest) -> str:
    """Call the victim from the helpline number, detecting answering machines.

    DetectMessageEnd waits for a machine's greeting to end, so a message is heard whole;
    AsyncAmd greets whoever answers at once instead of leaving them in silence meanwhile.
    """
    log.info("dialling victim %s for callback %s", mask(request.phone_e164), request.id)
    return get_port(app).create_call(
        to=request.phone_e164,
        url=absolute(app, responses.VICTIM_URL, attempt_id),
        status_callback=absolute(app, responses.VICTIM_STATUS_URL, attempt_id),
        timeout=app.config["CALLBACK_VICTIM_RING_SECONDS"],
        machine_detection="DetectMessageEnd",
        amd_callback=absolute(app, responses.VICTIM_AMD_URL, attempt_id),
    )


def move_victim_on(app: Flask, call_sid: str, attempt_id: int, result: str) -> None:
    """After detection: take the victim's leg to the agent or the message, else hang it up."""
    port = get_port(app)
    try:
        if result in ("connected", "voicemail"):
            port.redirect_call(call_sid, absolute(app, responses.VICTIM_NEXT_URL, attempt_id))
        else:
            port.hang_up(call_sid)
    except TwilioException:
        log.info("victim leg %s had already ended", call_sid)


def after(app: Flask, settled: Settled) -> None:
    """Act on a settled attempt once committed: hang up legs, requeue, schedule the retry."""
    port = get_port(app)
    for sid in settled.tell:
        try:
            port.redirect_call(
                sid, absolute(app, responses.AGENT_NOTE_URL, settled.attempt_id or 0)
            )
        except TwilioException:
            log.info("agent leg %s could not be told; hanging up", sid)
            _hang_up(port, sid)
    for sid in settled.hang_up:
        _hang_up(port, sid)
    if settled.requeue:
        queue(app).enqueue(REQUEUE_JOB, settled.callback_id)
    if settled.retry_at is not None:
        schedule_requeue(app, settled.callback_id, settled.retry_at)


def _hang_up(port: TwilioPort, sid: str) -> None:
    try:
        port.hang_up(sid)
    except TwilioException:
        log.info("leg %s had already ended", sid)


def schedule_requeue(app: Flask, callback_id: int, at: dt.datetime) -> None:
    """Have the worker queue the request at `at` (RQ's scheduler may run it a second early)."""
    # RQ's scheduler waits in real seconds; on a simulated clock they are fewer.
    delay = real_seconds(max((at - now()).total_seconds(), 0))
    queue(app).enqueue_in(timedelta(seconds=delay), REQUEUE_JOB, callback_id)


def requeue_when_due(app: Flask, session: Session, request: CallbackRequest) -> bool:
    """Queue a request from its scheduled job, which may run early; return whether queued.

    RQ keeps scheduled times in whole seconds, so the job can start up to a second before the
    request is due. That second is waited out here (a round trip through the scheduler would
    cost another second); a job that is earlier still (the request was moved) is rescheduled.
    """
    early = real_seconds((due_at(request) - now()).total_seconds())
    if request.state == "pending" and early > RQ_EARLY_SECONDS:
        schedule_requeue(app, request.id, due_at(request))
        return False
    if request.state == "pending" and early > 0:
        time.sleep(early)
    return requeue(app, session, request)


def requeue(app: Flask, session: Session, request: CallbackRequest) -> bool:
    """Queue the request at its place if it is due, and let the ACD dispatch (caller commits)."""
    if not is_due(request, now()):
        return False
    desk = desk_for(app)
    queue_link.enqueue_callback(session, desk, request, now())
    queue_link.dispatch(session, desk)
    return True


def enqueue_new(app: Flask, session: Session, request: CallbackRequest) -> None:
    """After commit: send the confirmation text, and queue the request when due."""
    if request.sms_confirmation:
        queue(app).enqueue("callbacks.jobs.send_confirmation", request.id)
    enqueue_later(app, session, request)


def enqueue_later(app: Flask, session: Session, request: CallbackRequest) -> None:
    """Queue a due request now; schedule a later one for when it falls due."""
    delay = (request.not_before - now()).total_seconds()
    if delay <= 0:
        requeue(app, session, request)
        session.commit()
    else:
        schedule_requeue(app, request.id, request.not_before)
