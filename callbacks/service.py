"""Callback requests: create or update, reschedule, cancel, expire. Services never commit."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from accounts.models import AuditRecord
from callbacks.models import PENDING_STATES, CallbackRequest
from calls.journey import record
from calls.models import Call
from cases.models import Case
from core.clock import now
from messaging.optouts import is_opted_out
from queueing.desk import AcdConfig
from queueing.routing import priority_for
from roster.hours import is_open, next_opening


@dataclass(frozen=True)
class Policy:
    """The callback settings a service needs, read once from the app config."""

    retries: int = 2
    retry_seconds: int = 600
    expiry_seconds: int = 7 * 86400
    stale_seconds: int = 900
    timezone: str = "Europe/London"
    acd: AcdConfig = field(default_factory=AcdConfig)

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> Policy:
        """Build the policy from CALLBACK_* settings."""
        return cls(
            retries=config["CALLBACK_RETRIES"],
            retry_seconds=config["CALLBACK_RETRY_SECONDS"],
            expiry_seconds=config["CALLBACK_EXPIRY_SECONDS"],
            stale_seconds=config["CALLBACK_STALE_ATTEMPT_SECONDS"],
            timezone=config["TIMEZONE"],
            acd=AcdConfig.from_settings(config),
        )


@dataclass(frozen=True)
class Requested:
    """What became of a request: the row, whether it updated an older one, when we call."""

    request: CallbackRequest
    updated: bool
    opens_at: dt.datetime | None


def victim_key(call: Call, phone_e164: str) -> str:
    """Key one open callback per victim: their case if they proved who they are, else the number."""
    if call.authenticated and call.case_id:
        return f"case:{call.case_id}"
    return f"phone:{phone_e164}"


def request_callback(
    session: Session, call: Call, phone_e164: str, safe: bool, at: dt.datetime, policy: Policy
) -> Requested:
    """Record the caller's callback, keeping their place; a second request updates the first."""
    case = session.get(Case, call.case_id) if call.authenticated and call.case_id else None
    opens_at = None if is_open(session, at, policy.timezone) else next_opening(session, at)
    fields = _fields(call, case, phone_e164, safe, at, opens_at, policy)
    # A number that texted STOP gets no confirmation, and is not promised one.
    fields["sms_confirmation"] &= not is_opted_out(session, phone_e164)
    key = fields["victim_key"]
    request = find_open(session, key)
    inserted = None if request else _insert(session, fields)
    request = request or inserted or find_open(session, key)
    if request is None:
        raise RuntimeError("a callback request vanished while being updated")
    updated = inserted is None
    if updated:
        _merge(request, fields)
    call.outcome = "callback_requested"
    record(session, call, "callback_requested", callback_id=request.id, updated=updated)
    return Requested(request, updated, opens_at)


def _fields(
    call: Call,
    case: Case | None,
    phone: str,
    safe: bool,
    at: dt.datetime,
    opens_at: dt.datetime | None,
    policy: Policy,
) -> dict[str, Any]:
    # A call that never queued gets the priority the ACD would have given it.
    priority = call.priority if call.priority is not None else priority_for(call, case, policy.acd)
    return {
        "victim_key": victim_key(call, phone),
        "case_id": case.id if case else None,
        "origin_call_id": call.id,
        "phone_e164": phone,
        "language": call.language,
        "safe_to_leave_message": safe,
        "sms_confirmation": bool(case and case.victim.sms_allowed and safe),
        "reason": _reason(call, opens_at),
        "priority": priority,
        # The place in the queue: inherited from the call, or when it first wanted a person.
        "virtual_start_at": call.virtual_start_at or call.wanted_agent_at or call.started_at,
        "requested_at": at,
        "not_before": (opens_at or at).astimezone(dt.UTC),
        "expires_at": at + dt.timedelta(seconds=policy.expiry_seconds),
    }


def _reason(call: Call, opens_at: dt.datetime | None) -> str:
    if opens_at is not None:
        return "Called while the desk was closed and asked to be called back."
    if call.queued_at is not None:
        return "Was waiting in the queue and asked to be called back instead."
    return "Asked to be called back from the menu."


def _insert(session: Session, fields: dict[str, Any]) -> CallbackRequest | None:
    """Insert a new request; None if another process just inserted one for this victim."""
    try:
        with session.begin_nested():
            request = CallbackRequest(**fields, state="pending", attempts=0)
            session.add(request)
        return request
    except IntegrityError:
        return None


def _merge(request: CallbackRequest, fields: dict[str, Any]) -> CallbackRequest:
    """Update an open request with the newer answers, keeping the better of the two places."""
    for name in ("phone_e164", "language", "safe_to_leave_message", "sms_confirmation", "reason"):
        setattr(request, name, fields[name])
    request.priority = max(request.priority, fields["priority"])
    request.virtual_start_at = min(request.virtual_start_at, fields["virtual_start_at"])
    request.not_before = min(request.not_before, fields["not_before"])
    request.expires_at = fields["expires_at"]
    request.case_id = request.case_id or fields["case_id"]
    return request


def find_open(session: Session, key: str) -> CallbackRequest | None:
    """Return the victim's open (pending or in-progress) request, if any."""
    return session.scalar(
        select(CallbackRequest).where(
            CallbackRequest.victim_key == key, CallbackRequest.state.in_(PENDING_STATES)
        )
    )


def is_due(request: CallbackRequest, at: dt.datetime) -> bool:
    """Say whether a pending request may be offered to an agent now."""
    return (
        request.state == "pending"
        and request.not_before <= at
        and (request.next_attempt_at is None or request.next_attempt_at <= at)
    )


def due_at(request: CallbackRequest) -> dt.datetime:
    """Return when a pending request falls due (its opening or its next retry)."""
    return max(request.not_before, request.next_attempt_at or request.not_before)


def open_request_ids() -> Select[int]:
    """Select the ids of every open (pending or in-progress) request."""
    return select(CallbackRequest.id).where(CallbackRequest.state.in_(PENDING_STATES))


def due_requests(session: Session, at: dt.datetime) -> list[CallbackRequest]:
    """Return every pending request that may be offered now, best place first."""
    rows = session.scalars(
        select(CallbackRequest)
        .where(CallbackRequest.state == "pending", CallbackRequest.not_before <= at)
        .order_by(CallbackRequest.priority.desc(), CallbackRequest.virtual_start_at)
    ).all()
    return [row for row in rows if is_due(row, at)]


def close(
    session: Session, request: CallbackRequest, state: str, reason: str, at: dt.datetime, actor: str
) -> None:
    """End a request for good, leaving a record supervisors see."""
    request.state, request.finish_reason, request.finished_at = state, reason, at
    session.add(
        AuditRecord(
            at=at,
            actor=actor,
            action=f"callback_{state}",
            entity="callback_request",
            entity_id=str(request.id),
            detail={"reason": reason, "attempts": request.attempts},
        )
    )
    origin = session.get(Call, request.origin_call_id) if request.origin_call_id else None
    if origin is not None:
        record(session, origin, f"callback_{state}", callback_id=request.id, reason=reason)


def expire_due(session: Session, at: dt.datetime) -> list[int]:
    """Expire pending requests older than their deadline; return their ids."""
    rows = session.scalars(
        select(CallbackRequest).where(
            CallbackRequest.state == "pending", CallbackRequest.expires_at <= at
        )
    ).all()
    for request in rows:
        close(session, request, "expired", "not reached within the time allowed", at, "system")
    return [row.id for row in rows]


def reschedule(
    session: Session, request: CallbackRequest, not_before: dt.datetime, actor: str
) -> None:
    """Move a pending request to a new earliest time (its place in the queue is kept)."""
    request.not_before = not_before
    request.next_attempt_at = None
    session.add(
        AuditRecord(
            at=now(),
            actor=actor,
            action="callback_rescheduled",
            entity="callback_request",
            entity_id=str(request.id),
            detail={"not_before": not_before.isoformat()},
        )
    )
