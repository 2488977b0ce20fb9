"""A follow-up callback an agent asks for at wrap-up. Never commits.

The callbacks feature owns callback requests; when its service is installed we go through it
(one open request per victim, places merged). Until then a minimal request row is written
with the same victim key, so the callbacks feature picks it up once merged.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from callbacks.models import PENDING_STATES, CallbackRequest
from calls.journey import record
from calls.models import Call
from telephony.numbers import is_callable, to_e164

REASON = "Follow-up asked for by the agent at wrap-up."
DEFAULT_EXPIRY_SECONDS = 7 * 86400


class FollowUpError(ValueError):
    """The follow-up could not be requested (no usable number)."""


def request_follow_up(
    session: Session,
    call: Call,
    number: str | None,
    safe: bool,
    at: dt.datetime,
    config: Mapping[str, Any],
) -> CallbackRequest:
    """Ask for a callback to `number` (else the caller's number) after an answered call."""
    phone = to_e164(number) if number and number.strip() else call.from_e164
    if not phone or not is_callable(phone):
        raise FollowUpError("Give a UK phone number the victim can be called back on.")
    outcome = call.outcome
    request = _through_callbacks(session, call, phone, safe, at, config)
    if request is None:
        request = _minimal_request(session, call, phone, safe, at, config)
        record(session, call, "callback_requested", callback_id=request.id, follow_up=True)
    # The call itself was answered; the follow-up must not turn it into a callback request.
    call.outcome = outcome
    request.reason = REASON
    return request


def _through_callbacks(
    session: Session,
    call: Call,
    phone: str,
    safe: bool,
    at: dt.datetime,
    config: Mapping[str, Any],
) -> CallbackRequest | None:
    """Use the callbacks feature's service when it is installed; None when it is not."""
    try:
        from callbacks.service import Policy, request_callback
    except ImportError:
        return None
    requested = request_callback(session, call, phone, safe, at, Policy.from_config(config))
    return requested.request


def _victim_key(call: Call, phone: str) -> str:
    """Key one open callback per victim the way the callbacks feature does."""
    if call.authenticated and call.case_id:
        return f"case:{call.case_id}"
    return f"phone:{phone}"


def _minimal_request(
    session: Session,
    call: Call,
    phone: str,
    safe: bool,
    at: dt.datetime,
    config: Mapping[str, Any],
) -> CallbackRequest:
    key = _victim_key(call, phone)
    request = session.scalar(
        select(CallbackRequest).where(
            CallbackRequest.victim_key == key, CallbackRequest.state.in_(PENDING_STATES)
        )
    )
    if request is None:
        expiry = config.get("CALLBACK_EXPIRY_SECONDS", DEFAULT_EXPIRY_SECONDS)
        request = CallbackRequest(
            victim_key=key,
            case_id=call.case_id if call.authenticated else None,
            origin_call_id=call.id,
            priority=call.priority or 0,
            # A follow-up is a new request: it queues from now, not from the served call.
            virtual_start_at=at,
            requested_at=at,
            not_before=at,
            expires_at=at + dt.timedelta(seconds=expiry),
            state="pending",
            attempts=0,
            language=call.language,
        )
        session.add(request)
    request.phone_e164, request.safe_to_leave_message = phone, safe
    session.flush()
    return request
