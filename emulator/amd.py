"""Answering machine detection: what Twilio reports, when, and where it posts the result.

https://www.twilio.com/docs/voice/answering-machine-detection: `Enable` reports as soon as the
party is identified (human, machine_start, fax, unknown); `DetectMessageEnd` waits for a
machine's greeting to end (machine_end_beep, machine_end_silence, machine_end_other). Without
AsyncAmd the call's Url request waits for the result and carries AnsweredBy; with it the Url
TwiML starts at once and the result is posted to AsyncAmdStatusCallback.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from emulator.people import Party

if TYPE_CHECKING:
    from emulator.call import EmulatedCall
    from emulator.core import Emulator

MODES = ("Enable", "DetectMessageEnd")
# Emulated seconds after the answer. A person says "Hello?" and stops: the end-of-speech
# silence (MachineDetectionSpeechEndThreshold, 1.2 s) tells Twilio it was a human.
HUMAN_SECONDS = 2.0
# A greeting is recognised once it has run MachineDetectionSpeechThreshold (2.4 s).
MACHINE_START_SECONDS = 3.0
FAX_SECONDS = 2.0
TIMEOUT_RANGE = (3, 59)  # MachineDetectionTimeout, seconds; default 30
INVALID_VALUE = 21234  # "Invalid Machine Detection configuration value"


class AmdError(ValueError):
    """A machine detection parameter Twilio refuses (REST error 21234)."""


@dataclass(frozen=True)
class Detection:
    """How a REST-created call asked for machine detection."""

    mode: str
    asynchronous: bool = False
    callback: str | None = None
    callback_method: str = "POST"
    timeout: float = 30.0

    @classmethod
    def parse(cls, form: Mapping[str, str]) -> Detection | None:
        """Read the Calls.json parameters; None without MachineDetection; AmdError if invalid."""
        mode = form.get("MachineDetection")
        if not mode:
            return None
        if mode not in MODES:
            raise AmdError(f"MachineDetection must be Enable or DetectMessageEnd, not {mode!r}")
        asynchronous = form.get("AsyncAmd", "false").lower()
        if asynchronous not in ("true", "false"):
            raise AmdError(f"AsyncAmd must be true or false, not {asynchronous!r}")
        return cls(
            mode=mode,
            asynchronous=asynchronous == "true",
            callback=form.get("AsyncAmdStatusCallback") or None,
            callback_method=(form.get("AsyncAmdStatusCallbackMethod") or "POST").upper(),
            timeout=_timeout(form.get("MachineDetectionTimeout")),
        )


def _timeout(raw: str | None) -> float:
    """Return MachineDetectionTimeout in seconds, refusing values outside Twilio's range."""
    if not raw:
        return 30.0
    if not raw.isdigit() or not TIMEOUT_RANGE[0] <= int(raw) <= TIMEOUT_RANGE[1]:
        raise AmdError(f"MachineDetectionTimeout must be 3 to 59 seconds, not {raw!r}")
    return float(raw)


def outcome(party: Party | None, detection: Detection) -> tuple[str, float]:
    """Return what Twilio reports as AnsweredBy and how many seconds after the answer."""
    if party is None or party.silent:
        return "unknown", detection.timeout
    if party.fax:
        return "fax", FAX_SECONDS
    if not party.machine:
        return "human", min(HUMAN_SECONDS, detection.timeout)
    if detection.mode == "Enable":
        return "machine_start", min(MACHINE_START_SECONDS, detection.timeout)
    if party.greeting_seconds >= detection.timeout:
        return "unknown", detection.timeout  # the greeting outlasted detection (inferred)
    return f"machine_end_{party.message_end}", party.greeting_seconds


def detect_now(call: EmulatedCall, detection: Detection) -> dict[str, str]:
    """Synchronous detection: hold the Url request until the result; return its parameters."""
    answered_by, after = outcome(call.party, detection)
    call.sleep(after)
    _record(call, answered_by, after)
    return {"AnsweredBy": answered_by}


def detect_later(emu: Emulator, call: EmulatedCall, detection: Detection) -> None:
    """Asynchronous detection: post the result to AsyncAmdStatusCallback when it is known."""
    answered_by, after = outcome(call.party, detection)
    due = (call.answered_at or emu.clock.now()) + after

    def run() -> None:
        with emu.cv:
            while not call.ended and emu.clock.now() < due:
                emu.cv.wait(emu.clock.real(due - emu.clock.now()) + 0.001)
        if call.ended:
            return  # the call ended first: there is nothing to report on (inferred)
        _record(call, answered_by, after)
        if detection.callback:
            params = {
                "CallSid": call.sid,
                "AnsweredBy": answered_by,
                "MachineDetectionDuration": str(int(after * 1000)),
            }
            emu.webhooks.send(None, detection.callback, detection.callback_method, params)

    emu.background(f"amd-{call.sid}", run)


def _record(call: EmulatedCall, answered_by: str, after: float) -> None:
    """Remember the result on the call (status callbacks carry it) and in its transcript."""
    call.answered_by = answered_by
    call.log("amd", answered_by=answered_by, duration_ms=int(after * 1000))


def warn_missing_callback(emu: Emulator, detection: Detection | None) -> None:
    """Twilio warns (21262) when AsyncAmd has nowhere to post its result: record it."""
    if detection is not None and detection.asynchronous and not detection.callback:
        emu.faults.record(None, "rest-warning", "21262: AsyncAmd without AsyncAmdStatusCallback")
