"""Roster editing services: agents, shifts, opening hours and closures, each change audited.

The supervisor console and the JSON API both edit the roster here, so one set of rules
applies. Services take a session and never commit; they raise RosterError with messages a
supervisor can act on. The caller commits, then calls `routing_changed()` so the router sees
the change at once.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from accounts.audit import audit
from core.features import registry
from roster.models import Agent, Closure, OpeningHours, Shift
from telephony.numbers import to_e164

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
IDENTITY = re.compile(r"^[A-Za-z0-9_.@-]{1,100}$")
LANGUAGE = re.compile(r"^[a-z]{2,3}(-[A-Z]{2})?$")
SKILL = re.compile(r"^[a-z0-9_]{1,40}$")
MIDNIGHT = dt.time(0)
Kind = Literal["invalid", "missing", "taken"]


@dataclass(frozen=True)
class Problem:
    """One reason a change was refused, with the field it concerns when there is one.

    kind: "invalid" (fix the input), "missing" (the row is gone), "taken" (a clash).
    """

    message: str
    field: str | None = None
    kind: Kind = "invalid"


class RosterError(ValueError):
    """A roster change was refused; `messages` say why, in words for the supervisor."""

    def __init__(self, problems: Sequence[Problem | str]) -> None:
        self.problems = [p if isinstance(p, Problem) else Problem(p) for p in problems]
        self.messages = [p.message for p in self.problems]
        super().__init__("; ".join(self.messages))


@dataclass(frozen=True)
class AgentDetails:
    """What the supervisor can set on an agent."""

    name: str
    client_identity: str | None
    phone: str | None
    skills: tuple[str, ...] = ()
    languages: tuple[str, ...] = ("en-GB",)
    active: bool = True


@dataclass(frozen=True)
class ShiftDetails:
    """A weekly pattern (weekday set) or a dated exception (on_date set)."""

    starts: dt.time
    ends: dt.time
    weekday: int | None = None
    on_date: dt.date | None = None
    kind: str = "work"


@dataclass(frozen=True)
class DayHours:
    """One weekday's opening hours; closed all day when opens/closes are None."""

    weekday: int
    opens: dt.time | None
    closes: dt.time | None


@dataclass
class _Problems:
    found: list[Problem] = field(default_factory=list)

    def check(
        self, ok: bool, message: str, field: str | None = None, kind: Kind = "invalid"
    ) -> None:
        if not ok:
            self.found.append(Problem(message, field, kind))

    def raise_any(self) -> None:
        if self.found:
            raise RosterError(self.found)


def save_agent(
    session: Session,
    actor: str,
    details: AgentDetails,
    agent_id: int | None = None,
    unparsed: Sequence[Problem] = (),
) -> Agent:
    """Create an agent (agent_id None) or update one, after validating the details.

    `unparsed` are problems the caller met reading its input; they are refused with ours.
    """
    agent = Agent() if agent_id is None else _agent(session, agent_id)
    phone = _validate_agent(session, details, agent_id, unparsed)
    before = _agent_facts(agent) if agent_id is not None else None
    agent.name = details.name.strip()
    agent.client_identity = details.client_identity or None
    agent.phone_e164 = phone
    agent.skills, agent.languages = list(details.skills), list(details.languages)
    agent.active = details.active
    session.add(agent)
    session.flush()
    action = "create" if before is None else "update"
    audit(session, actor, action, "agent", agent.id, before=before, after=_agent_facts(agent))
    return agent


def _validate_agent(
    session: Session, details: AgentDetails, agent_id: int | None, unparsed: Sequence[Problem]
) -> str | None:
    problems = _Problems(list(unparsed))
    name = details.name.strip()
    problems.check(bool(name), "Give the agent a name.", "name")
    problems.check(len(name) <= 200, "Keep the name to 200 characters.", "name")
    identity = details.client_identity
    phone = to_e164(details.phone) if details.phone else None
    problems.check(
        bool(identity or details.phone),
        "Give a Client identity or a phone number.",
        "client_identity",
    )
    problems.check(
        not identity or bool(IDENTITY.match(identity)), _IDENTITY_HELP, "client_identity"
    )
    problems.check(
        not details.phone or phone is not None, "That phone number is not valid.", "phone"
    )
    problems.check(all(SKILL.match(s) for s in details.skills), _SKILL_HELP, "skills")
    problems.check(
        bool(details.languages), "Give at least one language, such as en-GB.", "languages"
    )
    problems.check(all(LANGUAGE.match(x) for x in details.languages), _LANGUAGE_HELP, "languages")
    if identity:
        other = session.scalar(select(Agent).where(Agent.client_identity == identity))
        taken = other is not None and other.id != agent_id
        problems.check(not taken, f"{identity} is already taken.", "client_identity", "taken")
    problems.raise_any()
    return phone


_IDENTITY_HELP = "The Client identity may use letters, digits, '_', '.', '@' and '-' only."
_SKILL_HELP = "Skills are lower-case words joined by '_', such as domestic_abuse."
_LANGUAGE_HELP = "Languages are codes such as en-GB or cy-GB."


def _agent(session: Session, agent_id: int) -> Agent:
    agent = session.get(Agent, agent_id)
    if agent is None:
        raise RosterError([Problem("That agent no longer exists.", "agent", "missing")])
    return agent


def _agent_facts(agent: Agent) -> dict[str, object]:
    return {
        "name": agent.name,
        "client_identity": agent.client_identity,
        "phone": agent.phone_e164,
        "skills": list(agent.skills or []),
        "languages": list(agent.languages or []),
        "active": agent.active,
    }


def add_shift(
    session: Session,
    actor: str,
    agent_id: int,
    details: ShiftDetails,
    unparsed: Sequence[Problem] = (),
) -> Shift:
    """Add a shift pattern or dated exception, refusing end-before-start and overlaps."""
    _agent(session, agent_id)
    _validate_shift(session, agent_id, details, None, unparsed)
    shift = Shift(agent_id=agent_id, **_shift_columns(details))
    session.add(shift)
    session.flush()
    audit(session, actor, "create", "shift", shift.id, agent_id=agent_id, after=_facts(shift))
    return shift


def update_shift(session: Session, actor: str, shift_id: int, details: ShiftDetails) -> Shift:
    """Change a shift's times (and day), with the same checks as adding one."""
    shift = _shift(session, shift_id)
    _validate_shift(session, shift.agent_id, details, shift.id)
    before = _facts(shift)
    for name, value in _shift_columns(details).items():
        setattr(shift, name, value)
    session.flush()
    audit(session, actor, "update", "shift", shift.id, before=before, after=_facts(shift))
    return shift


def delete_shift(session: Session, actor: str, shift_id: int) -> int:
    """Remove a shift; return the agent it belonged to."""
    shift = _shift(session, shift_id)
    audit(session, actor, "delete", "shift", shift.id, before=_facts(shift))
    session.delete(shift)
    session.flush()
    return shift.agent_id


def _shift(session: Session, shift_id: int) -> Shift:
    shift = session.get(Shift, shift_id)
    if shift is None:
        raise RosterError([Problem("That shift no longer exists.", "shift", "missing")])
    return shift


def _shift_columns(details: ShiftDetails) -> dict[str, object]:
    return {
        "weekday": details.weekday,
        "on_date": details.on_date,
        "starts": details.starts,
        "ends": details.ends,
        "kind": details.kind,
    }


def _validate_shift(
    session: Session,
    agent_id: int,
    details: ShiftDetails,
    shift_id: int | None,
    unparsed: Sequence[Problem] = (),
) -> None:
    """Refuse a malformed shift, then one overlapping the agent's shifts of the same kind."""
    problems = _Problems(list(unparsed))
    problems.check(details.kind in ("work", "leave"), "A shift is either work or leave.", "kind")
    problems.check(
        (details.weekday is None) != (details.on_date is None),
        "Choose either a weekday (every week) or a date (a one-off).",
        "weekday",
    )
    problems.check(
        details.weekday is None or 0 <= details.weekday <= 6, "Choose a weekday.", "weekday"
    )
    # No overnight shifts: a shift ends on the day it starts, at midnight (00:00) at the latest.
    problems.check(
        details.ends > details.starts or details.ends == MIDNIGHT,
        "The shift must end after it starts (00:00 means midnight).",
        "ends",
    )
    problems.raise_any()
    ends = _day_end(details.starts, details.ends)
    for other in _same_day(session, agent_id, details):
        if other.id != shift_id and other.starts < ends and details.starts < _ends(other):
            problems.check(False, f"This overlaps the shift {_describe(other)}.")
    problems.raise_any()


def _ends(shift: Shift) -> dt.time:
    """Return when the shift ends on its first day; older rows may run overnight or all day."""
    return _day_end(shift.starts, shift.ends)


def _day_end(starts: dt.time, ends: dt.time) -> dt.time:
    """Return a shift's end within its day: an end at or before the start means midnight."""
    return ends if ends > starts else dt.time.max


def _same_day(session: Session, agent_id: int, details: ShiftDetails) -> list[Shift]:
    """Return the agent's shifts of the same kind on the same weekday pattern or date."""
    query = select(Shift).where(Shift.agent_id == agent_id, Shift.kind == details.kind)
    if details.weekday is not None:
        query = query.where(Shift.weekday == details.weekday)
    else:
        query = query.where(Shift.on_date == details.on_date)
    return list(session.scalars(query))


def _describe(shift: Shift) -> str:
    day = WEEKDAYS[shift.weekday] if shift.weekday is not None else str(shift.on_date)
    return f"{day} {shift.starts:%H:%M}-{shift.ends:%H:%M}"


def _facts(shift: Shift) -> dict[str, object]:
    return {"day": _describe(shift), "kind": shift.kind}


def set_opening_hours(session: Session, actor: str, week: list[DayHours]) -> None:
    """Replace the weekly opening hours (all seven days at once)."""
    problems = _Problems()
    for day in week:
        problems.check(
            (day.opens is None) == (day.closes is None),
            f"{WEEKDAYS[day.weekday]}: give both opening and closing times, or mark it closed.",
        )
        if day.opens is not None and day.closes is not None:
            problems.check(
                day.closes > day.opens or day.closes == MIDNIGHT,
                f"{WEEKDAYS[day.weekday]}: closing must be after opening (00:00 means midnight).",
            )
    problems.raise_any()
    before = {WEEKDAYS[w]: _span(h) for w, h in _current_hours(session).items()}
    for day in week:
        session.merge(OpeningHours(weekday=day.weekday, opens=day.opens, closes=day.closes))
    after = {WEEKDAYS[d.weekday]: _span((d.opens, d.closes) if d.opens else None) for d in week}
    audit(session, actor, "update", "opening_hours", "week", before=before, after=after)


def _current_hours(session: Session) -> dict[int, tuple[dt.time, dt.time] | None]:
    from roster.hours import weekly_hours

    return weekly_hours(session)


def _span(hours: tuple[dt.time | None, dt.time | None] | None) -> str:
    if hours is None or hours[0] is None or hours[1] is None:
        return "closed"
    return f"{hours[0]:%H:%M}-{hours[1]:%H:%M}"


def add_closure(session: Session, actor: str, on_date: dt.date, reason: str) -> Closure:
    """Close the desk on a date (a bank holiday, say)."""
    if session.get(Closure, on_date) is not None:
        raise RosterError([f"The desk is already closed on {on_date:%d %B %Y}."])
    closure = Closure(on_date=on_date, reason=reason.strip()[:200])
    session.add(closure)
    audit(session, actor, "create", "closure", on_date, reason=closure.reason)
    return closure


def remove_closure(session: Session, actor: str, on_date: dt.date) -> None:
    """Reopen the desk on a date that was closed."""
    closure = session.get(Closure, on_date)
    if closure is None:
        raise RosterError(["That closure no longer exists."])
    audit(session, actor, "delete", "closure", on_date, reason=closure.reason)
    session.delete(closure)


def routing_changed(session: Session, app: Flask) -> None:
    """Refresh the router's roster mirror after a committed change, so it applies at once.

    An agent whose shift has just ended keeps their current call; the ACD stops new offers.
    """
    for handler in registry(app).roster_changed:
        handler(app, session)  # Redis only: no commit
