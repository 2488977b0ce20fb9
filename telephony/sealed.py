"""Seal cached webhook answers: Redis holds them encrypted, never a case's details in clear.

A status answer read out after authentication names the case's status detail and officer,
and the idempotency cache keeps each answer for a day so Twilio's retries replay it. Rather
than sort answers into sensitive and not (one missed path would leak), every cached answer
is encrypted and authenticated with a key derived from SECRET_KEY.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

from cryptography.fernet import Fernet, InvalidToken


def _fernet(secret: str) -> Fernet:
    """Derive the cache key from SECRET_KEY (a separate key, so the secret itself never leaks)."""
    derived = hmac.new(secret.encode(), b"helpline webhook cache v1", hashlib.sha256).digest()
    return Fernet(base64.urlsafe_b64encode(derived))


def seal(secret: str, answer: str) -> str:
    """Encrypt an answer for Redis."""
    return _fernet(secret).encrypt(answer.encode()).decode()


def unseal(secret: str, sealed: str) -> str | None:
    """Decrypt a cached answer; None if it was not sealed under this key (e.g. rotated)."""
    try:
        return _fernet(secret).decrypt(sealed.encode()).decode()
    except (InvalidToken, ValueError):
        return None
