"""LOG_FORMAT=json: one object per line, tagged with request id and CallSid, no personal data."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask

from core import config as settings
from ops.logs import mask_digits
from tests.conftest import AUTH_TOKEN, PUBLIC_BASE_URL
from tests.ivr_support import REF, seed_demo
from tests.twilio_signing import TwilioSigner, voice_params

CALLER = "+447700900123"
SID = "CA" + "b" * 32


@pytest.fixture
def json_app(app: Flask, make_app: Callable[..., Flask]) -> Flask:
    """The app logging JSON (on the stores the `app` fixture cleans)."""
    return seed_demo(make_app(LOG_FORMAT="json"))


def post(app: Flask, path: str, headers: dict[str, str] | None = None, **params: str) -> Any:
    """Post a signed voice webhook, with extra headers."""
    signer = TwilioSigner(app.test_client(), AUTH_TOKEN, PUBLIC_BASE_URL)
    form = voice_params(CallSid=SID, From=CALLER, Caller=CALLER, **params)
    signed = {"X-Twilio-Signature": signer.signature(path, form), **(headers or {})}
    return app.test_client().post(path, data=form, headers=signed)


def lines(err: str) -> list[dict[str, Any]]:
    """Parse captured stderr: every line must be one JSON object."""
    return [json.loads(line) for line in err.splitlines() if line.strip()]


def test_webhook_logs_one_json_line_with_ids(
    json_app: Flask, capsys: pytest.CaptureFixture[str]
) -> None:
    """A webhook logs one line carrying the request id, CallSid and route, and no number."""
    capsys.readouterr()
    response = post(json_app, "/voice/incoming", {"X-Request-Id": "lb-4f2a.77"})
    assert response.status_code == 200
    assert response.headers["X-Request-Id"] == "lb-4f2a.77"
    err = capsys.readouterr().err
    tagged = [entry for entry in lines(err) if entry.get("request_id") == "lb-4f2a.77"]
    assert len(tagged) == 1
    entry = tagged[0]
    assert entry["call_sid"] == SID
    assert entry["route"] == "/voice/incoming" and entry["status"] == 200
    assert {"timestamp", "level", "logger", "message", "duration_ms"} <= set(entry)
    assert CALLER[1:] not in err and "7700900" not in err


def test_keyed_reference_never_reaches_the_log(
    json_app: Flask, capsys: pytest.CaptureFixture[str]
) -> None:
    """Keying a crime reference and a wrong date of birth logs neither."""
    post(json_app, "/voice/ivr/menu", Digits="1")
    capsys.readouterr()
    post(json_app, "/voice/ivr/reference", Digits=REF)
    post(json_app, "/voice/ivr/date-of-birth", Digits="17031962")
    err = capsys.readouterr().err
    assert len(lines(err)) >= 2
    assert REF.split("*")[0] not in err and "17031962" not in err and "1962" not in err


def test_request_id_is_made_when_missing_or_unsafe(json_app: Flask) -> None:
    """Without a usable X-Request-Id (absent, spaces, too long) a fresh one is made."""
    seen = set()
    for given in (None, "two words", "x" * 129, "bad\u00e9"):
        headers = {"X-Request-Id": given} if given else {}
        made = json_app.test_client().get("/healthz", headers=headers).headers["X-Request-Id"]
        assert made != given and len(made) == 32 and int(made, 16) >= 0
        seen.add(made)
    assert len(seen) == 4


def test_exceptions_are_one_line_and_masked(
    json_app: Flask, capsys: pytest.CaptureFixture[str]
) -> None:
    """An error with a traceback is still one JSON line, with numbers masked in both parts."""
    with json_app.test_request_context("/voice/status", method="POST", data={"CallSid": SID}):
        json_app.preprocess_request()
        capsys.readouterr()
        try:
            raise ValueError(f"cannot call {CALLER}")
        except ValueError:
            logging.getLogger("helpline.test").exception("failed for %s", "07700 900123")
    (entry,) = lines(capsys.readouterr().err)
    assert entry["level"] == "ERROR" and entry["call_sid"] == SID
    assert entry["message"] == "failed for *********123"
    assert "ValueError" in entry["exception"] and CALLER not in entry["exception"]


def test_mask_digits_spares_ids_and_times() -> None:
    """Phone numbers and crime references are masked; SIDs, times and small numbers are not."""
    assert mask_digits("from +447700900123 ref 8000002/24") == "from **********123 ref *******/24"
    assert "447700900" not in mask_digits("from +447700900123")
    assert "8000002" not in mask_digits("ref 8000002/24 and 12/345678/24")
    assert "345678" not in mask_digits("ref 12/345678/24")
    kept = f"{SID} at 2026-12-02T11:22:03 took 1234.5ms on port 5432 job 42"
    assert mask_digits(kept) == kept


def test_log_format_accepts_only_text_or_json() -> None:
    """An unknown LOG_FORMAT stops start-up with a clear message."""
    assert settings.load({"LOG_FORMAT": "JSON"})["LOG_FORMAT"] == "json"
    with pytest.raises(settings.ConfigError, match="LOG_FORMAT"):
        settings.load({"LOG_FORMAT": "xml"})
