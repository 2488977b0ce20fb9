"""Sign and post webhooks as Twilio does, for tests that talk to one endpoint."""

from __future__ import annotations

import uuid
from typing import Any

from flask.testing import FlaskClient
from twilio.request_validator import RequestValidator
from werkzeug.test import TestResponse

CALL_SID = "CA" + "a" * 32


def voice_params(**overrides: str) -> dict[str, str]:
    """Return the parameters Twilio sends on an inbound voice webhook."""
    params = {
        "CallSid": CALL_SID,
        "AccountSid": "AC" + "1" * 32,
        "From": "+447700900123",
        "To": "+442071838750",
        "Caller": "+447700900123",
        "Called": "+442071838750",
        "CallStatus": "ringing",
        "Direction": "inbound",
        "ApiVersion": "2010-04-01",
        "FromCity": "",
        "FromCountry": "GB",
        "CallerZip": "",
    }
    params.update(overrides)
    return params


class TwilioSigner:
    """Post to the app with a valid X-Twilio-Signature for the public URL."""

    def __init__(self, client: FlaskClient, auth_token: str, public_base_url: str) -> None:
        self.client = client
        self.validator = RequestValidator(auth_token)
        self.public_base_url = public_base_url

    def signature(self, path: str, params: dict[str, Any]) -> str:
        """Compute the signature Twilio would send for this path and form."""
        return self.validator.compute_signature(self.public_base_url + path, params)

    def post(
        self,
        path: str,
        params: dict[str, Any],
        token: str | None = None,
        signature: str | None = None,
    ) -> TestResponse:
        """POST a signed webhook; `token` is the idempotency token (fresh if omitted)."""
        headers = {
            "X-Twilio-Signature": signature or self.signature(path, params),
            "I-Twilio-Idempotency-Token": token or str(uuid.uuid4()),
        }
        return self.client.post(path, data=params, headers=headers)
