"""A follow-up callback an agent asks for at wrap-up, through the callbacks service. Never commits.

The callbacks feature owns callback requests: one open request per victim, places merged.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Session

from callbacks.models import CallbackRequest
from callbacks.service import Policy, request_callback
from calls.models import Call
from telephony.numbers import is_callable, to_e164

REASON = "Follow-up asked for by the agent at wrap-up."


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
    request = request_callback(session, call, phone, safe, at, Policy.from_config(config)).request
    # The call itself was answered; the follow-up must not turn it into a callback request.
    call.outcome = outcome
    request.reason = REASON
    return request
