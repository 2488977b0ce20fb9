"""Redis clients for the app: one decoding strings for our keys, one raw for RQ."""

from __future__ import annotations

import redis
from flask import Flask, current_app

from core.config import is_dev
from core.embedded_redis import EmbeddedRedis

_embedded: dict[str, EmbeddedRedis] = {}


def resolve_url(config: dict) -> str:
    """Return REDIS_URL, starting one embedded server per instance dir in dev/test if unset."""
    if config.get("REDIS_URL"):
        return config["REDIS_URL"]
    if not is_dev(config):
        raise RuntimeError("REDIS_URL is required outside development")
    key = config.get("INSTANCE_PATH", "default")
    if key not in _embedded:
        _embedded[key] = EmbeddedRedis()
    return _embedded[key].url


def init_app(app: Flask) -> None:
    """Connect the app to Redis (URL resolved once, so every process shares one server)."""
    url = resolve_url(app.config)
    app.config["REDIS_URL"] = url
    app.extensions["helpline.redis"] = redis.Redis.from_url(url, decode_responses=True)
    app.extensions["helpline.redis_raw"] = redis.Redis.from_url(url)


def get_redis(app: Flask | None = None) -> redis.Redis:
    """Return the string-decoding client used by Helpline's own keys and scripts."""
    return (app or current_app).extensions["helpline.redis"]


def get_raw_redis(app: Flask | None = None) -> redis.Redis:
    """Return the bytes client RQ needs."""
    return (app or current_app).extensions["helpline.redis_raw"]
