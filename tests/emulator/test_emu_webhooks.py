"""Webhook requests look like Twilio's: parameters, signature, idempotency, call status."""

from __future__ import annotations

import re

from flask import Response
from twilio.request_validator import RequestValidator

from emulator import Caller
from tests.emulator.conftest import ACCOUNT_SID, AUTH_TOKEN, HELPLINE_NUMBER, Hit

CALLER = "+447700900123"


def _valid(hit: Hit) -> bool:
    """Check a request's X-Twilio-Signature the way Helpline will."""
    return RequestValidator(AUTH_TOKEN).validate(
        hit.url, hit.form, hit.headers["X-Twilio-Signature"]
    )


def test_first_webhook_carries_twilio_parameters(stub, emu):
    """The first voice webhook has Twilio's standard parameters and CallStatus=ringing."""
    stub.on("/voice/incoming", "<Say>Hi</Say>")
    call = emu.dial(from_=CALLER)
    assert call.wait(10)
    params = stub.to("/voice/incoming")[0].form
    assert re.fullmatch(r"CA[0-9a-f]{32}", params["CallSid"])
    assert params["CallSid"] == call.sid
    assert params["AccountSid"] == ACCOUNT_SID
    assert (params["From"], params["To"]) == (CALLER, HELPLINE_NUMBER)
    assert (params["Caller"], params["Called"]) == (CALLER, HELPLINE_NUMBER)
    assert params["CallStatus"] == "ringing"
    assert params["Direction"] == "inbound"
    assert params["ApiVersion"] == "2010-04-01"
    assert "FromCity" in params and "CallerCountry" in params


def test_later_webhooks_are_in_progress(stub, emu):
    """After the first document, webhooks report CallStatus=in-progress."""
    stub.on("/voice/incoming", "<Redirect>/next</Redirect>")
    stub.on("/next", "<Say>Next</Say>")
    call = emu.dial(from_=CALLER)
    assert call.wait(10)
    assert stub.to("/next")[0].form["CallStatus"] == "in-progress"


def test_signature_validates_on_exact_url_with_query(stub, emu):
    """The signature covers the exact URL requested, query string included."""
    stub.on("/voice/incoming", "<Redirect>/step?case=42&amp;lang=en</Redirect>")
    stub.on("/step", "<Say>ok</Say>")
    call = emu.dial(from_=CALLER)
    assert call.wait(10)
    hit = stub.to("/step")[0]
    assert hit.args == {"case": "42", "lang": "en"}
    assert _valid(hit)
    assert _valid(stub.to("/voice/incoming")[0])
    tampered = Hit(
        hit.method, hit.path, hit.url, {**hit.form, "Digits": "9"}, hit.args, hit.headers
    )
    assert not _valid(tampered)


def test_get_method_sends_parameters_in_query(stub, emu):
    """A Redirect with method=GET sends the parameters in the query string, signed."""
    stub.on("/voice/incoming", '<Redirect method="GET">/menu?x=1</Redirect>')
    stub.on("/menu", "<Say>menu</Say>")
    call = emu.dial(from_=CALLER)
    assert call.wait(10)
    hit = stub.to("/menu")[0]
    assert hit.method == "GET"
    assert hit.args["x"] == "1"
    assert hit.args["CallSid"] == call.sid
    assert RequestValidator(AUTH_TOKEN).validate(hit.url, {}, hit.headers["X-Twilio-Signature"])


def test_idempotency_token_is_stable_on_retry(stub, emu):
    """A retried webhook (after a 503) carries the same I-Twilio-Idempotency-Token."""
    stub.on("/voice/incoming", "<Redirect>/flaky</Redirect>")
    answers = iter([Response("busy", status=503)])
    stub.on("/flaky", lambda hit: next(answers, "<Say>recovered</Say>"))
    call = emu.dial(from_=CALLER)
    assert call.wait(10)
    tokens = [h.headers["I-Twilio-Idempotency-Token"] for h in stub.to("/flaky")]
    assert len(tokens) == 2
    assert tokens[0] == tokens[1]
    first = stub.to("/voice/incoming")[0].headers["I-Twilio-Idempotency-Token"]
    assert first != tokens[0]
    assert call.said() == ["recovered"]


def test_final_status_callback_for_inbound_call(stub, emu):
    """An inbound call ends with a signed completed callback to status_path with its duration."""
    stub.on("/voice/incoming", '<Say>Hello</Say><Pause length="3"/>')
    call = emu.dial(from_=CALLER)
    assert call.wait(10)
    hits = stub.to("/voice/status")
    assert len(hits) == 1
    form = hits[0].form
    assert form["CallStatus"] == "completed"
    assert int(form["CallDuration"]) >= 3
    assert form["CallbackSource"] == "call-progress-events"
    assert form["SequenceNumber"] == "0"
    assert _valid(hits[0])


def test_latency_is_recorded(stub, emu):
    """Each webhook's latency and HTTP status land in the transcript."""
    stub.on("/voice/incoming", "<Say>Hi</Say>")
    call = emu.dial(from_=CALLER, caller=Caller.scripted())
    assert call.wait(10)
    hooks = call.entries("webhook")
    assert hooks[0]["status"] == 200
    assert hooks[0]["latency"] >= 0
