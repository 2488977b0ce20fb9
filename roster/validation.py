"""Check agent and shift bodies from the JSON API: every problem named with its reason."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from telephony.numbers import to_e164

AGENT_FIELDS = {"name", "client_identity", "phone", "skills", "languages", "active"}
SHIFT_FIELDS = {"weekday", "on_date", "starts", "ends", "kind"}
_IDENTITY = re.compile(r"^[A-Za-z0-9_.@-]{1,100}$")
_TAG = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
_LANGUAGE = re.compile(r"^[a-z]{2,3}-[A-Z]{2}$")

Problems = list[dict[str, str]]


def agent_values(body: dict[str, Any], creating: bool) -> tuple[dict[str, Any], Problems]:
    """Return the agent fields to set and the problems found."""
    values: dict[str, Any] = {}
    problems: Problems = []

    def bad(field: str, reason: str) -> None:
        problems.append({"field": field, "reason": reason})

    if "name" in body or creating:
        name = body.get("name")
        if not isinstance(name, str) or not name.strip() or len(name) > 200:
            bad("name", "a name of 1 to 200 characters is required")
        else:
            values["name"] = name.strip()
    if body.get("client_identity") is not None:
        identity = body["client_identity"]
        if not isinstance(identity, str) or not _IDENTITY.match(identity):
            bad("client_identity", "letters, digits and _.@- only, up to 100")
        else:
            values["client_identity"] = identity
    elif "client_identity" in body:
        values["client_identity"] = None
    if body.get("phone") is not None:
        phone = to_e164(body["phone"]) if isinstance(body["phone"], str) else None
        if phone is None:
            bad("phone", "not a valid phone number")
        else:
            values["phone_e164"] = phone
    elif "phone" in body:
        values["phone_e164"] = None
    for field, pattern in (("skills", _TAG), ("languages", _LANGUAGE)):
        if field in body:
            items = body[field]
            if not isinstance(items, list) or not all(
                isinstance(i, str) and pattern.match(i) for i in items
            ):
                bad(field, f"a list of values matching {pattern.pattern}")
            else:
                values[field] = sorted(set(items))
    if "active" in body:
        if not isinstance(body["active"], bool):
            bad("active", "true or false")
        else:
            values["active"] = body["active"]
    return values, problems


def reachable(values: dict[str, Any]) -> bool:
    """Say whether an agent can be dialled: a client identity or a phone number."""
    return bool(values.get("client_identity") or values.get("phone_e164"))


def shift_values(body: dict[str, Any]) -> tuple[dict[str, Any], Problems]:
    """Return the shift fields and the problems found (exactly one of weekday / on_date)."""
    values: dict[str, Any] = {"kind": body.get("kind", "work")}
    problems: Problems = []
    if values["kind"] not in ("work", "leave"):
        problems.append({"field": "kind", "reason": "work or leave"})
    weekday, on_date = body.get("weekday"), body.get("on_date")
    if (weekday is None) == (on_date is None):
        problems.append({"field": "weekday", "reason": "give exactly one of weekday or on_date"})
    elif weekday is not None:
        if not isinstance(weekday, int) or isinstance(weekday, bool) or not 0 <= weekday <= 6:
            problems.append({"field": "weekday", "reason": "0 (Monday) to 6 (Sunday)"})
        values["weekday"] = weekday
    else:
        values["on_date"] = _parse(dt.date.fromisoformat, on_date, "on_date", problems)
    for field in ("starts", "ends"):
        values[field] = _parse(dt.time.fromisoformat, body.get(field), field, problems)
    if values.get("starts") and values["starts"] == values.get("ends"):
        problems.append({"field": "ends", "reason": "must differ from starts"})
    return values, problems


def _parse(parser: Any, raw: Any, field: str, problems: Problems) -> Any:
    try:
        if not isinstance(raw, str):
            raise ValueError
        return parser(raw)
    except ValueError:
        problems.append({"field": field, "reason": "missing or not ISO 8601"})
        return None
