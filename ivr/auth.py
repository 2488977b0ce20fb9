"""Authenticate a caller by crime reference and date of birth; services never commit."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from enum import Enum
from typing import Any

import redis
from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from calls.journey import record
from calls.models import Call, CallEvent
from cases.models import Case
from cases.references import is_accepted, normalise
from ivr import lockout

PENDING_SECONDS = 900


class Step(Enum):
    """What the caller should hear next."""

    ASK_DATE_OF_BIRTH = "ask_date_of_birth"
    ASK_REFERENCE = "ask_reference"
    BAD_FORMAT = "bad_format"
    TRY_AGAIN = "try_again"
    GIVE_UP = "give_up"
    LOCKED = "locked"
    VERIFIED = "verified"


def _pending_key(call: Call) -> str:
    return f"{lockout.PREFIX}:pending:{call.call_sid}"


def number_locked(client: redis.Redis, call: Call, config: Mapping[str, Any]) -> bool:
    """Say whether the caller's number is locked out of self-service."""
    return lockout.is_locked(client, lockout.Policy.from_config(config), None, call.from_e164)


def take_reference(
    session: Session,
    client: redis.Redis,
    call: Call,
    digits: str,
    config: Mapping[str, Any],
    now_ms: int,
) -> Step:
    """Check a keyed reference's format and hold it until the date of birth arrives."""
    key = normalise(digits)
    if not is_accepted(key, config["CRIME_REFERENCE_PATTERNS"]):
        gave_up = _fail(session, client, call, None, config, now_ms, "format")
        return Step.GIVE_UP if gave_up else Step.BAD_FORMAT
    if lockout.is_locked(client, lockout.Policy.from_config(config), key, call.from_e164):
        record(session, call, "auth_locked")
        return Step.LOCKED
    client.set(_pending_key(call), key, ex=PENDING_SECONDS)
    return Step.ASK_DATE_OF_BIRTH


def check_date_of_birth(
    session: Session,
    client: redis.Redis,
    call: Call,
    digits: str,
    config: Mapping[str, Any],
    now_ms: int,
) -> Step:
    """Verify the held reference against the keyed date of birth (DDMMYYYY)."""
    held = client.get(_pending_key(call))
    if held is None:
        return Step.ASK_REFERENCE
    key = held.decode() if isinstance(held, bytes) else held
    if lockout.is_locked(client, lockout.Policy.from_config(config), key, call.from_e164):
        record(session, call, "auth_locked")
        return Step.LOCKED
    case = _matching_case(session, key, parse_date_of_birth(digits))
    if case is None:
        gave_up = _fail(session, client, call, key, config, now_ms, "no_match")
        return Step.GIVE_UP if gave_up else Step.TRY_AGAIN
    client.delete(_pending_key(call))
    call.authenticated, call.case_id = True, case.id
    record(session, call, "authenticated", case_id=case.id)
    return Step.VERIFIED


def parse_date_of_birth(digits: str) -> dt.date | None:
    """Read DDMMYYYY; anything else is None."""
    if len(digits) != 8 or not digits.isdigit():
        return None
    try:
        return dt.date(int(digits[4:]), int(digits[2:4]), int(digits[:2]))
    except ValueError:
        return None


def _matching_case(session: Session, key: str, born: dt.date | None) -> Case | None:
    # Unknown reference and wrong date give the same None, so callers cannot tell them apart.
    if born is None:
        return None
    case = session.scalar(
        select(Case).options(joinedload(Case.victim)).where(Case.reference_key == key)
    )
    if case is None or case.victim.date_of_birth != born:
        return None
    return case


def _fail(
    session: Session,
    client: redis.Redis,
    call: Call,
    reference: str | None,
    config: Mapping[str, Any],
    now_ms: int,
    reason: str,
) -> bool:
    """Count a failure in the call and in the lockout windows; say whether to stop trying."""
    policy = lockout.Policy.from_config(config)
    ref_locked, num_locked = lockout.record_failure(
        client, policy, reference, call.from_e164, now_ms
    )
    record(session, call, "auth_failed", reason=reason)
    return (
        ref_locked or num_locked or failures_in_call(session, call) >= config["AUTH_TRIES_PER_CALL"]
    )


def failures_in_call(session: Session, call: Call) -> int:
    """Count this call's failed authentication attempts."""
    return (
        session.scalar(
            select(func.count())
            .select_from(CallEvent)
            .where(CallEvent.call_id == call.id, CallEvent.kind == "auth_failed")
        )
        or 0
    )
