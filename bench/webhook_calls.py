"""Signed Twilio webhooks for bench.webhooks, and the calls they need to find already there."""

from __future__ import annotations

import datetime as dt
import email.utils
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from flask import Flask
from sqlalchemy import insert
from twilio.request_validator import RequestValidator

from calls.journey import open_call
from calls.models import Call
from core.db import session_factory
from core.redis_conn import get_redis
from ivr import auth
from queueing.desk import desk_for
from queueing.service import join_queue
from telephony.twiml import APOLOGY_EN

# (keyed reference, keyed date of birth) of devtools.demo's cases.
CASES = (("1234567*24", "01021980"), ("2345678*24", "25121975"), ("3456789*24", "14071990"))
# step, path, keyed digits ("ref"/"dob" stand for the case's), text its answer must contain
CALL_STEPS = (
    ("greeting", "/voice/incoming", None, "/voice/ivr/language"),
    ("language", "/voice/ivr/language", "1", "/voice/ivr/menu"),
    ("menu", "/voice/ivr/menu", "1", "/voice/ivr/reference"),
    ("reference", "/voice/ivr/reference", "ref", "/voice/ivr/date-of-birth"),
    ("dob", "/voice/ivr/date-of-birth", "dob", "/voice/ivr/after-status"),
    ("goodbye", "/voice/ivr/after-status", "5", "<Hangup"),
)
CHECKS = {step: want for step, _, _, want in CALL_STEPS} | {"wait": "<Say", "*": "<Response"}
FORBID = APOLOGY_EN[:40]


@dataclass(frozen=True)
class Signed:
    """One webhook as Twilio would send it: path, form body and X-Twilio-Signature."""

    step: str
    path: str
    signature: str
    body: str

    def line(self) -> str:
        """Return the request as one line of the wrk script's input."""
        return f"{self.step}\t{self.path}\t{self.signature}\t{self.body}"


class Signer:
    """Build signed webhooks for an app reached at `base_url`."""

    def __init__(self, auth_token: str, base_url: str) -> None:
        self.validator = RequestValidator(auth_token)
        self.base_url = base_url.rstrip("/")

    def sign(self, step: str, path: str, params: dict[str, str]) -> Signed:
        """Sign a form posted to `path`."""
        signature = self.validator.compute_signature(self.base_url + path, params)
        return Signed(step, path, signature, urlencode(params))


def call_sid(phase: int) -> str:
    """Return a fresh CallSid whose first hex digits name the phase (to count it later)."""
    return f"CA{phase:04x}{uuid.uuid4().hex[:28]}"


def caller(n: int) -> str:
    """Return one of a thousand drama-range mobile numbers."""
    return f"+447700900{n % 1000:03d}"


def voice_form(sid: str, n: int, **extra: str) -> dict[str, str]:
    """Return the parameters Twilio sends on an inbound voice webhook."""
    return {
        "CallSid": sid,
        "AccountSid": "AC" + "1" * 32,
        "From": caller(n),
        "To": "+442071838750",
        "Caller": caller(n),
        "Called": "+442071838750",
        "CallStatus": "in-progress",
        "Direction": "inbound",
        "ApiVersion": "2010-04-01",
        "FromCountry": "GB",
        **extra,
    }


def self_service_call(signer: Signer, sid: str, n: int) -> list[Signed]:
    """Return the six webhooks of a caller who hears their case status and says goodbye."""
    ref, dob = CASES[n % len(CASES)]
    steps = []
    for step, path, digits, _ in CALL_STEPS:
        keyed = {"ref": ref, "dob": dob}.get(digits or "", digits)
        extra = {"Digits": keyed} if keyed else {"CallStatus": "ringing"}
        steps.append(signer.sign(step, path, voice_form(sid, n, **extra)))
    return steps


def date_of_birth(signer: Signer, sid: str, n: int) -> Signed:
    """Return the date-of-birth webhook of a call whose reference is already held."""
    return signer.sign("dob", "/voice/ivr/date-of-birth", voice_form(sid, n, Digits=dob_of(n)))


def dob_of(n: int) -> str:
    """Return the date of birth caller `n` keys."""
    return CASES[n % len(CASES)][1]


def hold_wait(signer: Signer, sid: str, n: int, position: int) -> Signed:
    """Return the waitUrl request Twilio makes for a caller holding in its queue."""
    extra = {"QueuePosition": str(position), "QueueSid": "QU" + "2" * 32, "QueueTime": "42"}
    extra |= {"AvgQueueTime": "60", "CurrentQueueSize": "500", "MaxQueueSize": "1000"}
    return signer.sign("wait", "/voice/queue/wait", voice_form(sid, n, **extra))


def completed(signer: Signer, sid: str, n: int) -> Signed:
    """Return the final status callback of a call."""
    stamp = email.utils.format_datetime(dt.datetime.now(dt.UTC), usegmt=True)
    extra = {"CallStatus": "completed", "CallDuration": "95", "SequenceNumber": "3"}
    extra |= {"Timestamp": stamp, "CallbackSource": "call-progress-events"}
    return signer.sign("status", "/voice/status", voice_form(sid, n, **extra))


def write_pool(directory: Path, threads: list[list[Signed]]) -> None:
    """Write each wrk thread's requests, and the checks every answer must pass."""
    directory.mkdir(parents=True, exist_ok=True)
    for number, requests in enumerate(threads, start=1):
        text = "\n".join(r.line() for r in requests) + "\n"
        (directory / f"{number}.tsv").write_text(text)
    (directory / "checks.tsv").write_text("".join(f"{k}\t{v}\n" for k, v in CHECKS.items()))
    (directory / "forbid.txt").write_text(FORBID + "\n")


def deal(items: list[Any], threads: int) -> list[list[Any]]:
    """Share items among threads round-robin, keeping each item's order within a thread."""
    return [items[n::threads] for n in range(threads)]


def flatten(calls: list[list[Signed]]) -> list[Signed]:
    """Join calls (each a list of steps) into one ordered list."""
    return [step for call in calls for step in call]


def add_calls(app: Flask, sids: list[str], status: str = "in-progress") -> None:
    """Insert calls Twilio is already connected to, in one statement."""
    now = dt.datetime.now(dt.UTC)
    rows = [
        {"call_sid": sid, "from_e164": caller(n), "started_at": now, "twilio_status": status}
        for n, sid in enumerate(sids)
    ]
    with session_factory(app)() as session:
        session.execute(insert(Call), rows)
        session.commit()


def hold_references(app: Flask, sids: list[str]) -> None:
    """Put calls at the date-of-birth step: each has keyed a demo case's reference."""
    add_calls(app, sids)
    config, now_ms = app.config, int(dt.datetime.now(dt.UTC).timestamp() * 1000)
    with app.app_context(), session_factory(app)() as session:
        for chunk in _chunks(list(enumerate(sids)), 1000):
            pipe = get_redis(app).pipeline(transaction=False)
            for n, sid in chunk:
                call = Call(call_sid=sid, from_e164=caller(n))
                ref = CASES[n % len(CASES)][0]
                auth.take_reference(session, pipe, call, ref, config, now_ms)
            pipe.execute()


def queue_callers(app: Flask, sids: list[str]) -> None:
    """Queue calls as if each had asked for a person (nobody is available to take them)."""
    at = dt.datetime.now(dt.UTC)
    with app.app_context(), session_factory(app)() as session:
        desk = desk_for(app)
        for n, sid in enumerate(sids):
            call = open_call(session, sid, caller(n))
            call.wanted_agent_at = at
            if not join_queue(session, desk, call, at).queued:
                raise SystemExit("bench: the demo desk should be open with agents on shift")
        session.commit()


def _chunks(items: list[Any], size: int) -> Iterator[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
