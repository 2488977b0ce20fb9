"""/metrics: who may read it, and that it shows the helpline's series after real calls."""

from __future__ import annotations

import datetime as dt
import socket
import time
from collections.abc import Callable
from typing import Any

import pytest
import requests
from flask import Flask
from flask.testing import FlaskClient
from prometheus_client.parser import text_string_to_metric_families

from callbacks.models import CallbackRequest
from consoles.login_throttle import Throttle, count_failure
from core.clock import now
from core.jobs import queue
from core.redis_conn import get_redis
from telephony.twilio_port import get_port
from telephony.webhook import twilio_webhook
from tests.acd_helpers import add_agent, make_available, open_desk, queue_call
from tests.ivr_support import DOB, REF, authenticate, new_sid, seed_demo
from tests.twilio_signing import TwilioSigner, voice_params

TOKEN = "metrics-test-token"
Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]
SERIES = (
    "helpline_http_request_duration_seconds",
    "helpline_calls_queued_total",
    "helpline_calls_answered_total",
    "helpline_calls_abandoned_total",
    "helpline_calls_self_served_total",
    "helpline_queue_waiting",
    "helpline_queue_longest_wait_seconds",
    "helpline_agents",
    "helpline_agents_staffed",
    "helpline_callbacks_pending",
    "helpline_callbacks_due",
    "helpline_callbacks_in_progress",
    "helpline_callbacks_finished_total",
    "helpline_lockouts_active",
    "helpline_console_lockouts_active",
    "helpline_twilio_rest_errors_total",
    "helpline_job_failures_total",
    "helpline_webhook_fallbacks_total",
    "helpline_metrics_source_up",
    "helpline_worker_up",
)


@pytest.fixture
def config(config: dict[str, Any]) -> dict[str, Any]:
    """The suite's settings plus a metrics token."""
    return {**config, "METRICS_TOKEN": TOKEN}


def parse(text: str) -> Samples:
    """Index every sample by name and labels."""
    samples: Samples = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def exposition(client: FlaskClient) -> str:
    """Read /metrics as Prometheus would."""
    response = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 200
    assert response.mimetype == "text/plain"
    return response.get_data(as_text=True)


def scrape(client: FlaskClient) -> Samples:
    """Read /metrics and index its samples."""
    return parse(exposition(client))


def declared(text: str) -> set[str]:
    """Return the metric names the exposition declares (# TYPE lines), samples or not."""
    return {line.split()[2] for line in text.splitlines() if line.startswith("# TYPE ")}


def value(samples: Samples, name: str, **labels: str) -> float:
    """Return one sample's value (0 when the series is absent)."""
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def latency_count(samples: Samples, route: str) -> float:
    """Sum the request count of one route over methods and statuses."""
    return sum(
        v
        for (name, labels), v in samples.items()
        if name == "helpline_http_request_duration_seconds_count" and ("route", route) in labels
    )


def until(check: Callable[[], Any], what: str, timeout: float = 30) -> Any:
    """Poll until check() is truthy."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def test_metrics_not_served_without_a_token_setting(make_app: Callable[..., Flask]) -> None:
    """With METRICS_TOKEN unset (the default), /metrics does not exist to anyone."""
    client = make_app(METRICS_TOKEN=None).test_client()
    assert client.get("/metrics").status_code == 404
    assert client.get("/metrics", headers={"Authorization": "Bearer "}).status_code == 404


@pytest.mark.parametrize(
    "header", [None, "Bearer wrong", f"Basic {TOKEN}", TOKEN, f"Bearer {TOKEN}x"]
)
def test_metrics_refuse_a_wrong_token(client: FlaskClient, header: str | None) -> None:
    """Only `Authorization: Bearer <METRICS_TOKEN>` reads the metrics."""
    headers = {"Authorization": header} if header else {}
    response = client.get("/metrics", headers=headers)
    assert response.status_code == 401
    assert b"helpline_" not in response.data


def test_metrics_list_every_series_on_an_idle_desk(client: FlaskClient) -> None:
    """Every documented series is there from the start (at 0), so alerts have something."""
    client.get("/healthz")
    text = exposition(client)
    assert set(SERIES) <= declared(text)
    samples = parse(text)
    assert value(samples, "helpline_metrics_source_up", source="redis") == 1
    assert value(samples, "helpline_metrics_source_up", source="database") == 1
    assert value(samples, "helpline_queue_waiting", kind="call") == 0
    assert value(samples, "helpline_agents", state="available") == 0
    assert value(samples, "helpline_worker_up") == 0
    assert ("helpline_twilio_rest_errors_total", (("status", "unreachable"),)) in samples


def test_queue_and_agent_gauges_read_the_acd(app: Flask, client: FlaskClient, port: Any) -> None:
    """Waiting calls, the longest wait and agents by state come from the ACD's live state."""
    open_desk(app)
    add_agent(app, "alice")
    bob = add_agent(app, "bob")
    queue_call(app, 1)
    queue_call(app, 2)
    time.sleep(0.3)
    samples = scrape(client)
    assert value(samples, "helpline_queue_waiting", kind="call") == 2
    assert value(samples, "helpline_queue_waiting", kind="cb") == 0
    assert value(samples, "helpline_queue_longest_wait_seconds", kind="call") >= 0.3
    make_available(app, bob)  # takes the first call: one waits, bob is reserved
    samples = scrape(client)
    assert value(samples, "helpline_queue_waiting", kind="call") == 1
    assert value(samples, "helpline_agents", state="reserved") == 1
    assert value(samples, "helpline_agents_staffed") == 1


def test_callback_gauges_and_totals_read_the_database(app: Flask, client: FlaskClient) -> None:
    """Pending, due and in-progress callbacks, and finished ones by how they ended."""
    at = now()
    rows = [
        ("pending", at - dt.timedelta(minutes=1)),
        ("pending", at + dt.timedelta(hours=2)),
        ("in_progress", at),
        ("failed", at),
        ("expired", at),
    ]
    with app.extensions["helpline.sessionmaker"]() as session:
        for n, (state, not_before) in enumerate(rows):
            session.add(
                CallbackRequest(
                    victim_key=f"v{n}",
                    phone_e164="+447700900123",
                    priority=1,
                    virtual_start_at=at,
                    requested_at=at,
                    not_before=not_before,
                    expires_at=at + dt.timedelta(days=7),
                    state=state,
                )
            )
        session.commit()
    samples = scrape(client)
    assert value(samples, "helpline_callbacks_pending") == 2
    assert value(samples, "helpline_callbacks_due") == 1
    assert value(samples, "helpline_callbacks_in_progress") == 1
    assert value(samples, "helpline_callbacks_finished_total", state="failed") == 1
    assert value(samples, "helpline_callbacks_finished_total", state="expired") == 1
    assert value(samples, "helpline_callbacks_finished_total", state="completed") == 0


def test_lockouts_in_force_are_counted(
    app: Flask, client: FlaskClient, twilio: TwilioSigner
) -> None:
    """A crime reference locked by wrong dates of birth, and a throttled console login, show."""
    seed_demo(app)
    failures = app.config["LOCKOUT_REFERENCE_FAILURES"]
    for _ in range(failures):
        authenticate(twilio, REF, "01011901", sid=new_sid())
    throttle = Throttle.from_config(app.config)
    for _ in range(throttle.client_failures):
        count_failure(get_redis(app), throttle, 7, "192.0.2.1")
    samples = scrape(client)
    assert value(samples, "helpline_lockouts_active", kind="reference") == 1
    assert value(samples, "helpline_lockouts_active", kind="number") == 0
    assert value(samples, "helpline_console_lockouts_active", scope="client") == 1
    assert value(samples, "helpline_console_lockouts_active", scope="user") == 0
    assert authenticate(twilio, REF, DOB, sid=new_sid()) is not None


def test_webhook_fallbacks_are_counted(app: Flask, twilio: TwilioSigner) -> None:
    """A webhook that fails still answers TwiML, and the failure is counted by route."""

    @app.post("/test/broken")
    @twilio_webhook()
    def broken() -> Any:
        raise RuntimeError("a bug")

    response = twilio.post("/test/broken", voice_params())
    assert response.status_code == 200 and response.mimetype == "text/xml"
    samples = scrape(app.test_client())
    assert value(samples, "helpline_webhook_fallbacks_total", route="/test/broken") == 1


@pytest.mark.slow
def test_twilio_rest_errors_are_counted(app: Flask, phone: Any, client: FlaskClient) -> None:
    """A REST request Twilio refuses (404) and one that cannot reach Twilio both count."""
    from twilio.base.exceptions import TwilioException

    with app.app_context(), pytest.raises(TwilioException):
        get_port(app).redirect_call("CA" + "0" * 32, "https://example.org/next")
    app.config["TWILIO_API_BASE_URL"] = f"http://127.0.0.1:{closed_port()}"
    app.extensions.pop("helpline.twilio", None)
    with app.app_context(), pytest.raises(requests.ConnectionError):
        get_port(app).redirect_call("CA" + "0" * 32, "https://example.org/next")
    samples = scrape(client)
    assert value(samples, "helpline_twilio_rest_errors_total", status="404") == 1
    assert value(samples, "helpline_twilio_rest_errors_total", status="unreachable") == 1


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def explode() -> None:
    """A job that fails (run by the real worker in the test below)."""
    raise RuntimeError("job failed on purpose")


@pytest.mark.slow
def test_job_failures_are_counted(app: Flask, worker: Any, client: FlaskClient) -> None:
    """A job that raises in the real worker is counted under its function's name."""
    queue(app).enqueue(explode)

    def counted() -> float:
        failures = value(scrape(client), "helpline_job_failures_total", job=f"{__name__}.explode")
        return failures

    assert until(counted, "the failure to be counted", 90) == 1
    assert value(scrape(client), "helpline_worker_up") == 1


@pytest.mark.slow
def test_series_after_emulated_calls(
    app: Flask, phone: Any, client: FlaskClient, request: pytest.FixtureRequest
) -> None:
    """After a self-served call, an answered call and an abandoned one, /metrics shows them."""
    from emulator import Caller, Party
    from tests.test_acd_e2e import stand_in_ivr

    seed_demo(app)
    app.config.update(ACD_WRAP_UP_SECONDS=60, ACD_RING_SECONDS=5, ACD_ANNOUNCE_SECONDS=0)
    open_desk(app)
    stand_in_ivr(app)
    # The hold loop asks a worker to route; it starts last, with the settings above.
    request.getfixturevalue("worker")
    before = scrape(client)
    served = phone.dial(
        from_="+447700900123", caller=Caller.scripted(["1", "1", "1234567*24#", "01021980#", "5"])
    )
    assert served.wait(timeout=30)
    zed = add_agent(app, "zed")  # the demo roster has an Alice already
    phone.add_party("client:zed", Party(answer_after=1, talk_for=1))
    make_available(app, zed)
    phone.voice_path = "/test/ivr"
    answered = phone.dial(from_="+447700900001", caller=Caller.scripted([]))
    assert answered.wait(timeout=30)
    # Zed is wrapping up (60 s), so the next caller waits, then gives up.
    abandoned = phone.dial(
        from_="+447700900005", caller=Caller.scripted([], hangup_in_queue_after=3)
    )
    assert abandoned.wait(timeout=30)

    def settled() -> Samples | None:
        samples = scrape(client)
        done = value(samples, "helpline_calls_abandoned_total") == 1
        return samples if done and value(samples, "helpline_calls_self_served_total") else None

    samples = until(settled, "the calls' outcomes")
    assert value(samples, "helpline_calls_self_served_total") == 1
    assert value(samples, "helpline_calls_queued_total") == 2
    assert value(samples, "helpline_calls_answered_total") == 1
    assert value(samples, "helpline_calls_abandoned_total") == 1
    assert value(samples, "helpline_agents", state="wrap_up") == 1
    assert value(samples, "helpline_queue_waiting", kind="call") == 0
    assert latency_count(samples, "/voice/incoming") - latency_count(before, "/voice/incoming") == 1
    assert (
        latency_count(samples, "/voice/queue/join") - latency_count(before, "/voice/queue/join")
        == 2
    )
    assert latency_count(samples, "/voice/status") > latency_count(before, "/voice/status")
    assert set(SERIES) <= declared(exposition(client))
