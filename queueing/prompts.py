"""What callers hear while queueing: keys in the shared catalogue (prompts/<language>.json)."""

from __future__ import annotations

from prompts import catalogue


def text(language: str, key: str, **values: object) -> str:
    """Return the prompt in the caller's language (English where it has no translation)."""
    return catalogue(language).text(key, **values)
