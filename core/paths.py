"""Where local files live when no URL is configured."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def instance_dir() -> Path:
    """Return the local instance folder (HELPLINE_INSTANCE_DIR or ./instance), creating it."""
    path = Path(os.environ.get("HELPLINE_INSTANCE_DIR") or Path.cwd() / "instance")
    path.mkdir(parents=True, exist_ok=True)
    return path


def default_database_url() -> str:
    """Return the dev default: a SQLite file in the instance folder."""
    return f"sqlite:///{instance_dir() / 'helpline.db'}"
