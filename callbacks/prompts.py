"""What callers hear about callbacks: the `callback.*` keys of prompts/<lang>.json."""

from __future__ import annotations

import datetime as dt
from typing import Any

from prompts import catalogue


def text(language: str, key: str, **values: Any) -> str:
    """Return the words for `callback.<key>` in `language`, filled in."""
    return catalogue(language).text(f"callback.{key}", **values)


def spoken_digits(national: str) -> str:
    """Spell a number digit by digit, in groups, so text-to-speech reads it back clearly."""
    return ", ".join(" ".join(group) for group in national.split())


def spoken_when(language: str, at: dt.datetime | None, today: dt.date) -> str:
    """Say a local time naturally: today at 8 am, tomorrow at 8 am, on Monday the 24th ..."""
    p = catalogue(language)
    if at is None:
        return text(language, "when_soon")
    time = p.time(at)
    if at.date() == today:
        return text(language, "when_today", time=time)
    if at.date() == today + dt.timedelta(days=1):
        return text(language, "when_tomorrow", time=time)
    return text(language, "when_day", date=p.date(at.date()), time=time)
