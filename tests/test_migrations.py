"""Migrations build the schema the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect

from core.db import Base
from core.migrate import alembic_config, check, upgrade


def _urls(tmp_path: Path) -> list[str]:
    urls = [f"sqlite:///{tmp_path / 'fresh.db'}"]
    if os.environ.get("TEST_DATABASE_URL"):
        urls.append(os.environ["TEST_DATABASE_URL"])
    return urls


def table_names(url: str) -> set[str]:
    engine = create_engine(url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_upgrade_from_empty_matches_models(tmp_path: Path, database_url: str) -> None:
    """`upgrade head` on an empty database creates every table; `alembic check` is clean."""
    for url in _urls(tmp_path):
        if url != database_url:
            upgrade(url)
        check(url)
        assert set(Base.metadata.tables) <= table_names(url)


def test_downgrade_to_base_and_back(tmp_path: Path) -> None:
    """Every migration can be undone and redone (SQLite scratch database)."""
    from alembic import command

    url = f"sqlite:///{tmp_path / 'roundtrip.db'}"
    upgrade(url)
    command.downgrade(alembic_config(url), "base")
    assert table_names(url) <= {"alembic_version"}
    upgrade(url)
    check(url)


@pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL"), reason="needs PostgreSQL")
def test_postgres_schema_is_checked(database_url: str) -> None:
    """The PostgreSQL test database is migrated and matches the models."""
    assert database_url.startswith("postgresql")
    check(database_url)
