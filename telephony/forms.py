"""Parse Twilio's webhook forms into typed values once, at the edge."""

from __future__ import annotations

import email.utils
import re
from dataclasses import dataclass
from datetime import datetime

from werkzeug.datastructures import MultiDict

from telephony.numbers import to_e164

_SID = re.compile(r"^CA[0-9a-fA-F]{32}$")
MAX_DIGITS = 64


@dataclass(frozen=True)
class VoiceEvent:
    """What a voice webhook tells us, cleaned: bad or missing fields become None."""

    call_sid: str | None
    caller_e164: str | None
    call_status: str
    direction: str
    digits: str | None
    speech: str | None
    confidence: float | None

    @property
    def has_input(self) -> bool:
        """Say whether the caller keyed or said anything."""
        return bool(self.digits or self.speech)


def voice_event(form: MultiDict[str, str]) -> VoiceEvent:
    """Read a voice webhook's form; never raises."""
    sid = form.get("CallSid", "")
    digits = re.sub(r"[^0-9*#]", "", form.get("Digits", ""))[:MAX_DIGITS] or None
    speech = (form.get("SpeechResult") or "").strip()[:200] or None
    return VoiceEvent(
        call_sid=sid if _SID.match(sid) else None,
        caller_e164=to_e164(form.get("From")),
        call_status=form.get("CallStatus", "")[:20],
        direction=form.get("Direction", "inbound")[:20],
        digits=digits,
        speech=speech,
        confidence=_float(form.get("Confidence")),
    )


@dataclass(frozen=True)
class StatusEvent:
    """A call status callback."""

    call_sid: str | None
    call_status: str
    duration: int | None
    sequence: int
    timestamp: datetime | None


def status_event(form: MultiDict[str, str]) -> StatusEvent:
    """Read a status callback form; never raises."""
    sid = form.get("CallSid", "")
    return StatusEvent(
        call_sid=sid if _SID.match(sid) else None,
        call_status=form.get("CallStatus", "")[:20],
        duration=_int(form.get("CallDuration")),
        sequence=_int(form.get("SequenceNumber")) or 0,
        timestamp=_rfc2822(form.get("Timestamp")),
    )


def _float(raw: str | None) -> float | None:
    try:
        return float(raw) if raw else None
    except ValueError:
        return None


def _int(raw: str | None) -> int | None:
    try:
        return int(raw) if raw else None
    except ValueError:
        return None


def _rfc2822(raw: str | None) -> datetime | None:
    try:
        return email.utils.parsedate_to_datetime(raw) if raw else None
    except (TypeError, ValueError):
        return None
