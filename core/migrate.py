"""Run Alembic programmatically, so `helpline migrate` works from any directory."""

from __future__ import annotations

from alembic import command
from alembic.config import Config

from core.paths import ROOT


def alembic_config(database_url: str) -> Config:
    """Return an Alembic config pointing at our migrations and this database."""
    cfg = Config(str(ROOT / "alembic.ini"))
    cfg.set_main_option("script_location", str(ROOT / "migrations"))
    cfg.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return cfg


def upgrade(database_url: str, revision: str = "head") -> None:
    """Bring the database schema up to `revision`."""
    command.upgrade(alembic_config(database_url), revision)


def check(database_url: str) -> None:
    """Fail if the models and the migrated schema differ."""
    command.check(alembic_config(database_url))
