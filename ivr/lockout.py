"""Lock crime references and caller numbers that fail authentication too often (in Redis)."""

from __future__ import annotations

import hashlib
import hmac
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Any

import redis

PREFIX = "hl:{ivr}"
# Withheld numbers share no counter: locking every withheld caller together would shut out
# the victims most likely to withhold their number.
NO_NUMBER = "-"


@dataclass(frozen=True)
class Limits:
    """Failures allowed within a window before a lock of a given length (seconds)."""

    failures: int
    window: int
    lock: int

    def argv(self) -> list[int]:
        """Return the script arguments: limit, window (ms), lock (ms)."""
        return [self.failures, self.window * 1000, self.lock * 1000]


@dataclass(frozen=True)
class Policy:
    """Limits per reference and per caller number, and the secret that names their keys."""

    reference: Limits
    number: Limits
    secret: str = ""

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> Policy:
        """Read the LOCKOUT_* settings."""
        return cls(
            reference=Limits(
                config["LOCKOUT_REFERENCE_FAILURES"],
                config["LOCKOUT_REFERENCE_WINDOW"],
                config["LOCKOUT_REFERENCE_SECONDS"],
            ),
            number=Limits(
                config["LOCKOUT_NUMBER_FAILURES"],
                config["LOCKOUT_NUMBER_WINDOW"],
                config["LOCKOUT_NUMBER_SECONDS"],
            ),
            secret=str(config["SECRET_KEY"]),
        )


def _tag(secret: str, kind: str, value: str | None) -> str:
    """Name a counter by a keyed hash, so Redis never holds crime references or numbers."""
    if not value:
        return NO_NUMBER
    digest = hmac.new(secret.encode(), f"{kind}:{value}".encode(), hashlib.sha256)
    return digest.hexdigest()[:32]


def keys(policy: Policy, reference: str | None, number: str | None) -> list[str]:
    """Return the failure and lock keys for a reference and a caller number."""
    ref, num = _tag(policy.secret, "ref", reference), _tag(policy.secret, "num", number)
    return [
        f"{PREFIX}:fails:ref:{ref}",
        f"{PREFIX}:lock:ref:{ref}",
        f"{PREFIX}:fails:num:{num}",
        f"{PREFIX}:lock:num:{num}",
    ]


_SCRIPT = resources.files("ivr").joinpath("lua/record_failure.lua").read_text()


def _script(client: redis.Redis) -> Any:
    """Bind the script to this client (only hashes it; EVALSHA loads it on first use)."""
    return client.register_script(_SCRIPT)


def record_failure(
    client: redis.Redis, policy: Policy, reference: str | None, number: str | None, now_ms: int
) -> tuple[bool, bool]:
    """Count a failed attempt; return (reference locked, number locked) afterwards."""
    ref_limits = policy.reference.argv() if reference else [0, 0, 0]
    num_limits = policy.number.argv() if number else [0, 0, 0]
    args = [now_ms, uuid.uuid4().hex, *ref_limits, *num_limits]
    ref_locked, num_locked = _script(client)(keys=keys(policy, reference, number), args=args)
    return bool(ref_locked), bool(num_locked)


def is_locked(
    client: redis.Redis, policy: Policy, reference: str | None, number: str | None
) -> bool:
    """Say whether this reference or this caller number is locked out."""
    names = keys(policy, reference, number)
    ref_lock, num_lock = client.mget(names[1], names[3])
    return (reference is not None and ref_lock is not None) or (
        number is not None and num_lock is not None
    )
