"""The only door to Twilio's REST API; honours TWILIO_API_BASE_URL (emulator, tests)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask import Flask, current_app
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

TWILIO_API = "https://api.twilio.com"


class _RebasedHttpClient(TwilioHttpClient):
    """Send requests meant for api.twilio.com to another base URL."""

    def __init__(self, base_url: str) -> None:
        super().__init__(timeout=10)
        self._base = base_url.rstrip("/")

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> Any:
        if url.startswith(TWILIO_API):
            url = self._base + url[len(TWILIO_API) :]
        return super().request(method, url, *args, **kwargs)


class TwilioPort:
    """Calls, queue members and messages: the REST operations Helpline uses."""

    def __init__(
        self, account_sid: str, auth_token: str, base_url: str | None, from_number: str
    ) -> None:
        http_client = _RebasedHttpClient(base_url) if base_url else TwilioHttpClient(timeout=10)
        self.client = Client(account_sid, auth_token, http_client=http_client)
        self.from_number = from_number

    def create_call(
        self,
        to: str,
        url: str,
        *,
        status_callback: str | None = None,
        events: Sequence[str] = ("completed",),
        timeout: int = 30,
        machine_detection: str | None = None,
        amd_callback: str | None = None,
    ) -> str:
        """Start an outbound call from the helpline number; return its CallSid.

        `machine_detection` is Twilio's mode (Enable or DetectMessageEnd); with `amd_callback`
        detection runs asynchronously (AsyncAmd): the Url TwiML starts at once and the
        result is posted there.
        """
        kwargs: dict[str, Any] = {
            "to": to,
            "from_": self.from_number,
            "url": url,
            "timeout": timeout,
        }
        if status_callback:
            kwargs |= {"status_callback": status_callback, "status_callback_event": list(events)}
        if machine_detection:
            kwargs["machine_detection"] = machine_detection
        if machine_detection and amd_callback:
            kwargs |= {"async_amd": "true", "async_amd_status_callback": amd_callback}
        return self.client.calls.create(**kwargs).sid

    def redirect_call(self, call_sid: str, url: str) -> None:
        """Send a live call to new TwiML (it leaves any queue it waits in)."""
        self.client.calls(call_sid).update(url=url, method="POST")

    def hang_up(self, call_sid: str) -> None:
        """End a live call."""
        self.client.calls(call_sid).update(status="completed")

    def dequeue(self, queue_sid: str, call_sid: str, url: str) -> None:
        """Take a member out of a Twilio queue to new TwiML."""
        self.client.queues(queue_sid).members(call_sid).update(url=url, method="POST")

    def send_sms(self, to: str, body: str) -> str:
        """Send a text from the helpline number; return the message SID."""
        return self.client.messages.create(to=to, from_=self.from_number, body=body).sid


def get_port(app: Flask | None = None) -> TwilioPort:
    """Return the app's TwilioPort, built once per app."""
    app = app or current_app
    port = app.extensions.get("helpline.twilio")
    if port is None:
        config = app.config
        port = TwilioPort(
            config["TWILIO_ACCOUNT_SID"],
            config["TWILIO_AUTH_TOKEN"],
            config["TWILIO_API_BASE_URL"],
            config["HELPLINE_NUMBER"],
        )
        app.extensions["helpline.twilio"] = port
    return port
