"""Send a text: the one function every outbound SMS goes through.

It never texts a number on the opt-out register, records an opt-out Twilio reports (error
21610) instead of treating it as a passing failure, and never raises, so a caller can always
be told what really happened.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Literal

import requests
from sqlalchemy.orm import Session
from twilio.base.exceptions import TwilioException, TwilioRestException

from core.clock import now
from messaging.optouts import is_opted_out, record_opt_out
from telephony.numbers import mask
from telephony.twilio_port import TwilioPort

log = logging.getLogger("helpline.messaging")
OPTED_OUT_CODE = 21610  # "Attempt to send to unsubscribed recipient"
Outcome = Literal["sent", "opted_out", "failed"]


@dataclass(frozen=True)
class Sent:
    """What became of one text: sent (with its SID), refused as opted out, or failed."""

    outcome: Outcome
    sid: str | None = None
    error: int | str | None = None


def send_text(session: Session, port: TwilioPort, to: str, body: str) -> Sent:
    """Text `to` unless they opted out; record a 21610 refusal as an opt-out. Never raises."""
    if is_opted_out(session, to):
        return Sent("opted_out")
    try:
        return Sent("sent", sid=port.send_sms(to, body))
    except TwilioRestException as exc:
        if exc.code == OPTED_OUT_CODE:
            record_opt_out(session, to, "twilio_21610", now())
            return Sent("opted_out", error=exc.code)
        return _failed(to, exc.code)
    except (TwilioException, requests.RequestException) as exc:
        return _failed(to, type(exc).__name__)


def _failed(to: str, error: int | str | None) -> Sent:
    """Log a failed text by error code and masked number (never the body)."""
    log.warning("text to %s failed (%s)", mask(to), error)
    return Sent("failed", error=error)
