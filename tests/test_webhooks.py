"""Twilio webhook plumbing: signatures, retries and the never-500 guarantee."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from app import create_app
from calls.models import Call, CallEvent
from tests.twilio_signing import TwilioSigner, voice_params
from tests.twiml_assert import parse, verbs

VOICE_PATHS = ("/voice/incoming",)
ALL_PATHS = ("/voice/incoming", "/voice/status", "/sms/incoming")


def rows(app: Flask, model: type) -> int:
    with app.extensions["helpline.sessionmaker"]() as session:
        return session.scalar(select(func.count()).select_from(model))


def test_signed_request_is_answered_with_twiml(twilio: TwilioSigner) -> None:
    """A correctly signed call gets 200 text/xml with a <Response>."""
    response = twilio.post("/voice/incoming", voice_params())
    assert response.status_code == 200
    assert response.mimetype == "text/xml"
    assert "Say" in verbs(parse(response.data))


def test_unsigned_requests_are_refused_everywhere(client: FlaskClient, app: Flask) -> None:
    """No signature: 403 on every Twilio-facing URL, and nothing is recorded."""
    for path in ALL_PATHS:
        assert client.post(path, data=voice_params()).status_code == 403
    assert rows(app, Call) == 0


def test_tampered_parameter_is_refused(twilio: TwilioSigner, app: Flask) -> None:
    """Changing one parameter after signing invalidates the signature."""
    params = voice_params()
    signature = twilio.signature("/voice/incoming", params)
    tampered = voice_params(From="+447700900999")
    response = twilio.post("/voice/incoming", tampered, signature=signature)
    assert response.status_code == 403
    assert rows(app, Call) == 0


def test_signature_for_another_url_is_refused(twilio: TwilioSigner) -> None:
    """A signature computed for a different path does not validate here."""
    params = voice_params()
    signature = twilio.signature("/voice/status", params)
    assert twilio.post("/voice/incoming", params, signature=signature).status_code == 403


def test_signature_uses_public_url_not_request_url(
    twilio: TwilioSigner, client: FlaskClient
) -> None:
    """Behind a proxy we validate against PUBLIC_BASE_URL; a signature for the local URL fails."""
    params = voice_params()
    local = TwilioSigner(client, "test-auth-token", "http://localhost")
    assert twilio.post("/voice/incoming", params).status_code == 200
    assert local.post("/voice/incoming", params).status_code == 403


def test_query_string_is_part_of_the_signed_url(twilio: TwilioSigner) -> None:
    """A query string is signed; dropping it from the signature breaks validation."""
    params = voice_params()
    good = twilio.signature("/voice/incoming?lang=en", params)
    bad = twilio.signature("/voice/incoming", params)
    assert twilio.post("/voice/incoming?lang=en", params, signature=good).status_code == 200
    assert twilio.post("/voice/incoming?lang=en", params, signature=bad).status_code == 403


def test_retried_request_changes_nothing_twice(twilio: TwilioSigner, app: Flask) -> None:
    """The same idempotency token replays the first answer and records one call, one event."""
    first = twilio.post("/voice/incoming", voice_params(), token="retry-1")
    second = twilio.post("/voice/incoming", voice_params(), token="retry-1")
    assert first.data == second.data
    assert rows(app, Call) == 1
    assert rows(app, CallEvent) == 1


def test_garbage_input_still_gets_valid_twiml(twilio: TwilioSigner) -> None:
    """Missing, overlong and nonsense parameters never produce a 500."""
    for params in (
        {},
        {"CallSid": "x" * 5000, "Digits": "9" * 10_000, "From": "\x00"},
        {"CallSid": "CA" + "b" * 32, "From": "anonymous"},
    ):
        response = twilio.post("/voice/incoming", params)
        assert response.status_code == 200
        parse(response.data)


def test_database_down_still_gets_valid_twiml(config: dict[str, Any]) -> None:
    """When our own storage fails, the caller hears an apology, not Twilio's error."""
    broken = create_app(config | {"DATABASE_URL": "sqlite:////nonexistent/dir/x.db"})
    signer = TwilioSigner(
        broken.test_client(), config["TWILIO_AUTH_TOKEN"], config["PUBLIC_BASE_URL"]
    )
    response = signer.post("/voice/incoming", voice_params())
    assert response.status_code == 200
    root = parse(response.data)
    assert verbs(root) == ["Say", "Hangup"]
    assert "999" in root.find("Say").text


def test_status_callbacks_out_of_order(twilio: TwilioSigner, app: Flask) -> None:
    """A late `ringing` after `completed` does not reopen the call; repeats are harmless."""
    twilio.post("/voice/incoming", voice_params())
    done = voice_params(
        CallStatus="completed",
        CallDuration="42",
        SequenceNumber="2",
        Timestamp="Sun, 22 Nov 2026 09:00:00 +0000",
    )
    late = voice_params(CallStatus="in-progress", SequenceNumber="1")
    for params in (done, late, done):
        assert twilio.post("/voice/status", params).status_code == 200
    with app.extensions["helpline.sessionmaker"]() as session:
        call = session.scalar(select(Call))
        assert call is not None
        assert call.twilio_status == "completed"
        assert call.duration_seconds == 42
        assert call.outcome == "ivr_hangup"
        assert call.ended_at is not None and call.ended_at.hour == 9
