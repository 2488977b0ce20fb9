"""RQ jobs for callbacks. Jobs take ids, open their own session and commit their own work."""

from __future__ import annotations

import logging
from zoneinfo import ZoneInfo

from flask import Flask

from callbacks import dialer, prompts, queue_link
from callbacks.attempts import release_stale
from callbacks.models import PENDING_STATES, CallbackRequest
from callbacks.service import Policy, due_requests, expire_due, open_request_ids
from core.clock import now
from core.db import session_factory
from core.jobs import job_app
from messaging.sending import send_text
from queueing.desk import desk_for
from telephony.twilio_port import get_port

log = logging.getLogger("helpline.callbacks")


def attempt(callback_id: int, agent_id: int, token: str | None = None) -> int | None:
    """Ring the agent the ACD reserved for a callback (agent first, then the victim)."""
    app = job_app()
    with app.app_context(), session_factory(app)() as session:
        return dialer.run_attempt(app, session, callback_id, agent_id, token)


def requeue(callback_id: int) -> bool:
    """Put a callback whose time has come back in the queue at its place, then dispatch."""
    app = job_app()
    with app.app_context(), session_factory(app)() as session:
        request = session.get(CallbackRequest, callback_id)
        queued = request is not None and dialer.requeue_when_due(app, session, request)
        session.commit()
        return queued


def reconcile() -> dict[str, int]:
    """Rebuild the ACD side from the database; expire, release the stale, dispatch."""
    app = job_app()
    with app.app_context():
        return reconcile_now(app)


def reconcile_now(app: Flask) -> dict[str, int]:
    """Do one reconciliation pass for `app`; return what changed (for logs and tests)."""
    policy = Policy.from_config(app.config)
    with session_factory(app)() as session:
        at = now()
        expired = expire_due(session, at)
        stale = release_stale(session, at, policy)
        session.commit()
        for settled in stale:
            dialer.after(app, settled)
        open_ids = set(session.scalars(open_request_ids()))
        due = due_requests(session, at)
        added, removed = queue_link.sync(app, session, due, open_ids)
        offered = queue_link.dispatch(session, desk_for(app)) if added else 0
        session.commit()
    counts = {"expired": len(expired), "added": added, "removed": removed, "offered": offered}
    if any(counts.values()):
        log.info("callback reconciliation %s", counts)
    return counts


def send_confirmation(callback_id: int) -> bool:
    """Text the victim that we will call (only when they opted in and said it is safe)."""
    app = job_app()
    with app.app_context(), session_factory(app)() as session:
        request = session.get(CallbackRequest, callback_id)
        if request is None or not request.sms_confirmation or request.state not in PENDING_STATES:
            return False
        text = confirmation_text(app, request)
        sent = send_text(session, get_port(app), request.phone_e164, text)
        session.commit()  # a 21610 refusal is recorded in the opt-out register
        return sent.outcome == "sent"


def confirmation_text(app: Flask, request: CallbackRequest) -> str:
    """Word the confirmation text: no case details, only the last digits of the number."""
    zone = ZoneInfo(app.config["TIMEZONE"])
    later = request.not_before > request.requested_at
    opens = request.not_before.astimezone(zone) if later else None
    when = prompts.spoken_when(
        request.language, opens, request.requested_at.astimezone(zone).date()
    )
    return prompts.text(
        request.language,
        "sms_confirmation",
        helpline=app.config["HELPLINE_NAME"],
        last_digits=request.phone_e164[-3:],
        when=when,
    )
