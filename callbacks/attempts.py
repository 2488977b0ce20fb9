"""One try at a callback: claim it, agent first, then the victim, then settle the outcome.

Every step is claimed with an UPDATE ... WHERE on the previous state, so two workers, a
retried job or a repeated webhook can never ring the agent for a taken request or dial the
victim twice. Services never commit and never talk to Twilio; callers do both, in that order.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from callbacks.models import CallbackAttempt, CallbackRequest
from callbacks.service import Policy, close
from calls.journey import open_call, record
from cases.models import Case
from prompts import catalogue
from roster.models import Agent

NO_ANSWER = frozenset({"no-answer", "busy", "failed", "canceled"})
HUMAN = frozenset({"human"})
# DetectMessageEnd reports these once a machine's greeting has ended: a message is kept whole.
MESSAGE_END = frozenset({"machine_end_beep", "machine_end_silence", "machine_end_other"})
MACHINE = MESSAGE_END | {"machine_start"}


@dataclass(frozen=True)
class Settled:
    """How an attempt ended: whether to retry (after when), which legs to tell and hang up.

    `tell` are agent legs still waiting in the room: they hear why (the attempt's note) and
    are then hung up, which settles the ACD offer and starts wrap-up.
    """

    callback_id: int
    agent_id: int | None
    retry_at: dt.datetime | None = None
    requeue: bool = False
    hang_up: tuple[str, ...] = ()
    attempt_id: int | None = None
    tell: tuple[str, ...] = ()


def claim(
    session: Session,
    callback_id: int,
    agent_id: int,
    at: dt.datetime,
    offer_token: str | None = None,
) -> CallbackAttempt:
    """Move a pending request to in_progress for this agent and open an attempt, or raise."""
    taken = session.execute(
        update(CallbackRequest)
        .where(CallbackRequest.id == callback_id, CallbackRequest.state == "pending")
        .values(state="in_progress", agent_id=agent_id)
    )
    if taken.rowcount != 1:  # type: ignore[attr-defined]
        raise AttemptRefused(f"callback {callback_id} is not pending")
    last = session.scalar(
        select(func.max(CallbackAttempt.number)).where(CallbackAttempt.callback_id == callback_id)
    )
    attempt = CallbackAttempt(
        callback_id=callback_id,
        number=(last or 0) + 1,
        started_at=at,
        agent_id=agent_id,
        offer_token=offer_token,
    )
    session.add(attempt)
    session.flush()
    return attempt


class AttemptRefused(RuntimeError):
    """The request was not pending (taken, cancelled or finished): nothing to do."""


def agent_target(session: Session, agent_id: int) -> str | None:
    """Return where to ring the agent: their softphone, else their phone."""
    agent = session.get(Agent, agent_id)
    if agent is None or not agent.active:
        return None
    if agent.client_identity:
        return f"client:{agent.client_identity}"
    return agent.phone_e164


def start_victim_leg(session: Session, attempt_id: int, at: dt.datetime) -> CallbackRequest | None:
    """Claim the victim dial for this attempt (once, ever); return its request if ours to dial."""
    claimed = session.execute(
        update(CallbackAttempt)
        .where(CallbackAttempt.id == attempt_id, CallbackAttempt.stage == "agent_ringing")
        .values(stage="victim_ringing", victim_dialled_at=at)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        return None
    attempt = session.get(CallbackAttempt, attempt_id)
    assert attempt is not None
    request = session.get(CallbackRequest, attempt.callback_id)
    assert request is not None
    request.attempts += 1
    return request


def victim_greeted(session: Session, attempt_id: int, at: dt.datetime) -> bool:
    """Mark the victim's leg greeted while detection runs; False if already settled or greeted.

    One conditional UPDATE, so the leg's first request and the detection result agree on who
    moves the leg on, whichever arrives first.
    """
    greeted = session.execute(
        update(CallbackAttempt)
        .where(
            CallbackAttempt.id == attempt_id,
            CallbackAttempt.stage == "victim_ringing",
            CallbackAttempt.victim_answered_at.is_(None),
        )
        .values(victim_answered_at=at)
    )
    return greeted.rowcount == 1  # type: ignore[attr-defined]


def whisper_lines(session: Session, request: CallbackRequest) -> list[str]:
    """Brief the agent: the case, its status, why the victim wants a call, message safety."""
    case = session.get(Case, request.case_id) if request.case_id else None
    about = (
        f"Callback for crime reference {case.crime_reference}, status "
        f"{case.status_code.replace('_', ' ').lower()}."
        if case
        else "Callback for a caller who did not give a crime reference."
    )
    safe = "may" if request.safe_to_leave_message else "must not"
    return [about, request.reason, f"You {safe} leave a message. Calling the victim now."]


def victim_answered(
    session: Session, attempt: CallbackAttempt, call_sid: str, at: dt.datetime
) -> None:
    """A person answered: the callback is done, and the victim's leg joins the journey."""
    request = session.get(CallbackRequest, attempt.callback_id)
    assert request is not None
    attempt.stage, attempt.result, attempt.finished_at = "done", "connected", at
    request.state, request.finish_reason, request.finished_at = "completed", "connected", at
    call = open_call(session, call_sid, request.phone_e164, direction="outbound-api")
    call.case_id, call.agent_id, call.answered_at = request.case_id, attempt.agent_id, at
    call.outcome, call.language = "answered", request.language
    record(session, call, "callback_connected", callback_id=request.id, attempt=attempt.number)


def settle_detection(
    session: Session,
    attempt: CallbackAttempt,
    answered_by: str,
    call_sid: str,
    at: dt.datetime,
    policy: Policy,
) -> Settled | None:
    """Settle the victim's leg by Twilio's AnsweredBy; None when a person answered.

    A message is left only after a machine's greeting ended, and only with permission; a
    machine without permission, a fax or an undecided result uses the attempt (retried later).
    """
    attempt.answered_by = attempt.answered_by or answered_by
    if answered_by in HUMAN:
        victim_answered(session, attempt, call_sid, at)
        return None
    request = session.get(CallbackRequest, attempt.callback_id)
    assert request is not None
    if answered_by in MESSAGE_END and request.safe_to_leave_message:
        return voicemail_left(session, attempt, at)
    result = "machine" if answered_by in MACHINE else "fax" if answered_by == "fax" else "unknown"
    return end_attempt(session, attempt, result, at, policy)


def end_attempt(
    session: Session, attempt: CallbackAttempt, result: str, at: dt.datetime, policy: Policy
) -> Settled:
    """Settle a victim leg that reached no one (or a machine): retry later, or give up."""
    if attempt.stage == "done":
        return Settled(attempt.callback_id, attempt.agent_id)
    request = session.get(CallbackRequest, attempt.callback_id)
    assert request is not None
    attempt.stage, attempt.result, attempt.finished_at = "done", result, at
    legs = tuple(sid for sid in (attempt.agent_call_sid,) if sid)
    done = Settled(attempt.callback_id, attempt.agent_id, attempt_id=attempt.id, tell=legs)
    if request.state != "in_progress":
        return done
    if request.attempts > policy.retries:
        request.agent_id = None
        close(
            session, request, "failed", f"no answer after {request.attempts} attempts", at, "system"
        )
        return done
    retry_at = at + dt.timedelta(seconds=policy.retry_seconds)
    request.state, request.agent_id, request.next_attempt_at = "pending", None, retry_at
    return replace(done, retry_at=retry_at)


def voicemail_left(session: Session, attempt: CallbackAttempt, at: dt.datetime) -> Settled:
    """A machine answered and the victim allowed a message: it is left, so the callback is done.

    The victim chose to be reached this way, so it counts as connected (DOMAIN.md: "treat
    voicemail as connected"); without that permission the attempt is only used up.
    """
    if attempt.stage == "done":
        return Settled(attempt.callback_id, attempt.agent_id)
    request = session.get(CallbackRequest, attempt.callback_id)
    assert request is not None
    attempt.stage, attempt.result, attempt.finished_at = "done", "voicemail", at
    legs = tuple(sid for sid in (attempt.agent_call_sid,) if sid)
    if request.state == "in_progress":
        close(session, request, "completed", "voicemail", at, "system")
    return Settled(attempt.callback_id, attempt.agent_id, attempt_id=attempt.id, tell=legs)


NOTES = {
    "voicemail": "whisper.callback_voicemail",
    "machine": "whisper.callback_machine",
    "fax": "whisper.callback_fax",
    "unknown": "whisper.callback_unknown",
}
NEXT = {"pending": "whisper.callback_retry", "failed": "whisper.callback_failed"}


def agent_note(session: Session, attempt: CallbackAttempt) -> list[str]:
    """Tell the waiting agent how the victim's leg ended and what happens next."""
    request = session.get(CallbackRequest, attempt.callback_id)
    english = catalogue("en-GB")
    lines = [english.text(NOTES.get(attempt.result or "", "whisper.callback_no_answer"))]
    if request is not None and request.state in NEXT:
        lines.append(english.text(NEXT[request.state]))
    return lines


def agent_missed(
    session: Session, attempt: CallbackAttempt, status: str, at: dt.datetime
) -> Settled:
    """The agent did not take it: the victim was never dialled; back to the same place."""
    if attempt.stage != "agent_ringing":
        return Settled(attempt.callback_id, attempt.agent_id)
    attempt.stage, attempt.result, attempt.finished_at = "done", f"agent_{status}", at
    request = session.get(CallbackRequest, attempt.callback_id)
    assert request is not None
    if request.state != "in_progress":
        return Settled(attempt.callback_id, attempt.agent_id)
    request.state, request.agent_id = "pending", None
    return Settled(attempt.callback_id, attempt.agent_id, requeue=True)


def release_stale(session: Session, at: dt.datetime, policy: Policy) -> list[Settled]:
    """Settle attempts with no news for too long (a lost job, webhook or worker)."""
    cutoff = at - dt.timedelta(seconds=policy.stale_seconds)
    stale = session.scalars(
        select(CallbackAttempt).where(
            CallbackAttempt.stage != "done", CallbackAttempt.started_at <= cutoff
        )
    ).all()
    settled = []
    for attempt in stale:
        if attempt.stage == "agent_ringing":
            legs = tuple(sid for sid in (attempt.agent_call_sid,) if sid)
            settled.append(replace(agent_missed(session, attempt, "lost", at), hang_up=legs))
        else:
            settled.append(end_attempt(session, attempt, "lost", at, policy))
    return settled


def cancel(session: Session, request: CallbackRequest, actor: str, at: dt.datetime) -> Settled:
    """Cancel an open request; stop any attempt under way."""
    legs: list[str] = []
    for attempt in session.scalars(
        select(CallbackAttempt).where(
            CallbackAttempt.callback_id == request.id, CallbackAttempt.stage != "done"
        )
    ):
        attempt.stage, attempt.result, attempt.finished_at = "done", "cancelled", at
        legs += [sid for sid in (attempt.agent_call_sid, attempt.victim_call_sid) if sid]
    settled = Settled(request.id, request.agent_id, hang_up=tuple(legs))
    request.agent_id = None
    close(session, request, "cancelled", f"cancelled by {actor}", at, actor)
    return settled
