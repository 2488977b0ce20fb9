"""Console login throttling in Redis: per user and client address, plus a slower per-user cap.

Five failures for one user from one address pause that address for that user only, so
nobody can lock a colleague out by failing on purpose from their own machine. A much higher
cap across all addresses (default 50 an hour) still bounds a distributed guesser; reaching
it locks the user everywhere until the window ends, and every refusal is audited.
Keys are HMACs under SECRET_KEY, so Redis holds neither usernames nor addresses.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import redis

PREFIX = "hl:login"


@dataclass(frozen=True)
class Throttle:
    """The limits, read once from the CONSOLE_* settings."""

    client_failures: int
    client_seconds: int
    user_failures: int
    user_seconds: int
    secret: str

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> Throttle:
        """Read CONSOLE_LOCKOUT_* and CONSOLE_USER_LOCKOUT_*."""
        return cls(
            config["CONSOLE_LOCKOUT_FAILURES"],
            config["CONSOLE_LOCKOUT_SECONDS"],
            config["CONSOLE_USER_LOCKOUT_FAILURES"],
            config["CONSOLE_USER_LOCKOUT_SECONDS"],
            str(config["SECRET_KEY"]),
        )

    def tag(self, *parts: object) -> str:
        """Name a counter (or a client in logs) by a keyed hash of its parts."""
        message = "|".join(str(p) for p in parts).encode()
        return hmac.new(self.secret.encode(), message, hashlib.sha256).hexdigest()[:24]

    def _keys(self, user_id: int, client: str) -> tuple[str, str]:
        return (
            f"{PREFIX}:client:{self.tag('client', user_id, client)}",
            f"{PREFIX}:user:{self.tag('user', user_id)}",
        )


def is_throttled(client: redis.Redis, throttle: Throttle, user_id: int, address: str) -> bool:
    """Say whether this address (or everyone) must wait before trying this user again."""
    by_client, by_user = client.mget(throttle._keys(user_id, address))
    return (
        int(by_client or 0) >= throttle.client_failures
        or int(by_user or 0) >= throttle.user_failures
    )


def count_failure(client: redis.Redis, throttle: Throttle, user_id: int, address: str) -> None:
    """Count a failed password in both windows (each starts at its first failure)."""
    by_client, by_user = throttle._keys(user_id, address)
    with client.pipeline(transaction=True) as pipe:
        pipe.set(by_client, 0, ex=throttle.client_seconds, nx=True)
        pipe.incr(by_client)
        pipe.set(by_user, 0, ex=throttle.user_seconds, nx=True)
        pipe.incr(by_user)
        pipe.execute()


def forget_client(client: redis.Redis, throttle: Throttle, user_id: int, address: str) -> None:
    """Clear this address's failures after a good login (the per-user cap stays)."""
    client.delete(throttle._keys(user_id, address)[0])
