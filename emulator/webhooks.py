"""Send signed webhooks the way Twilio does: form posts, signatures, idempotency, retries."""

from __future__ import annotations

import time
import urllib.parse
from dataclasses import dataclass
from typing import TYPE_CHECKING

import requests
from twilio.request_validator import RequestValidator

from emulator.ids import new_token

if TYPE_CHECKING:
    from emulator.call import EmulatedCall
    from emulator.faults import FaultLog

# Twilio retries a request only when the connection failed (refused, reset, connect timeout),
# never after an HTTP answer or a read timeout: the application may have acted already.
# https://www.twilio.com/docs/usage/webhooks/webhooks-connection-overrides
CONNECTION_FAILED = "connection-failed"


@dataclass
class Reply:
    """What the application answered to one webhook."""

    status: int
    content_type: str
    body: str
    latency: float
    url: str


class WebhookClient:
    """Deliver webhooks for calls and record latency and failures."""

    def __init__(self, account_sid: str, auth_token: str, slow_seconds: float, faults: FaultLog):
        self.account_sid = account_sid
        self.validator = RequestValidator(auth_token)
        self.slow_seconds = slow_seconds
        self.faults = faults
        self.session = requests.Session()

    def send(
        self, call: EmulatedCall | None, url: str, method: str, params: dict[str, str]
    ) -> Reply | None:
        """Request url with params; return the reply or None when no usable reply came."""
        url, overrides = split_fragment(url)
        params = {"AccountSid": self.account_sid, **params}
        token = new_token()
        attempts = 1 + int(overrides.get("rc", "1"))
        reply: Reply | None = None
        for attempt in range(attempts):
            outcome = self._attempt(call, url, method.upper(), params, token, attempt)
            if outcome != CONNECTION_FAILED:
                reply = outcome if isinstance(outcome, Reply) else None
                break
        return reply

    def _attempt(
        self,
        call: EmulatedCall | None,
        url: str,
        method: str,
        params: dict[str, str],
        token: str,
        attempt: int,
    ) -> Reply | str | None:
        """Make one HTTP attempt and log it; CONNECTION_FAILED when a retry is due."""
        request_url, body = _place_params(url, method, params)
        headers = {
            "X-Twilio-Signature": self.validator.compute_signature(request_url, body),
            "I-Twilio-Idempotency-Token": token,
            "User-Agent": "TwilioProxy/1.1 (Helpline emulator)",
        }
        sid = call.sid if call else None
        sent_at = call.clock.now() if call else 0.0
        started = time.monotonic()
        try:
            resp = self.session.request(
                method,
                request_url,
                data=body or None,
                headers=headers,
                timeout=self.slow_seconds,
                allow_redirects=False,
            )
        except requests.ConnectionError as exc:  # ConnectTimeout included
            self.faults.record(sid, "connection", str(exc), url=url, attempt=attempt)
            return CONNECTION_FAILED
        except requests.Timeout:
            self.faults.record(
                sid, "slow-webhook", f"no reply within {self.slow_seconds}s", url=url
            )
            return None
        except requests.RequestException as exc:
            self.faults.record(sid, "connection", str(exc), url=url)
            return None
        latency = time.monotonic() - started
        reply = Reply(
            resp.status_code, resp.headers.get("Content-Type", ""), resp.text, latency, url
        )
        if call is not None:
            call.log(
                "webhook",
                url=request_url,
                method=method,
                status=resp.status_code,
                latency=round(latency, 4),
                attempt=attempt,
                sent=round(sent_at, 3),
            )
        if latency > self.slow_seconds:
            self.faults.record(sid, "slow-webhook", f"took {latency:.2f}s", url=url)
        return reply


def split_fragment(url: str) -> tuple[str, dict[str, str]]:
    """Strip Twilio's #ct=..&rc=.. connection overrides from a URL."""
    base, _, fragment = url.partition("#")
    return base, dict(urllib.parse.parse_qsl(fragment))


def _place_params(url: str, method: str, params: dict[str, str]) -> tuple[str, dict[str, str]]:
    """Put params in the body for POST, or append them to the query string for GET."""
    if method == "POST":
        return url, params
    sep = "&" if urllib.parse.urlsplit(url).query else "?"
    return url + sep + urllib.parse.urlencode(params), {}
