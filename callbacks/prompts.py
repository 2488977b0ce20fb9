"""What callers hear about callbacks: the `callback.*` keys of prompts/<lang>.json."""

from __future__ import annotations

import datetime as dt
from typing import Any

from prompts import catalogue


def text(language: str, key: str, **values: Any) -> str:
    """Return the words for `callback.<key>` in `language`, filled in."""
    return catalogue(language).text(f"callback.{key}", **values)


def spoken_when(language: str, at: dt.datetime | None, today: dt.date) -> str:
    """Say a local time naturally: at 8 am today, at midnight tonight, as soon as we can..."""
    if at is None:
        return text(language, "when_soon")
    return catalogue(language).when(at, today)
