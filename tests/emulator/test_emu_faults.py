"""Responses Twilio cannot execute are recorded faults, and the caller hears the error message."""

from __future__ import annotations

import time

import pytest
from flask import Response

from emulator import Caller
from emulator.engine import APPLICATION_ERROR
from tests.emulator.conftest import make_emulator

CALLER = "+447700900123"


def _call(stub, emu, reply):
    """Answer the voice webhook with reply and run a call to its end."""
    stub.on("/voice/incoming", reply)
    call = emu.dial(from_=CALLER, caller=Caller.scripted())
    assert call.wait(10), call.transcript
    return call


def _kinds(emu, call):
    """Return the kinds of fault recorded against a call."""
    return [f["kind"] for f in emu.faults if f["call_sid"] == call.sid]


@pytest.mark.parametrize(
    ("reply", "kind"),
    [
        (lambda hit: Response("boom", status=500), "http-status"),
        (lambda hit: Response("<Response><Say>x</Say>", mimetype="text/xml"), "invalid-twiml"),
        (lambda hit: Response("<Say>hi</Say>", mimetype="text/xml"), "invalid-twiml"),
        (lambda hit: Response("hello", mimetype="application/json"), "invalid-twiml"),
        ("<Dance/>", "invalid-twiml"),
        ('<Gather numDigits="two"/>', "invalid-twiml"),
        ("<Gather><Dial>+447700900000</Dial></Gather>", "invalid-twiml"),
        ('<Pause length="-1"/>', "invalid-twiml"),
        ("<Record/>", "unsupported-verb"),
    ],
    ids=[
        "500",
        "unclosed-xml",
        "wrong-root",
        "json",
        "unknown-verb",
        "bad-attribute",
        "bad-nesting",
        "negative-pause",
        "unsupported-verb",
    ],
)
def test_unusable_reply_is_application_error(stub, emu, reply, kind):
    """The fault is recorded and the caller hears Twilio's application error, then the call ends."""
    call = _call(stub, emu, reply)
    assert kind in _kinds(emu, call)
    assert call.said() == [APPLICATION_ERROR]
    assert call.entries("error")[0]["fault"] == kind


def test_dial_inside_wait_url_is_a_fault(stub, emu):
    """A waitUrl document may not <Dial>: a fault, and the wait ends with QueueResult=error."""
    stub.on("/wait", "<Dial>+447700900000</Dial>")
    call = _call(stub, emu, '<Enqueue waitUrl="/wait">support</Enqueue><Say>after</Say>')
    assert "invalid-twiml" in _kinds(emu, call)
    assert "waitUrl" in emu.faults.of_kind("invalid-twiml")[0]["detail"]
    assert call.said() == ["after"]
    assert [e["result"] for e in call.entries("dequeued")] == ["error"]
    assert emu.queues.named("support").members == []


def test_unknown_attribute_is_only_a_warning(stub, emu):
    """Unknown attributes are warnings, as at Twilio: the verb still runs."""
    call = _call(stub, emu, '<Say colour="blue">still spoken</Say>')
    assert _kinds(emu, call) == ["twiml-warning"]
    assert call.said() == ["still spoken"]


def test_slow_webhook_is_a_fault(stub):
    """A webhook slower than slow_webhook_seconds is a fault and the call gets the error."""
    emu = make_emulator(stub, slow_webhook_seconds=0.3)
    emu.start()
    try:
        stub.on("/voice/incoming", lambda hit: time.sleep(0.6) or "<Say>too late</Say>")
        call = emu.dial(from_=CALLER)
        assert call.wait(10)
        assert "slow-webhook" in _kinds(emu, call)
        assert call.said() == [APPLICATION_ERROR]
    finally:
        emu.stop()


def test_status_callback_error_is_a_fault(stub, emu):
    """A status callback answered with 500 is recorded (the call itself is unaffected)."""
    stub.on("/voice/status", lambda hit: Response("", status=500))
    call = _call(stub, emu, "<Say>fine</Say>")
    assert "status-callback" in _kinds(emu, call)
    assert call.said() == ["fine"]
