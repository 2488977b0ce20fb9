"""Readiness checks: the database, Redis, the ACD's scripts and a live worker, each ok or not.

Each check answers only True or False: the probe is unauthenticated, so what failed and why
goes to the log, never into the response.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable

import redis
from flask import Flask
from sqlalchemy import text

from core.jobs import HEARTBEAT_KEY
from queueing.acd import SCRIPTS, source

log = logging.getLogger("helpline.health")
PROBE_TIMEOUT_SECONDS = 2.0


def readiness(app: Flask) -> dict[str, bool]:
    """Run every check; the ones needing Redis fail with it."""
    client = _probe_client(app)
    checks = {
        "database": _passes("database", lambda: _database_answers(app)),
        "redis": _passes("redis", lambda: bool(client.ping())),
    }
    checks["scripts"] = checks["redis"] and _passes("scripts", lambda: _scripts_loaded(client))
    checks["worker"] = checks["redis"] and _passes("worker", lambda: _worker_alive(client))
    return checks


def _passes(name: str, check: Callable[[], bool]) -> bool:
    try:
        passed = check()
    except Exception as exc:  # any failure means "not ready"; the kind goes to the log
        log.warning("readiness check %s failed: %s", name, type(exc).__name__)
        return False
    if not passed:
        log.warning("readiness check %s failed", name)
    return passed


def _probe_client(app: Flask) -> redis.Redis:
    """Return a Redis client with short timeouts, so a hung server fails the probe quickly."""
    client = app.extensions.get("helpline.ops.redis")
    if client is None:
        client = app.extensions["helpline.ops.redis"] = redis.Redis.from_url(
            app.config["REDIS_URL"],
            socket_timeout=PROBE_TIMEOUT_SECONDS,
            socket_connect_timeout=PROBE_TIMEOUT_SECONDS,
        )
    return client


def _database_answers(app: Flask) -> bool:
    """Read the schema's version row: proves the right database answers, not just a socket."""
    with app.extensions["helpline.engine"].connect() as connection:
        row = connection.execute(text("SELECT version_num FROM alembic_version")).first()
    return row is not None


def _scripts_loaded(client: redis.Redis) -> bool:
    """Make sure Redis holds every ACD script, loading any it lost (after a restart)."""
    sources = [source(name) for name in SCRIPTS]
    shas = [hashlib.sha1(lua.encode()).hexdigest() for lua in sources]  # noqa: S324 - Redis's id
    present = client.script_exists(*shas)
    for lua, sha, loaded in zip(sources, shas, present, strict=True):
        if not loaded and client.script_load(lua) != sha:
            return False
    return True


def _worker_alive(client: redis.Redis) -> bool:
    """A worker refreshes the heartbeat every second; it expires after WORKER_HEARTBEAT_SECONDS."""
    return bool(client.exists(HEARTBEAT_KEY))
