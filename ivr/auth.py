"""Authenticate a caller by crime reference and date of birth; services never commit."""

from __future__ import annotations

import datetime as dt
import hmac
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
from telephony import sealed

PENDING_SECONDS = 900
_NO_DATE = "0000-00-00"
_NO_MATCH = "9999-99-99"


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


def take_reference(
    session: Session,
    client: redis.Redis,
    call: Call,
    digits: str,
    config: Mapping[str, Any],
    now_ms: int,
) -> Step:
    """Check a keyed reference's format and hold it until the date of birth arrives.

    Locks are checked only after the date of birth, so a locked reference sounds exactly
    like a wrong one and the caller cannot learn which references are being tried.
    """
    if out_of_tries(session, call, config):
        return Step.GIVE_UP
    key = normalise(digits)
    if not is_accepted(key, config["CRIME_REFERENCE_PATTERNS"]):
        gave_up = _fail(session, client, call, None, config, now_ms, "format")
        return Step.GIVE_UP if gave_up else Step.BAD_FORMAT
    # Sealed: a caller who hangs up here would otherwise leave the reference in Redis.
    client.set(_pending_key(call), sealed.seal(config["SECRET_KEY"], key), ex=PENDING_SECONDS)
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
    if out_of_tries(session, call, config):
        # A forged extra try on the same CallSid is refused, whatever it keys.
        client.delete(_pending_key(call))
        return Step.GIVE_UP
    held = client.get(_pending_key(call))
    key = sealed.unseal(config["SECRET_KEY"], str(held)) if held is not None else None
    if key is None:
        return Step.ASK_REFERENCE
    client.delete(_pending_key(call))
    case = _matching_case(session, key, parse_date_of_birth(digits))
    policy = lockout.Policy.from_config(config)
    if lockout.is_locked(client, policy, key, call.from_e164):
        # Even the right details are refused while locked, with the usual failure words.
        record(session, call, "auth_locked")
        return Step.LOCKED
    if case is None:
        gave_up = _fail(session, client, call, key, config, now_ms, "no_match")
        return Step.GIVE_UP if gave_up else Step.TRY_AGAIN
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
    """Return the case only if both factors match, doing the same work whichever fails."""
    # Always look up and always compare in constant time, so an unknown reference, a
    # wrong date and an unreadable date take the same time and give the same None.
    case = session.scalar(
        select(Case).options(joinedload(Case.victim)).where(Case.reference_key == key)
    )
    expected = case.victim.date_of_birth.isoformat() if case is not None else _NO_DATE
    keyed = born.isoformat() if born is not None else _NO_MATCH
    if not hmac.compare_digest(expected.encode(), keyed.encode()) or case is None:
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
    return ref_locked or num_locked or out_of_tries(session, call, config)


def out_of_tries(session: Session, call: Call, config: Mapping[str, Any]) -> bool:
    """Say whether this call has used its AUTH_TRIES_PER_CALL (enforced here, not by the TwiML)."""
    return failures_in_call(session, call) >= config["AUTH_TRIES_PER_CALL"]


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
