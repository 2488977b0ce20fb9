"""Webhook requests look like Twilio's: parameters, signature, idempotency, call status."""

from __future__ import annotations

import re
import socket
import threading
import time

from flask import Response
from twilio.request_validator import RequestValidator

from emulator import Caller, Party
from emulator.engine import APPLICATION_ERROR
from tests.emulator.conftest import (
    ACCOUNT_SID,
    AUTH_TOKEN,
    HELPLINE_NUMBER,
    Hit,
    make_emulator,
    rest,
)

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


class FlakyServer:
    """Loopback HTTP that drops the first `drops` connections unanswered, then serves TwiML."""

    def __init__(self, drops: int, twiml: str) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}/flaky"
        self.drops, self.twiml = drops, twiml
        self.requests: list[bytes] = []
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with conn:
                self.requests.append(conn.recv(65536))
                if self.drops > 0:
                    self.drops -= 1
                    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\0\0\0\0\0\0\0")
                    continue  # closed with a reset and no answer: the connection failed
                body = f"<Response>{self.twiml}</Response>".encode()
                conn.sendall(
                    b"HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nConnection: close\r\n"
                    + f"Content-Length: {len(body)}\r\n\r\n".encode()
                    + body
                )


def test_connection_failure_is_retried_with_the_same_token(stub, emu):
    """A connection that fails is retried once, with the same I-Twilio-Idempotency-Token."""
    flaky = FlakyServer(drops=1, twiml="<Say>recovered</Say>")
    stub.on("/voice/incoming", f"<Redirect>{flaky.url}</Redirect>")
    call = emu.dial(from_=CALLER)
    assert call.wait(10)
    assert call.said() == ["recovered"]
    tokens = [
        line.split(b":", 1)[1].strip()
        for request in flaky.requests
        for line in request.split(b"\r\n")
        if line.lower().startswith(b"i-twilio-idempotency-token:")
    ]
    assert len(tokens) == 2 and tokens[0] == tokens[1]
    assert [e["attempt"] for e in call.entries("webhook") if "/flaky" in e["url"]] == [1]
    assert [f["kind"] for f in emu.faults] == ["connection"]
    emu.faults.clear()


def test_server_errors_are_not_retried(stub, emu):
    """A 503 is an answer, not a connection failure: no retry, and the caller hears the error."""
    stub.on("/voice/incoming", "<Redirect>/flaky</Redirect>")
    stub.on("/flaky", lambda hit: Response("busy", status=503))
    call = emu.dial(from_=CALLER)
    assert call.wait(10)
    assert len(stub.to("/flaky")) == 1
    assert [f["kind"] for f in emu.faults] == ["http-status"]
    assert call.said() == [APPLICATION_ERROR]


def test_read_timeouts_are_not_retried(stub):
    """A webhook that connects but answers too late is not sent again."""
    emu = make_emulator(stub, slow_webhook_seconds=0.3)
    emu.start()
    try:
        stub.on("/voice/incoming", "<Redirect>/slow</Redirect>")
        stub.on("/slow", lambda hit: time.sleep(0.6) or "<Say>late</Say>")
        call = emu.dial(from_=CALLER)
        assert call.wait(10)
        assert len(stub.to("/slow")) == 1
        assert [f["kind"] for f in emu.faults] == ["slow-webhook"]
    finally:
        emu.stop()


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


def test_shuffled_status_callbacks_arrive_late_and_twice(stub):
    """With shuffling on, progress callbacks swap places and the final one comes twice."""
    emu = make_emulator(stub, shuffle_status_callbacks=True)
    emu.start()
    try:
        emu.add_party("+447700900999", Party(answer_after=1, talk_for=2))
        stub.on("/answer", '<Pause length="5"/>')
        stub.on("/status", "")
        resp = rest(
            emu,
            "POST",
            "Calls.json",
            {
                "To": "+447700900999",
                "From": HELPLINE_NUMBER,
                "Url": stub.url + "/answer",
                "StatusCallback": stub.url + "/status",
                "StatusCallbackEvent": ["initiated", "ringing", "answered", "completed"],
            },
        )
        assert emu.calls[resp.json()["sid"]].wait(10)
        forms = [h.form for h in stub.to("/status")]
        assert [(f["CallStatus"], f["SequenceNumber"]) for f in forms] == [
            ("ringing", "1"),
            ("initiated", "0"),
            ("completed", "3"),
            ("in-progress", "2"),
            ("completed", "3"),
        ]
        tokens = [h.headers["I-Twilio-Idempotency-Token"] for h in stub.to("/status")]
        assert len(set(tokens)) == len(tokens)
    finally:
        emu.stop()
