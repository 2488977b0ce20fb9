"""Log lines as text or JSON, each tagged with the request id and CallSid, never personal data.

`LOG_FORMAT=json` gives one object per line: timestamp, level, logger, message, request_id
and call_sid (inside a request), plus route, method, status and duration_ms on access lines.
The app logs phone numbers masked and never case details; as a last guard, any run of seven
or more digits (a phone number, a crime reference) is masked here too.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import sys
import uuid
from typing import Any, TextIO

from flask import Flask, Response, g, has_request_context, request

from ops.metrics import elapsed, route

HANDLER_NAME = "helpline"
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"
ACCESS_FIELDS = ("route", "method", "status", "duration_ms")
REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")
CALL_SID = re.compile(r"CA[0-9a-fA-F]{32}")
# Seven or more digits, maybe with spaces or slashes between, not inside a longer token.
DIGIT_RUN = re.compile(r"(?<![\w/+])\+?\d(?:[ /]?\d){6,}(?![\w/])")
access_log = logging.getLogger("helpline.access")


def init_app(app: Flask) -> None:
    """Send the root logger's lines to stderr in LOG_FORMAT; tag and log every request."""
    configure(app.config["LOG_FORMAT"])
    app.before_request(_tag_request)
    app.after_request(_log_request)


def configure(log_format: str) -> None:
    """Install (once per process) the handler that writes every log line in `log_format`."""
    root = logging.getLogger()
    handler = next((h for h in root.handlers if h.get_name() == HANDLER_NAME), None)
    if handler is None:
        handler = _StderrHandler()
        handler.set_name(HANDLER_NAME)
        root.addHandler(handler)
    handler.setFormatter(JsonFormatter() if log_format == "json" else TextFormatter(TEXT_FORMAT))
    root.setLevel(logging.INFO)


def mask_digits(text: str) -> str:
    """Mask all but the last three digits of every long digit run (as numbers.mask does)."""
    return DIGIT_RUN.sub(lambda m: "*" * (len(m.group()) - 3) + m.group()[-3:], text)


class _StderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Write to whatever sys.stderr is now (test runners and servers swap it)."""

    @property  # type: ignore[override]
    def stream(self) -> TextIO:
        return sys.stderr

    @stream.setter
    def stream(self, _value: TextIO) -> None:
        pass


class TextFormatter(logging.Formatter):
    """The classic line, with long digit runs masked."""

    def format(self, record: logging.LogRecord) -> str:
        return mask_digits(super().format(record))


class JsonFormatter(logging.Formatter):
    """One JSON object per line."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "timestamp": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": mask_digits(record.getMessage()),
            **_request_context(),
        }
        entry |= {name: getattr(record, name) for name in ACCESS_FIELDS if hasattr(record, name)}
        if record.exc_info:
            entry["exception"] = mask_digits(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False)


def _request_context() -> dict[str, str]:
    if not has_request_context():
        return {}
    tags = {"request_id": g.get("request_id"), "call_sid": g.get("call_sid")}
    return {key: value for key, value in tags.items() if value}


def _tag_request() -> None:
    """Take the proxy's X-Request-Id if it is sane, else make one; note a valid CallSid."""
    given = request.headers.get("X-Request-Id", "")
    g.request_id = given if REQUEST_ID.fullmatch(given) else uuid.uuid4().hex
    sid = request.values.get("CallSid", "")
    g.call_sid = sid if CALL_SID.fullmatch(sid) else None


def _log_request(response: Response) -> Response:
    """Echo the request id and log one access line (not for probes and scrapes)."""
    response.headers["X-Request-Id"] = g.get("request_id", "")
    seconds = elapsed()
    if seconds is None or request.blueprint == "ops":
        return response
    fields = {
        "route": route(),
        "method": request.method,
        "status": response.status_code,
        "duration_ms": round(seconds * 1000, 1),
    }
    access_log.info("%(method)s %(route)s %(status)s %(duration_ms)sms", fields, extra=fields)
    return response
