"""Alembic environment: the URL comes from the caller's config or DATABASE_URL."""

from __future__ import annotations

from alembic import context
from sqlalchemy import MetaData

from core.config import is_dev, load
from core.db import Base, make_engine
from core.paths import default_database_url


def schema() -> MetaData:
    """Import every feature's models so the metadata (and autogenerate) sees the whole schema."""
    import roster.models  # noqa: F401 - imported for the tables they declare

    return Base.metadata


config = context.config
target_metadata = schema()


def _url() -> str:
    url = config.get_main_option("sqlalchemy.url")
    if url:
        return url
    settings = load()
    if settings["DATABASE_URL"]:
        return settings["DATABASE_URL"]
    if is_dev(settings):
        return default_database_url()
    raise RuntimeError("DATABASE_URL is required outside development")


def run_migrations_offline() -> None:
    """Emit SQL without a connection."""
    context.configure(
        url=_url(), target_metadata=target_metadata, render_as_batch=True, literal_binds=True
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Run migrations on a live connection (batch mode so SQLite can alter tables)."""
    given = config.attributes.get("connection")
    if given is not None:
        _run(given)
        return
    engine = make_engine(_url())
    try:
        with engine.connect() as connection:
            _run(connection)
    finally:
        engine.dispose()


def _run(connection) -> None:  # type: ignore[no-untyped-def]
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
