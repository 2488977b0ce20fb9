"""A retried webhook that overlaps the first attempt keeps the call going, never hangs up."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from flask import Flask, Response
from twilio.twiml.voice_response import VoiceResponse

from telephony import twiml
from telephony.webhook import REPLAY, twilio_webhook
from tests.twilio_signing import TwilioSigner, voice_params
from tests.twiml_assert import parse, verbs

PATH, STATUS_PATH = "/test/slow", "/test/slow-status"


@pytest.fixture
def gate(app: Flask) -> Iterator[threading.Event]:
    """Views that answer only once the gate opens, with a counter of how often they ran."""
    opened = threading.Event()
    runs: list[str] = []

    @twilio_webhook()
    def slow() -> Response:
        runs.append("voice")
        opened.wait(30)
        response = VoiceResponse()
        response.say("First answer.")
        return twiml.xml(response)

    @twilio_webhook(fallback=twiml.empty)
    def slow_status() -> Response:
        runs.append("status")
        opened.wait(30)
        return twiml.xml(twiml.empty())

    app.add_url_rule(PATH, "slow", slow, methods=["POST"])
    app.add_url_rule(STATUS_PATH, "slow_status", slow_status, methods=["POST"])
    app.extensions["test.runs"] = runs
    yield opened
    opened.set()


def first_attempt(app: Flask, twilio: TwilioSigner, path: str) -> threading.Thread:
    """Start the first attempt in its own client and thread; it blocks on the gate."""
    signer = TwilioSigner(app.test_client(), "test-auth-token", twilio.public_base_url)
    thread = threading.Thread(target=signer.post, args=(path, voice_params(), "token-1"))
    thread.start()
    deadline = time.monotonic() + 10
    while not app.extensions["test.runs"] and time.monotonic() < deadline:
        time.sleep(0.01)  # the first attempt has claimed its token and is running
    return thread


def test_overlapping_retry_keeps_the_caller_and_comes_back(
    app: Flask, twilio: TwilioSigner, gate: threading.Event
) -> None:
    """The retry answers a pause and a redirect (not an empty hang-up); that gets the answer."""
    thread = first_attempt(app, twilio, PATH)
    retry = parse(twilio.post(PATH, voice_params(), token="token-1").data)
    assert verbs(retry) == ["Pause", "Redirect"]
    target = urlsplit(retry.find("Redirect").text)
    assert target.path == PATH and f"{REPLAY}=token-1" in target.query
    gate.set()
    thread.join(10)
    back = parse(twilio.post(f"{PATH}?{target.query}", voice_params()).data)
    assert [s.text for s in back.iter("Say")] == ["First answer."]
    assert app.extensions["test.runs"] == ["voice"]  # the view ran once


def test_a_first_attempt_that_never_answers_ends_in_the_fallback(
    app: Flask, twilio: TwilioSigner, gate: threading.Event
) -> None:
    """After the last round the caller hears the apology (with 999), never silence."""
    thread = first_attempt(app, twilio, PATH)
    twilio.post(PATH, voice_params(), token="token-1")
    root = parse(twilio.post(f"{PATH}?{REPLAY}=token-1&hl_round=3", voice_params()).data)
    assert verbs(root) == ["Say", "Hangup"] and "999" in root.find("Say").text
    gate.set()
    thread.join(10)


def test_overlapping_status_callback_gets_an_empty_answer(
    app: Flask, twilio: TwilioSigner, gate: threading.Event
) -> None:
    """A status callback retry has no call to keep going: an empty document, view run once."""
    thread = first_attempt(app, twilio, STATUS_PATH)
    root = parse(twilio.post(STATUS_PATH, voice_params(), token="token-1").data)
    assert verbs(root) == []
    gate.set()
    thread.join(10)
    assert app.extensions["test.runs"] == ["status"]
