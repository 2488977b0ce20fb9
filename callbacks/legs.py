"""What each leg's webhook does: settle in the database, commit, then act on Twilio.

These own the transaction like a view does (the attempt's state must be committed before the
next REST call, so that a crash in between is repairable), which keeps the views to a line.
"""

from __future__ import annotations

import logging
from dataclasses import replace

from flask import Flask
from sqlalchemy.orm import Session
from twilio.base.exceptions import TwilioException
from twilio.twiml.voice_response import VoiceResponse

from callbacks import attempts as svc
from callbacks import dialer, queue_link, responses
from callbacks.attempts import (
    NO_ANSWER,
    Settled,
    agent_missed,
    end_attempt,
    start_victim_leg,
    whisper_lines,
)
from callbacks.models import CallbackAttempt, CallbackRequest
from callbacks.service import Policy
from calls.journey import FINAL_STATUSES, apply_status
from core.clock import now
from telephony.forms import StatusEvent

log = logging.getLogger("helpline.callbacks")


def room(attempt_id: int) -> str:
    """Name the conference room the agent and victim meet in."""
    return f"callback-{attempt_id}"


def agent_answered(app: Flask, session: Session, attempt_id: int, call_sid: str) -> VoiceResponse:
    """Brief the agent and dial the victim, once per attempt; a stale leg is hung up."""
    attempt = session.get(CallbackAttempt, attempt_id)
    if attempt is None:
        return responses.hang_up()
    attempt.agent_call_sid = attempt.agent_call_sid or call_sid or None
    request = start_victim_leg(session, attempt_id, now())
    if request is None:
        session.commit()
        return responses.hang_up()
    lines = whisper_lines(session, request)
    session.commit()
    queue_link.accept(app, attempt)
    try:
        attempt.victim_call_sid = dialer.dial_victim(app, attempt_id, request)
    except (TwilioException, OSError):
        log.exception("could not dial the victim for callback %s", request.id)
        settled = end_attempt(session, attempt, "failed", now(), _policy(app))
        # This very webhook hangs the agent up: no note to redirect them to.
        _settle(app, session, replace(settled, tell=(), hang_up=settled.tell))
        return responses.hang_up()
    session.commit()
    return responses.agent_whisper(lines, room(attempt_id))


def agent_leg_ended(app: Flask, session: Session, attempt_id: int, event: StatusEvent) -> None:
    """Settle the agent's offer with the ACD; if they never answered, back to the same place."""
    attempt = session.get(CallbackAttempt, attempt_id)
    if attempt is None or event.call_status not in FINAL_STATUSES:
        return
    status = event.call_status if event.call_status in NO_ANSWER else "no-answer"
    settled = None
    if attempt.stage == "agent_ringing":
        settled = agent_missed(session, attempt, status, now())
    elif attempt.stage == "victim_ringing":
        settled = _agent_left(session, attempt)
    session.commit()
    # Database first: the ACD may re-offer the entry the moment it is settled.
    queue_link.settle(app, attempt)
    if settled is not None:
        dialer.after(app, settled)


def _agent_left(session: Session, attempt: CallbackAttempt) -> Settled:
    """The agent hung up while the victim was ringing: not the victim's fault, so no try used."""
    request = session.get(CallbackRequest, attempt.callback_id)
    assert request is not None
    attempt.stage, attempt.result, attempt.finished_at = "done", "agent_left", now()
    legs = tuple(sid for sid in (attempt.victim_call_sid,) if sid)
    if request.state == "in_progress":
        request.state, request.agent_id = "pending", None
        request.attempts = max(request.attempts - 1, 0)
    return Settled(attempt.callback_id, attempt.agent_id, requeue=True, hang_up=legs)


def victim_answered(
    app: Flask, session: Session, attempt_id: int, call_sid: str, answered_by: str
) -> VoiceResponse:
    """The victim's phone answered: greet at once while detection runs, or act on its result."""
    attempt = session.get(CallbackAttempt, attempt_id)
    if attempt is None or attempt.victim_call_sid not in (None, call_sid):
        return responses.hang_up()
    if not answered_by:  # AsyncAmd: the result comes to victim_detected
        svc.victim_greeted(session, attempt_id, now())
        session.commit()
        session.refresh(attempt)  # detection may have settled it meanwhile
        return victim_next(app, session, attempt_id)
    if attempt.stage != "victim_ringing":
        return responses.hang_up()
    attempt.victim_call_sid = attempt.victim_call_sid or call_sid or None
    _detected(app, session, attempt, call_sid, answered_by)
    return victim_next(app, session, attempt_id)


def victim_detected(
    app: Flask, session: Session, attempt_id: int, call_sid: str, answered_by: str
) -> None:
    """Machine detection finished (AsyncAmd): settle by who answered, then move the leg on."""
    attempt = session.get(CallbackAttempt, attempt_id)
    if attempt is None or attempt.victim_call_sid not in (None, call_sid):
        return
    attempt.answered_by = attempt.answered_by or answered_by or None
    if attempt.stage != "victim_ringing":
        session.commit()  # already settled (hung up, cancelled): only the result is kept
        return
    _detected(app, session, attempt, call_sid, answered_by)
    session.refresh(attempt)
    # Not yet greeted: the leg's own first request will play the outcome instead.
    if attempt.victim_answered_at is not None:
        dialer.move_victim_on(app, call_sid, attempt_id, attempt.result or "")


def victim_next(app: Flask, session: Session, attempt_id: int) -> VoiceResponse:
    """What the victim's leg hears once detection settled it: the agent, a message, or nothing."""
    attempt = session.get(CallbackAttempt, attempt_id)
    request = session.get(CallbackRequest, attempt.callback_id) if attempt else None
    if attempt is None or request is None:
        return responses.hang_up()
    if attempt.stage == "victim_ringing":  # detection still running: greet, then wait
        return responses.victim_hold(request.language)
    if attempt.result == "connected":
        helpline = app.config["HELPLINE_NAME"]
        return responses.victim_connect(request.language, helpline, room(attempt_id))
    if attempt.result == "voicemail":
        return responses.voicemail(request.language, leave_message=True)
    return responses.hang_up()


def _detected(
    app: Flask, session: Session, attempt: CallbackAttempt, call_sid: str, answered_by: str
) -> None:
    """Settle the attempt by AnsweredBy, commit, then act on Twilio."""
    settled = svc.settle_detection(session, attempt, answered_by, call_sid, now(), _policy(app))
    if settled is None:
        session.commit()
    else:
        _settle(app, session, settled)


def agent_note(session: Session, attempt_id: int) -> VoiceResponse:
    """Brief the agent on a victim leg that ended without the victim, then hang up."""
    attempt = session.get(CallbackAttempt, attempt_id)
    if attempt is None or attempt.stage != "done":
        return responses.hang_up()
    return responses.agent_note(svc.agent_note(session, attempt))


def victim_leg_ended(app: Flask, session: Session, attempt_id: int, event: StatusEvent) -> None:
    """No answer, busy or failed: schedule the retry (or give up after the last one)."""
    apply_status(session, event)
    attempt = session.get(CallbackAttempt, attempt_id)
    if attempt is None or event.call_status not in FINAL_STATUSES:
        session.commit()
        return
    if attempt.stage != "victim_ringing":
        session.commit()
        return
    result = event.call_status if event.call_status in NO_ANSWER else "no-answer"
    _settle(app, session, end_attempt(session, attempt, result, now(), _policy(app)))


def _settle(app: Flask, session: Session, settled: Settled) -> None:
    session.commit()
    dialer.after(app, settled)


def _policy(app: Flask) -> Policy:
    return Policy.from_config(app.config)
