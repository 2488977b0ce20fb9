"""Parse phone numbers once at the edge, store E.164, log them masked."""

from __future__ import annotations

import functools

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberType

WITHHELD = frozenset(
    {
        "",
        "anonymous",
        "restricted",
        "unknown",
        "private",
        "+266696687",
        "+7378742833",
        "+2562533",
        "+86282452253",
        "+8656696",
    }
)
# Ofcom reserves 07700 900000-900999 for drama; never assigned, so safe for demos and tests,
# but phonenumbers calls them invalid.
DRAMA_MOBILES = "+447700900"
# UK 070 "personal numbers" (PERSONAL_NUMBER) are premium-priced redirections: refused too.
REFUSED_TYPES = frozenset(
    {
        PhoneNumberType.PREMIUM_RATE,
        PhoneNumberType.SHARED_COST,
        PhoneNumberType.UAN,
        PhoneNumberType.PERSONAL_NUMBER,
    }
)


def to_e164(raw: str | None, region: str = "GB") -> str | None:
    """Return the number in E.164, or None if it is withheld or not a valid number."""
    if raw is None or raw.strip().lower() in WITHHELD:
        return None
    return _parsed_e164(raw.strip(), region)


# Every webhook of a call carries the same From; parsing it costs more than the rest of
# the form. Kept in this process's memory only, and bounded.
@functools.lru_cache(maxsize=4096)
def _parsed_e164(raw: str, region: str) -> str | None:
    try:
        parsed = phonenumbers.parse(raw, region)
    except NumberParseException:
        return None
    e164 = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
    if phonenumbers.is_valid_number(parsed) or _is_drama(e164):
        return e164
    return None


def _is_drama(e164: str) -> bool:
    return e164.startswith(DRAMA_MOBILES) and len(e164) == len(DRAMA_MOBILES) + 3


def is_callable(e164: str) -> bool:
    """Say whether we may call this number (not premium-rate, shared-cost or 070 personal)."""
    return phonenumbers.number_type(phonenumbers.parse(e164)) not in REFUSED_TYPES


def mask(number: str | None) -> str:
    """Mask all but the last three digits, for logs."""
    if not number:
        return "<none>"
    return "*" * max(len(number) - 3, 0) + number[-3:]


def spoken(e164: str) -> str:
    """Spell a number as it is dialled at home, digit by digit in groups, for <Say>."""
    national = phonenumbers.format_number(
        phonenumbers.parse(e164), phonenumbers.PhoneNumberFormat.NATIONAL
    )
    return ", ".join(" ".join(group) for group in national.split())
