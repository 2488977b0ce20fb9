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
# Withheld (or unparseable) numbers share no counter: locking every withheld caller together
# would shut out the victims most likely to withhold their number. Instead each reference has
# a tighter daily limit on failures from withheld numbers, which locks only withheld callers
# of that one reference (LOCKOUT_WITHHELD_*).
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
    withheld: Limits
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
            withheld=Limits(
                config["LOCKOUT_WITHHELD_FAILURES"],
                config["LOCKOUT_WITHHELD_WINDOW"],
                config["LOCKOUT_WITHHELD_SECONDS"],
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
    """Return the failure and lock keys: reference, caller number, withheld on the reference."""
    ref, num = _tag(policy.secret, "ref", reference), _tag(policy.secret, "num", number)
    wref = _tag(policy.secret, "wref", reference)
    return [
        f"{PREFIX}:fails:ref:{ref}",
        f"{PREFIX}:lock:ref:{ref}",
        f"{PREFIX}:fails:num:{num}",
        f"{PREFIX}:lock:num:{num}",
        f"{PREFIX}:fails:wref:{wref}",
        f"{PREFIX}:lock:wref:{wref}",
    ]


_SCRIPT = resources.files("ivr").joinpath("lua/record_failure.lua").read_text()


def _script(client: redis.Redis) -> Any:
    """Bind the script to this client (only hashes it; EVALSHA loads it on first use)."""
    return client.register_script(_SCRIPT)


def record_failure(
    client: redis.Redis, policy: Policy, reference: str | None, number: str | None, now_ms: int
) -> tuple[bool, bool]:
    """Count a failed attempt; return (reference locked for this caller, number locked)."""
    ref_limits = policy.reference.argv() if reference else [0, 0, 0]
    num_limits = policy.number.argv() if number else [0, 0, 0]
    withheld = policy.withheld.argv() if reference and not number else [0, 0, 0]
    args = [now_ms, uuid.uuid4().hex, *ref_limits, *num_limits, *withheld]
    locked = _script(client)(keys=keys(policy, reference, number), args=args)
    ref_locked, num_locked, withheld_locked = (bool(flag) for flag in locked)
    return ref_locked or withheld_locked, num_locked


def is_locked(
    client: redis.Redis, policy: Policy, reference: str | None, number: str | None
) -> bool:
    """Say whether this reference, this caller number, or withheld callers of it are locked."""
    names = keys(policy, reference, number)
    ref_lock, num_lock, withheld_lock = client.mget(names[1], names[3], names[5])
    if number is None:
        return reference is not None and (ref_lock is not None or withheld_lock is not None)
    return (reference is not None and ref_lock is not None) or num_lock is not None
