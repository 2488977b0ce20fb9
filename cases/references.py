"""Crime references: normalise what was written or keyed, and check it against the formats."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

_NOISE = re.compile(r"[\s\-.]")


def normalise(raw: str) -> str:
    """Return the lookup key: keypad `*` becomes `/`, spaces, dots and dashes go, upper case.

    NFKC first, so full-width digits and solidus (U+FF10-FF19, U+FF0F) give the same key
    as their ASCII forms.
    """
    return _NOISE.sub("", unicodedata.normalize("NFKC", raw).replace("*", "/")).upper()


def is_accepted(key: str, patterns: Iterable[str]) -> bool:
    """Say whether a normalised reference matches one of the configured formats.

    ASCII only: `\\d` would otherwise accept other scripts' digits, making a second key
    for the same reference.
    """
    return key.isascii() and any(
        re.fullmatch(pattern.strip("^$"), key, re.ASCII) for pattern in patterns
    )
