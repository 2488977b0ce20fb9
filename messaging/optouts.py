"""Read and change the opt-out register; classify Twilio's opt-out, opt-in and help keywords.

Twilio handles these keywords itself on long codes (it replies, and refuses later messages
with error 21610 until the person opts back in); we keep the same register so that we never
attempt a text Twilio would refuse, and can tell the caller the truth.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from messaging.models import SmsOptOut

Keyword = Literal["opt_out", "opt_in", "help"]
# Twilio's defaults for long codes (Advanced Opt-Out tutorial and help article 223134027).
OPT_OUT = frozenset({"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE", "OPTOUT"})
OPT_IN = frozenset({"START", "YES", "UNSTOP"})
HELP = frozenset({"HELP", "INFO"})


def keyword(body: str | None) -> Keyword | None:
    """Return the keyword family a whole message is, or None (Twilio matches the whole body)."""
    word = (body or "").strip().strip(".!").strip().upper()
    if word in OPT_OUT:
        return "opt_out"
    if word in OPT_IN:
        return "opt_in"
    if word in HELP:
        return "help"
    return None


def is_opted_out(session: Session, number: str) -> bool:
    """Say whether the number asked for no texts."""
    return session.scalar(select(SmsOptOut.id).where(SmsOptOut.number_e164 == number)) is not None


def record_opt_out(session: Session, number: str, source: str, at: dt.datetime) -> None:
    """Add the number to the register (idempotent: the first opt-out's time is kept)."""
    if not is_opted_out(session, number):
        session.add(SmsOptOut(number_e164=number, opted_out_at=at, source=source))
        session.flush()


def record_opt_in(session: Session, number: str) -> bool:
    """Take the number off the register; return whether it was on it."""
    result = session.execute(delete(SmsOptOut).where(SmsOptOut.number_e164 == number))
    return bool(getattr(result, "rowcount", 0))


def opted_out(session: Session, numbers: list[str]) -> set[str]:
    """Return which of `numbers` are on the register (for consoles)."""
    if not numbers:
        return set()
    found = session.scalars(select(SmsOptOut.number_e164).where(SmsOptOut.number_e164.in_(numbers)))
    return set(found)
