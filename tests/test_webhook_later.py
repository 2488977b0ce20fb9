"""A webhook's Redis round trips: reads with the claim, deferred writes with the answer."""

from __future__ import annotations

from typing import Any

import pytest
import redis
import redis.connection
from flask import Flask, Response
from flask.testing import FlaskClient

from core.redis_conn import get_redis
from telephony import twiml
from telephony.webhook import later, prefetched, twilio_webhook
from tests.twilio_signing import TwilioSigner, voice_params

KEY = "hl:test:later"
WORK: list[str] = []


@pytest.fixture
def routes(app: Flask) -> Flask:
    """Two webhooks that defer a write: one answers, one fails after deferring."""

    @app.post("/test/later")
    @twilio_webhook()
    def answers() -> Response:
        later().set(KEY, "written", ex=60)
        return twiml.xml(twiml.redirect("/next"))

    @app.post("/test/later-fails")
    @twilio_webhook()
    def fails() -> Response:
        later().set(KEY, "written", ex=60)
        raise RuntimeError("the view broke after deferring a write")

    @app.post("/test/reads")
    @twilio_webhook(reads=lambda: [KEY])
    def reads() -> Response:
        return twiml.xml(twiml.redirect(f"/next/{prefetched(KEY)}"))

    @app.post("/test/answer-first")
    @twilio_webhook(answer=lambda: twiml.redirect("/fixed"))
    def answer_first() -> Response:
        WORK.append("done")
        if len(WORK) > 1:
            raise RuntimeError("the work failed this time")
        return twiml.xml(twiml.redirect("/fixed"))

    return app


def round_trips(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Count every command or pipeline sent to Redis."""
    sent: list[int] = []
    real = redis.connection.AbstractConnection.send_packed_command

    def counted(self: Any, command: Any, check_health: bool = True) -> None:
        sent.append(1)
        real(self, command, check_health)

    monkeypatch.setattr(redis.connection.AbstractConnection, "send_packed_command", counted)
    return sent


def test_deferred_write_goes_with_the_answer(
    routes: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The claim, then the answer and the deferred write together: two round trips."""
    twilio = TwilioSigner(client, "test-auth-token", "https://helpline.example.org")
    with routes.app_context():
        get_redis().ping()  # open the pooled connection before counting
    sent = round_trips(monkeypatch)
    response = twilio.post("/test/later", voice_params(), token="later-1")
    assert response.status_code == 200
    assert len(sent) == 2
    store = redis.Redis.from_url(routes.config["REDIS_URL"], decode_responses=True)
    assert store.get(KEY) == "written"
    store.delete(KEY)
    retry = twilio.post("/test/later", voice_params(), token="later-1")
    assert retry.data == response.data  # the stored answer, replayed
    assert store.get(KEY) is None  # without running the view again


def test_failed_view_drops_its_deferred_writes(routes: Flask, client: FlaskClient) -> None:
    """A view that fails after deferring a write leaves Redis as it was (the apology is kept)."""
    twilio = TwilioSigner(client, "test-auth-token", "https://helpline.example.org")
    response = twilio.post("/test/later-fails", voice_params(), token="later-2")
    assert response.status_code == 200
    store = redis.Redis.from_url(routes.config["REDIS_URL"], decode_responses=True)
    assert store.get(KEY) is None
    retry = twilio.post("/test/later-fails", voice_params(), token="later-2")
    assert retry.data == response.data  # the apology was stored for retries as before


def test_reads_travel_with_the_claim(
    routes: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A key the view needs is read in the claim's round trip: still two in all."""
    twilio = TwilioSigner(client, "test-auth-token", "https://helpline.example.org")
    store = redis.Redis.from_url(routes.config["REDIS_URL"], decode_responses=True)
    store.set(KEY, "seven")
    with routes.app_context():
        get_redis().ping()
    sent = round_trips(monkeypatch)
    response = twilio.post("/test/reads", voice_params(), token="reads-1")
    assert b"/next/seven" in response.data
    assert len(sent) == 2


def test_answer_known_first_is_the_claim(
    routes: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A settings-only answer is the claim: one round trip, retries replay it, and a
    failure still gives the fallback (kept for its retries)."""
    WORK.clear()
    twilio = TwilioSigner(client, "test-auth-token", "https://helpline.example.org")
    with routes.app_context():
        get_redis().ping()
    sent = round_trips(monkeypatch)
    first = twilio.post("/test/answer-first", voice_params(), token="first-1")
    assert len(sent) == 1 and WORK == ["done"]
    retry = twilio.post("/test/answer-first", voice_params(), token="first-1")
    assert retry.data == first.data and WORK == ["done"]
    failed = twilio.post("/test/answer-first", voice_params(), token="first-2")
    assert failed.data == twiml.apology().to_xml().encode() and WORK == ["done", "done"]
    again = twilio.post("/test/answer-first", voice_params(), token="first-2")
    assert again.data == failed.data and WORK == ["done", "done"]
