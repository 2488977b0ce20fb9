"""Check X-Twilio-Signature against the URL Twilio requested (rebuilt from PUBLIC_BASE_URL)."""

from __future__ import annotations

from flask import Request
from twilio.request_validator import RequestValidator


def public_url(request: Request, public_base_url: str) -> str:
    """Rebuild the exact URL Twilio called: configured base + path + query string."""
    url = public_base_url.rstrip("/") + request.path
    query = request.query_string.decode("latin-1")
    return f"{url}?{query}" if query else url


def is_valid(request: Request, auth_token: str, public_base_url: str) -> bool:
    """Say whether the request carries a valid Twilio signature."""
    signature = request.headers.get("X-Twilio-Signature", "")
    if not signature:
        return False
    params = request.form if request.method == "POST" else {}
    validator = RequestValidator(auth_token)
    return validator.validate(public_url(request, public_base_url), params, signature)
