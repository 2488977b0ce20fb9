"""Pooled connections: checked before use only after sitting idle, and replaced if dead."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, text

from core import db
from core.db import make_engine


def counting_pings(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Count the engine's connection checks."""
    pings: list[int] = []
    real = engine.dialect.do_ping

    def ping(dbapi_connection: object) -> bool:
        pings.append(1)
        return real(dbapi_connection)

    monkeypatch.setattr(engine.dialect, "do_ping", ping)
    return pings


def test_busy_connection_is_not_pinged(database_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """A connection handed back a moment ago goes straight back to work: no extra round trip."""
    engine = make_engine(database_url)
    pings = counting_pings(engine, monkeypatch)
    for _ in range(5):
        with engine.connect() as connection:
            assert connection.execute(text("SELECT 1")).scalar() == 1
    engine.dispose()
    assert pings == []


def test_idle_connection_is_pinged(database_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """A connection idle past the threshold is checked before use."""
    monkeypatch.setattr(db, "PING_AFTER_IDLE_SECONDS", -1.0)
    engine = make_engine(database_url)
    pings = counting_pings(engine, monkeypatch)
    for _ in range(3):
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    engine.dispose()
    assert pings == [1, 1]  # the first checkout was a fresh connection


def test_dead_idle_connection_is_replaced(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After the server drops an idle connection (a restart, say) the next use just works."""
    if not database_url.startswith("postgresql"):
        pytest.skip("needs PostgreSQL: its server can end a client's connection")
    monkeypatch.setattr(db, "PING_AFTER_IDLE_SECONDS", -1.0)
    engine = make_engine(database_url)
    with engine.connect() as connection:
        pid = connection.execute(text("SELECT pg_backend_pid()")).scalar()
    killer = make_engine(database_url)
    with killer.connect() as connection:
        connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    killer.dispose()
    with engine.connect() as connection:
        assert connection.execute(text("SELECT pg_backend_pid()")).scalar() != pid
    engine.dispose()
