"""Crime references: normalise what was written or keyed, and check it against the formats."""

from __future__ import annotations

import re
from collections.abc import Iterable

_NOISE = re.compile(r"[\s\-.]")


def normalise(raw: str) -> str:
    """Return the lookup key: keypad `*` becomes `/`, spaces, dots and dashes go, upper case."""
    return _NOISE.sub("", raw.replace("*", "/")).upper()


def is_accepted(key: str, patterns: Iterable[str]) -> bool:
    """Say whether a normalised reference matches one of the configured formats."""
    return any(re.fullmatch(pattern.strip("^$"), key) for pattern in patterns)
