"""Fixtures: real Redis and a real database (PostgreSQL when TEST_DATABASE_URL is set)."""

from __future__ import annotations

import os
import tempfile
import zlib
from collections.abc import Iterator
from typing import Any

import pytest
import redis
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, delete, text

os.environ.setdefault("HELPLINE_INSTANCE_DIR", tempfile.mkdtemp(prefix="helpline-test-"))

from app import create_app
from core.db import Base
from core.embedded_redis import EmbeddedRedis
from core.migrate import upgrade
from tests.acd_helpers import RecordingPort
from tests.live import LiveServer, WorkerProcess
from tests.twilio_signing import TwilioSigner

AUTH_TOKEN = "test-auth-token"
PUBLIC_BASE_URL = "https://helpline.example.org"


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Use REDIS_URL (a database the tests may flush) or start a throwaway redis-server."""
    if os.environ.get("REDIS_URL"):
        yield os.environ["REDIS_URL"]
        return
    server = EmbeddedRedis(str(tmp_path_factory.mktemp("redis")))
    yield server.url
    server.stop()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """Use TEST_DATABASE_URL (emptied first) or a new SQLite file; migrate it to head."""
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        reset_postgres(url)
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'helpline.db'}"
    upgrade(url)
    return url


def reset_postgres(url: str) -> None:
    """Drop everything in the test database's public schema."""
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture
def config(database_url: str, redis_url: str) -> dict[str, Any]:
    """Settings for a test app: real stores, a known auth token and public URL."""
    return {
        "HELPLINE_ENV": "test",
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "TWILIO_ACCOUNT_SID": "AC" + "1" * 32,
        "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
        "PUBLIC_BASE_URL": PUBLIC_BASE_URL,
        "HELPLINE_NUMBER": "+442071838750",
        "SECRET_KEY": "test-secret",
        "TESTING": True,
    }


@pytest.fixture
def app(config: dict[str, Any]) -> Iterator[Flask]:
    """A Helpline app on clean stores; emptied again afterwards."""
    application = create_app(config)
    clean(application)
    yield application
    clean(application)
    application.extensions["helpline.engine"].dispose()


def clean(application: Flask) -> None:
    """Delete every row and flush Redis, so tests do not see each other."""
    engine = application.extensions["helpline.engine"]
    with engine.begin() as connection:
        for table in reversed(Base.metadata.sorted_tables):
            connection.execute(delete(table))
    redis.Redis.from_url(application.config["REDIS_URL"]).flushdb()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """Flask's test client for the app."""
    return app.test_client()


@pytest.fixture
def twilio(client: FlaskClient) -> TwilioSigner:
    """Post signed Twilio webhooks to the app the way Twilio would."""
    return TwilioSigner(client, AUTH_TOKEN, PUBLIC_BASE_URL)


@pytest.fixture
def live(app: Flask) -> Iterator[LiveServer]:
    """The app served over real HTTP on loopback (PUBLIC_BASE_URL is its URL)."""
    server = LiveServer(app).start()
    yield server
    server.stop()


def shuffle_status_callbacks(nodeid: str) -> bool:
    """Say whether a test's emulator delivers status callbacks late and twice, as Twilio may.

    One end-to-end test in three, chosen by a stable hash of its id; HELPLINE_TEST_SHUFFLE=1
    turns it on for all of them (and =0 off).
    """
    forced = os.environ.get("HELPLINE_TEST_SHUFFLE")
    if forced in ("0", "1"):
        return forced == "1"
    return zlib.crc32(nodeid.encode()) % 3 == 0


@pytest.fixture
def phone(app: Flask, live: LiveServer, request: pytest.FixtureRequest) -> Iterator[Any]:
    """The Twilio emulator wired to the live app: webhooks to it, its REST calls to the emulator.

    time_scale keeps prompts and pauses short; tests read transcripts, not the clock.
    """
    from emulator import Emulator

    emu = Emulator(
        helpline_url=live.url,
        account_sid=app.config["TWILIO_ACCOUNT_SID"],
        auth_token=app.config["TWILIO_AUTH_TOKEN"],
        helpline_number=app.config["HELPLINE_NUMBER"],
        time_scale=float(os.environ.get("HELPLINE_TEST_TIME_SCALE", "0.02")),
        openapi_spec=os.environ.get("TWILIO_OPENAPI_SPEC"),
        shuffle_status_callbacks=shuffle_status_callbacks(request.node.nodeid),
    )
    emu.start()
    app.config["TWILIO_API_BASE_URL"] = emu.base_url
    app.extensions.pop("helpline.twilio", None)
    yield emu
    emu.stop()
    assert emu.faults == [], f"the emulator recorded faults: {emu.faults}"


@pytest.fixture
def worker(app: Flask) -> Iterator[WorkerProcess]:
    """A real `helpline worker` process on the same database and Redis."""
    process = WorkerProcess(dict(app.config))
    yield process
    process.stop()


@pytest.fixture
def port(app: Flask) -> Iterator[RecordingPort]:
    """Record REST redirects instead of reaching Twilio (single-endpoint ACD tests)."""
    recording = RecordingPort()
    app.extensions["helpline.twilio"] = recording
    yield recording
