"""Property-based fuzz of every IVR endpoint: any form, any order, retries: valid TwiML, no 5xx."""

from __future__ import annotations

import logging
import re
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.ivr_support import IVR_PATHS, seed_demo
from tests.twilio_signing import TwilioSigner, voice_params

PATHS = IVR_PATHS
SIDS = ("CA" + "b" * 32, "CA" + "c" * 32)
TOP_VERBS = {"Say", "Play", "Pause", "Gather", "Redirect", "Hangup"}
GATHER_CHILDREN = {"Say", "Play", "Pause"}
INPUTS = {"dtmf", "speech", "dtmf speech"}
POSITIVE_INT = re.compile(r"^[1-9]\d*$")
FUZZ = settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

keyed = st.text(alphabet="0123456789*#", max_size=40) | st.text(max_size=300)
spoken = st.text(max_size=300) | st.sampled_from(["status", "someone", "call me back", "text"])
call_sid = st.sampled_from(SIDS) | st.just("CA" + uuid.uuid4().hex) | st.text(max_size=50)
silent = st.integers(-5, 50).map(str) | st.text(alphabet="abc-1", max_size=5)


@st.composite
def forms(draw: st.DrawFn) -> dict[str, str]:
    """A Twilio-like form where any field may be missing, garbage or overlong."""
    form = voice_params(CallStatus=draw(st.sampled_from(["ringing", "in-progress", "", "x"])))
    for name, values in (
        ("CallSid", call_sid),
        ("Digits", keyed),
        ("SpeechResult", spoken),
        ("Confidence", st.text(max_size=5)),
        ("From", st.sampled_from(["+447700900123", "anonymous", "", "+266696687", "x" * 99])),
    ):
        choice = draw(st.integers(0, 2))
        if choice == 0:
            form.pop(name, None)
        elif choice == 1:
            form[name] = draw(values)
    return {k: v.replace("\x00", "") for k, v in form.items()}


class Errors(logging.Handler):
    """Count errors logged while answering (the webhook guard hides exceptions as apologies)."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def errors(app: Flask) -> Iterator[Errors]:
    """Collect error logs from the whole app during the test."""
    seed_demo(app)
    handler = Errors()
    logging.getLogger().addHandler(handler)
    yield handler
    logging.getLogger().removeHandler(handler)


def check_twiml(body: bytes) -> None:
    """Parse the answer and check every verb, nesting and attribute Twilio would refuse."""
    root = ET.fromstring(body)
    assert root.tag == "Response"
    assert len(root) > 0, "an empty document would end the call silently"
    for verb in root:
        assert verb.tag in TOP_VERBS, verb.tag
        if verb.tag == "Gather":
            assert {child.tag for child in verb} <= GATHER_CHILDREN
            assert verb.get("input", "dtmf") in INPUTS
            assert POSITIVE_INT.match(verb.get("numDigits", "1"))
            assert POSITIVE_INT.match(verb.get("timeout", "5"))
            assert verb.get("action", "").startswith("/voice/")
        if verb.tag == "Redirect":
            assert (verb.text or "").startswith("/voice/")
            assert verb.get("method", "POST") == "POST"
        if verb.tag == "Say":
            assert (verb.text or "").strip() and verb.get("voice") and verb.get("language")
    last = root[-1].tag
    assert last in {"Redirect", "Hangup"}, f"document ends on <{last}>, so the call may drop"


def answer(twilio: TwilioSigner, path: str, form: dict[str, Any], token: str) -> bytes:
    """Post a signed webhook and return its body, insisting on 200 text/xml."""
    response = twilio.post(path, form, token=token)
    assert response.status_code == 200
    assert response.mimetype == "text/xml"
    return response.data


@pytest.mark.parametrize("path", PATHS)
def test_any_form_gets_valid_twiml(twilio: TwilioSigner, errors: Errors, path: str) -> None:
    """Whatever Twilio (or an attacker with the token) posts, the answer is valid TwiML."""

    @FUZZ
    @given(form=forms(), query=silent)
    def run(form: dict[str, str], query: str) -> None:
        check_twiml(answer(twilio, f"{path}?silent={query}", form, str(uuid.uuid4())))

    run()
    assert errors.records == []


@FUZZ
@given(
    steps=st.lists(
        st.tuples(st.sampled_from(PATHS), forms(), st.sampled_from(["a", "b", "fresh"])),
        min_size=1,
        max_size=8,
    )
)
def test_out_of_order_and_retried_requests(
    twilio: TwilioSigner, errors: Errors, steps: list[tuple[str, dict[str, str], str]]
) -> None:
    """Any order of endpoints for one call, with retries (repeated tokens), stays valid."""
    sid = "CA" + uuid.uuid4().hex
    for path, form, token in steps:
        form = {**form, "CallSid": sid}
        key = f"{sid}-{token}" if token != "fresh" else str(uuid.uuid4())
        check_twiml(answer(twilio, path, form, key))
    assert errors.records == []
