"""The prompt catalogue: every caller-facing word, one flat JSON file per language.

Each file maps a key to a text with {placeholders}. Keys starting `meta.` describe the
language itself (the <Say> voice and language, the speech-recognition language, its name).
Other features add their own keys to the same files.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import re
from dataclasses import dataclass
from importlib import resources
from typing import Any

DEFAULT_LANGUAGE = "en-GB"
_LANGUAGE_TAG = re.compile(r"^[a-z]{2,3}-[A-Z]{2}$")


class _Blank(dict[str, Any]):
    """Leave unknown placeholders visible instead of raising (a prompt must never crash a call)."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


@dataclass(frozen=True)
class Prompts:
    """One language's catalogue, with the voice it is spoken in."""

    language: str
    texts: dict[str, str]

    @property
    def voice(self) -> str:
        """Return the <Say> voice for this language."""
        return self.texts["meta.voice"]

    @property
    def say_language(self) -> str:
        """Return the <Say> language attribute."""
        return self.texts["meta.language"]

    @property
    def speech_language(self) -> str:
        """Return the <Gather> speech-recognition language."""
        return self.texts["meta.speech_language"]

    def text(self, name: str, /, **values: Any) -> str:
        """Return the prompt called `name` with its placeholders filled in."""
        template = self.texts.get(name) or catalogue(DEFAULT_LANGUAGE).texts[name]
        return template.format_map(_Blank(values))

    def words(self, kind: str) -> tuple[str, ...]:
        """Return the spoken words that mean `kind` (this language's, then English's)."""
        own = self.texts.get(f"words.{kind}", "").split("|")
        english = catalogue(DEFAULT_LANGUAGE).texts[f"words.{kind}"].split("|")
        return tuple(w.strip().lower() for w in (*own, *english) if w.strip())

    def date(self, day: dt.date) -> str:
        """Say a date naturally: 'Tuesday the 3rd of November'."""
        return self.text(
            "date",
            weekday=self.text(f"weekday.{day.weekday()}"),
            day=self.text(f"day.{day.day}"),
            month=self.text(f"month.{day.month}"),
        )

    def when(self, at: dt.datetime, today: dt.date) -> str:
        """Say a moment relative to the caller's day: 'at 8 am tomorrow', 'at midnight tonight'."""
        day = at.date()
        if at.time() == dt.time(0):
            # "12 am tomorrow" is unclear: midnight is the end of one day or the start of the next.
            if day == today + dt.timedelta(days=1):
                return self.text("when.midnight_tonight")
            return self.text("when.midnight_before", date=self.date(day))
        if day == today:
            return self.text("when.today", time=self.time(at))
        if day == today + dt.timedelta(days=1):
            return self.text("when.tomorrow", time=self.time(at))
        return self.text("when.on", time=self.time(at), date=self.date(day))

    def time(self, at: dt.datetime | dt.time) -> str:
        """Say a time of day: '8 am', '8:30 pm', 'midday', 'midnight'."""
        if (at.hour, at.minute) in ((0, 0), (12, 0)):
            return self.text("time.midnight" if at.hour == 0 else "time.midday")
        hour = at.hour % 12 or 12
        clock = f"{hour}:{at.minute:02d}" if at.minute else str(hour)
        return self.text("time.am" if at.hour < 12 else "time.pm", clock=clock)


def available() -> tuple[str, ...]:
    """Return the languages that have a catalogue file, English first."""
    names = [
        entry.name.removesuffix(".json")
        for entry in resources.files(__name__).iterdir()
        if entry.name.endswith(".json")
    ]
    return tuple(sorted(names, key=lambda name: (name != DEFAULT_LANGUAGE, name)))


@functools.cache
def catalogue(language: str) -> Prompts:
    """Load one language's catalogue; unknown languages get English."""
    if not _LANGUAGE_TAG.match(language or "") or language not in available():
        language = DEFAULT_LANGUAGE
    raw = resources.files(__name__).joinpath(f"{language}.json").read_text(encoding="utf-8")
    return Prompts(language, json.loads(raw))
