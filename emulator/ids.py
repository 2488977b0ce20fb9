"""Twilio-shaped identifiers and timestamps."""

import email.utils
import secrets
from datetime import UTC, datetime


def new_sid(prefix: str) -> str:
    """Return a sid such as CA followed by 32 lowercase hex digits."""
    return prefix + secrets.token_hex(16)


def new_token() -> str:
    """Return a fresh idempotency token for one logical webhook request."""
    return secrets.token_hex(16)


def rfc2822_now() -> str:
    """Return the current time the way Twilio formats dates (RFC 2822, not ISO)."""
    return email.utils.format_datetime(datetime.now(UTC))
