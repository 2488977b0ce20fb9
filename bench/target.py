"""The Redis a benchmark runs against, and a client that counts its round trips."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import redis

from core.embedded_redis import EmbeddedRedis
from queueing.acd import Acd


class CountingRedis(redis.Redis):
    """A client that counts commands sent outside pipelines (each is one round trip)."""

    round_trips = 0

    def execute_command(self, *args: Any, **options: Any) -> Any:
        CountingRedis.round_trips += 1
        return super().execute_command(*args, **options)


@contextmanager
def counted_acd() -> Iterator[Acd]:
    """Yield an Acd on REDIS_URL (flushed afterwards!) or on a throwaway redis-server."""
    server = None if os.environ.get("REDIS_URL") else EmbeddedRedis()
    url = os.environ.get("REDIS_URL") or server.url  # type: ignore[union-attr]
    acd = Acd(CountingRedis.from_url(url, decode_responses=True))
    try:
        yield acd
    finally:
        acd.redis.flushdb()
        if server:
            server.stop()
