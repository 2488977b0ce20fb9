"""/healthz and /readyz against real servers: Redis and PostgreSQL stopped and started again.

Where each case runs: Redis is a private redis-server of this test (the suite's shared one
is never stopped). The database case starts a private PostgreSQL cluster (initdb, pg_ctl),
so it runs on every machine with the server binaries, whatever TEST_DATABASE_URL says; a
URL on a closed port covers machines without them. The worker is a real `helpline worker`.
"""

from __future__ import annotations

import hashlib
import socket
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
from flask import Flask
from flask.testing import FlaskClient

from core.embedded_redis import EmbeddedRedis
from core.jobs import HEARTBEAT_KEY
from core.migrate import upgrade
from queueing.acd import SCRIPTS, source
from tests.live import WorkerProcess
from tests.throwaway_postgres import ThrowawayPostgres, unavailable_reason

CHECKS = {"database", "redis", "scripts", "worker"}


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def readiness(client: FlaskClient) -> tuple[int, dict[str, str]]:
    """GET /readyz; return the status code and each check's result."""
    response = client.get("/readyz")
    body = response.get_json()
    assert set(body) == {"status", "checks"}, "the probe must reveal nothing else"
    assert body["status"] == ("ready" if response.status_code == 200 else "unready")
    assert set(body["checks"]) == CHECKS
    assert set(body["checks"].values()) <= {"ok", "fail"}
    return response.status_code, body["checks"]


def until(check: Callable[[], Any], what: str, timeout: float = 30) -> Any:
    """Poll until check() is truthy."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def ready(client: FlaskClient) -> bool:
    return readiness(client)[0] == 200


@pytest.fixture
def beating(app: Flask) -> None:
    """A heartbeat on the suite's Redis, as a live worker would leave."""
    redis.Redis.from_url(app.config["REDIS_URL"]).set(HEARTBEAT_KEY, "1", ex=60)


def test_healthz_touches_no_store(make_app: Callable[..., Flask]) -> None:
    """/healthz answers 200 even when neither the database nor Redis can be reached."""
    dead = make_app(
        REDIS_URL=f"redis://127.0.0.1:{closed_port()}/0",
        DATABASE_URL=f"postgresql+psycopg://postgres@127.0.0.1:{closed_port()}/helpline",
    )
    response = dead.test_client().get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


def test_readyz_ready_when_everything_answers(client: FlaskClient, beating: None) -> None:
    """With the stores up, the scripts loadable and a worker beating, /readyz says ready."""
    assert readiness(client) == (200, dict.fromkeys(CHECKS, "ok"))


def test_readyz_unready_without_any_store(make_app: Callable[..., Flask]) -> None:
    """Database on a closed port and Redis gone: 503, every check fails, no error text leaks."""
    dead = make_app(
        REDIS_URL=f"redis://127.0.0.1:{closed_port()}/0",
        DATABASE_URL=f"postgresql+psycopg://postgres@127.0.0.1:{closed_port()}/helpline",
    )
    response = dead.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.get_json() == {"status": "unready", "checks": dict.fromkeys(CHECKS, "fail")}
    assert b"127.0.0.1" not in response.data and b"Error" not in response.data


def test_readyz_loads_scripts_redis_lost(app: Flask, client: FlaskClient, beating: None) -> None:
    """After Redis forgets its scripts (a restart, SCRIPT FLUSH), the probe loads them again."""
    raw = redis.Redis.from_url(app.config["REDIS_URL"])
    raw.script_flush()
    assert readiness(client) == (200, dict.fromkeys(CHECKS, "ok"))
    shas = [hashlib.sha1(source(n).encode()).hexdigest() for n in SCRIPTS]  # noqa: S324
    assert all(raw.script_exists(*shas))


def test_readyz_unready_when_worker_heartbeat_stops(
    app: Flask, config: dict[str, Any], make_app: Callable[..., Flask]
) -> None:
    """A real worker makes /readyz ready; once it stops, the heartbeat lapses and it is not."""
    probed = make_app(WORKER_HEARTBEAT_SECONDS=2).test_client()
    assert readiness(probed) == (503, {**dict.fromkeys(CHECKS, "ok"), "worker": "fail"})
    worker = WorkerProcess({**config, "WORKER_HEARTBEAT_SECONDS": 2})
    try:
        until(lambda: ready(probed), "the worker's first heartbeat", 90)
    finally:
        worker.stop()
    until(lambda: readiness(probed)[1]["worker"] == "fail", "the heartbeat to lapse", 20)
    assert readiness(probed) == (503, {**dict.fromkeys(CHECKS, "ok"), "worker": "fail"})


@pytest.fixture
def private_redis(tmp_path: Path) -> Iterator[list[EmbeddedRedis]]:
    """A redis-server of this test's own, replaceable on the same socket; stopped at the end."""
    servers = [EmbeddedRedis(str(tmp_path / "redis"))]
    yield servers
    servers[-1].stop()


@pytest.mark.slow
def test_readyz_follows_redis_down_and_back(
    app: Flask,
    config: dict[str, Any],
    make_app: Callable[..., Flask],
    private_redis: list[EmbeddedRedis],
    tmp_path: Path,
) -> None:
    """Stopping the real Redis makes /readyz unready; starting it again makes it ready."""
    url = private_redis[0].url
    probed = make_app(REDIS_URL=url, WORKER_HEARTBEAT_SECONDS=5).test_client()
    worker = WorkerProcess({**config, "REDIS_URL": url, "WORKER_HEARTBEAT_SECONDS": 5})
    try:
        until(lambda: ready(probed), "ready with Redis up", 90)
        private_redis[0].stop()
        status, checks = readiness(probed)
        assert status == 503
        assert checks == {"database": "ok", "redis": "fail", "scripts": "fail", "worker": "fail"}
        time.sleep(3)  # an outage of several worker ticks, which the worker must outlive
        assert readiness(probed)[0] == 503
        private_redis.append(EmbeddedRedis(str(tmp_path / "redis")))
        assert private_redis[-1].url == url
        # The new server holds no scripts and no heartbeat: the probe loads the one and the
        # worker, having waited out the outage, writes the other.
        until(lambda: ready(probed), "ready again with Redis back", 60)
    finally:
        worker.stop()


@pytest.mark.slow
def test_readyz_follows_database_down_and_back(
    app: Flask, config: dict[str, Any], make_app: Callable[..., Flask]
) -> None:
    """Stopping a real PostgreSQL server makes /readyz unready; starting it makes it ready."""
    reason = unavailable_reason()
    if reason:
        pytest.skip(reason)
    server = ThrowawayPostgres().start()
    try:
        upgrade(server.url)
        redis.Redis.from_url(config["REDIS_URL"]).set(HEARTBEAT_KEY, "1", ex=600)
        probed = make_app(DATABASE_URL=server.url)
        client = probed.test_client()
        assert readiness(client) == (200, dict.fromkeys(CHECKS, "ok"))
        server.stop()
        assert readiness(client) == (503, {**dict.fromkeys(CHECKS, "ok"), "database": "fail"})
        server.start()
        until(lambda: ready(client), "ready with the database back")
        probed.extensions["helpline.engine"].dispose()
    finally:
        server.destroy()
