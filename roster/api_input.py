"""Read agent and shift JSON bodies into typed details; the roster services judge the values."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, TypeVar

from roster.editing import AgentDetails, Problem, ShiftDetails
from roster.models import Agent

AGENT_FIELDS = {"name", "client_identity", "phone", "skills", "languages", "active"}
SHIFT_FIELDS = {"weekday", "on_date", "starts", "ends", "kind"}
_NEW_AGENT = AgentDetails(name="", client_identity=None, phone=None)
T = TypeVar("T")


def agent_details(
    body: dict[str, Any], current: Agent | None
) -> tuple[AgentDetails, list[Problem]]:
    """Lay the body over the agent's details (or a new agent's); a badly typed field is kept."""
    base = _NEW_AGENT if current is None else _details_of(current)
    problems: list[Problem] = []

    def read(field: str, ok: Callable[[Any], bool], reason: str, keep: Any) -> Any:
        if field not in body:
            return keep
        if ok(body[field]):
            return body[field]
        problems.append(Problem(reason, field))
        return keep

    details = AgentDetails(
        name=read("name", _is_str, "a string", base.name),
        client_identity=read(
            "client_identity", _str_or_null, "a string or null", base.client_identity
        ),
        phone=read("phone", _str_or_null, "a string or null", base.phone),
        skills=tuple(sorted(set(read("skills", _strings, "a list of strings", base.skills)))),
        languages=tuple(
            sorted(set(read("languages", _strings, "a list of strings", base.languages)))
        ),
        active=read("active", _is_bool, "true or false", base.active),
    )
    return details, problems


def _details_of(agent: Agent) -> AgentDetails:
    return AgentDetails(
        name=agent.name,
        client_identity=agent.client_identity,
        phone=agent.phone_e164,
        skills=tuple(agent.skills or ()),
        languages=tuple(agent.languages or ()),
        active=agent.active,
    )


def _is_str(value: Any) -> bool:
    return isinstance(value, str)


def _str_or_null(value: Any) -> bool:
    return value is None or isinstance(value, str)


def _strings(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(item, str) for item in value)


def _is_bool(value: Any) -> bool:
    return isinstance(value, bool)


def shift_details(body: dict[str, Any]) -> tuple[ShiftDetails, list[Problem]]:
    """Read a shift body; unreadable times stand in as a whole day so only they are reported."""
    problems: list[Problem] = []
    kind = body.get("kind", "work")
    if not isinstance(kind, str):
        problems.append(Problem("work or leave", "kind"))
        kind = "work"
    weekday = body.get("weekday")
    if weekday is not None and (not isinstance(weekday, int) or isinstance(weekday, bool)):
        problems.append(Problem("0 (Monday) to 6 (Sunday)", "weekday"))
        weekday = 0
    on_date = None
    if body.get("on_date") is not None:
        on_date = _iso(dt.date.fromisoformat, body, "on_date", problems, dt.date.min)
    details = ShiftDetails(
        starts=_iso(dt.time.fromisoformat, body, "starts", problems, dt.time.min),
        ends=_iso(dt.time.fromisoformat, body, "ends", problems, dt.time.max),
        weekday=weekday,
        on_date=on_date,
        kind=kind,
    )
    return details, problems


def _iso(
    parse: Callable[[str], T], body: dict[str, Any], field: str, problems: list[Problem], keep: T
) -> T:
    raw = body.get(field)
    try:
        if isinstance(raw, str):
            return parse(raw)
    except ValueError:
        pass
    problems.append(Problem("missing or not ISO 8601", field))
    return keep
