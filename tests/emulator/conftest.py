"""Fixtures: a stub Twilio-webhook app on a real loopback port, and an Emulator pointed at it."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from flask import Flask, Response, request
from werkzeug.serving import make_server

from emulator import Emulator

ACCOUNT_SID = "AC" + "0" * 32
AUTH_TOKEN = "secret"
HELPLINE_NUMBER = "+442071838750"
SPEC_PATH = "/work/shared/twilio-oai/twilio_api_v2010.json"
TIME_SCALE = 0.02

Handler = Callable[["Hit"], "str | Response"]


@dataclass
class Hit:
    """One request the stub app received."""

    method: str
    path: str
    url: str
    form: dict[str, str]
    args: dict[str, str]
    headers: dict[str, str]
    at: float = field(default_factory=time.monotonic)

    @property
    def params(self) -> dict[str, str]:
        """Return the Twilio parameters wherever they were sent."""
        return self.form if self.method == "POST" else self.args


class StubApp:
    """A tiny Helpline stand-in: canned TwiML per path, and a log of every request."""

    def __init__(self) -> None:
        self.routes: dict[str, str | Handler] = {}
        self.hits: list[Hit] = []
        self.app = Flask("stub")
        self.app.add_url_rule("/<path:path>", "any", self._serve, methods=["GET", "POST"])
        self._server = make_server("127.0.0.1", 0, self.app, threaded=True)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def on(self, path: str, reply: str | Handler) -> None:
        """Answer requests to path with TwiML (wrapped in <Response>) or a handler's result."""
        self.routes[path] = reply

    def to(self, path: str) -> list[Hit]:
        """Return the requests made to path."""
        return [h for h in list(self.hits) if h.path == path]

    def _serve(self, path: str) -> Response:
        """Record the request and answer it."""
        hit = Hit(
            request.method,
            "/" + path,
            request.url,
            request.form.to_dict(),
            request.args.to_dict(),
            dict(request.headers),
        )
        self.hits.append(hit)
        reply = self.routes.get(hit.path, "")
        body = reply(hit) if callable(reply) else reply
        if isinstance(body, Response):
            return body
        return Response(
            f"<?xml version='1.0' encoding='UTF-8'?><Response>{body}</Response>",
            mimetype="text/xml",
        )

    def start(self) -> None:
        """Start serving."""
        self._thread.start()

    def stop(self) -> None:
        """Stop serving."""
        self._server.shutdown()
        self._server.server_close()


@pytest.fixture
def stub() -> Iterator[StubApp]:
    """Serve a stub Helpline app on a loopback port."""
    app = StubApp()
    app.start()
    yield app
    app.stop()


def make_emulator(stub: StubApp, **options: Any) -> Emulator:
    """Build a fast emulator pointed at the stub app."""
    settings: dict[str, Any] = {"time_scale": TIME_SCALE, "openapi_spec": None}
    settings.update(options)
    return Emulator(
        helpline_url=stub.url,
        account_sid=ACCOUNT_SID,
        auth_token=AUTH_TOKEN,
        helpline_number=HELPLINE_NUMBER,
        **settings,
    )


@pytest.fixture
def emu(stub: StubApp) -> Iterator[Emulator]:
    """Run an emulator (REST server included) against the stub app."""
    emulator = make_emulator(stub)
    emulator.start()
    yield emulator
    emulator.stop()


@pytest.fixture
def spec_path() -> str:
    """Return the Twilio OpenAPI spec path, skipping when it is not available."""
    path = os.environ.get("TWILIO_OPENAPI_SPEC", SPEC_PATH)
    if not os.path.exists(path):
        pytest.skip("Twilio OpenAPI spec not available")
    return path


def rest(emu: Emulator, method: str, resource: str, data: Any = None, auth: Any = None) -> Any:
    """Call the emulator's REST API under the account, e.g. rest(emu, "POST", "Calls.json")."""
    import requests

    url = f"{emu.base_url}/2010-04-01/Accounts/{ACCOUNT_SID}/{resource}"
    return requests.request(
        method, url, data=data, auth=auth or (ACCOUNT_SID, AUTH_TOKEN), timeout=10
    )


def wait_until(predicate: Callable[[], Any], timeout: float = 10.0) -> Any:
    """Poll until predicate() is truthy; fail the test on timeout."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.01)
    raise AssertionError("condition not met in time")
