"""Agents' live state: services the API and the consoles call (no Flask here). Never commit."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Flask
from sqlalchemy.orm import Session

from core.clock import now
from queueing.desk import Desk, desk_for
from queueing.mirror import sync_agent
from queueing.service import ms, route
from roster.models import Agent

STATES = ("logged_out", "available", "reserved", "busy", "wrap_up", "break", "paused")


class UnknownAgent(LookupError):
    """No such agent in the roster."""


class OffShift(RuntimeError):
    """An agent asked to go available outside their shift (they would never get a call)."""


def change_state(session: Session, desk: Desk, agent_id: int, action: str) -> tuple[bool, str]:
    """Apply an agent action; return (done, state now); route if they became available.

    Going available re-reads the roster first (a shift may have just started or ended) and
    raises OffShift outside a shift.
    """
    agent = session.get(Agent, agent_id)
    if agent is None:
        raise UnknownAgent(agent_id)
    at = now()
    if action == "available" or not desk.acd.agent(agent_id):
        sync_agent(session, desk.acd, agent, at, desk.config.timezone)
    if action == "available" and desk.acd.agent(agent_id).get("on_shift") != "1":
        raise OffShift(agent_id)
    done, state = desk.acd.agent_action(agent_id, action, ms(at))
    if done and state == "available":
        route(session, desk)
    return done, state


def go_available(session: Session, desk: Desk, agent_id: int) -> tuple[bool, str]:
    """Log in or come back: ready for offers (when on shift)."""
    return change_state(session, desk, agent_id, "available")


def take_break(session: Session, desk: Desk, agent_id: int) -> tuple[bool, str]:
    """Stop offers for a while, staying logged in."""
    return change_state(session, desk, agent_id, "break")


def log_out(session: Session, desk: Desk, agent_id: int) -> tuple[bool, str]:
    """Stop offers and leave the staffed count."""
    return change_state(session, desk, agent_id, "logout")


def finish_wrap_up(session: Session, desk: Desk, agent_id: int) -> tuple[bool, str]:
    """End wrap-up early and take the next call."""
    return change_state(session, desk, agent_id, "finish_wrap")


def read_agent_state(app: Flask, agent_id: int) -> dict[str, Any]:
    """Return an agent's live state on the app's desk (the roster's views ask through this)."""
    return agent_status(desk_for(app), agent_id)


def agent_status(desk: Desk, agent_id: int, at: dt.datetime | None = None) -> dict[str, Any]:
    """Return an agent's live state and how long they have been in it."""
    fields = desk.acd.agent(agent_id)
    since = int(fields.get("since", 0) or 0)
    return {
        "agent_id": agent_id,
        "state": fields.get("state", "logged_out"),
        "seconds_in_state": (ms(at or now()) - since) / 1000 if since else None,
        "on_shift": fields.get("on_shift") == "1",
        "missed_offers": int(fields.get("missed", 0) or 0),
        "entry": fields.get("entry") or None,
    }


def queue_snapshot(desk: Desk, at: dt.datetime | None = None) -> dict[str, Any]:
    """Return waiting entries (position, tier, wait so far) and agents by state."""
    snapshot = desk.acd.snapshot(ms(at or now()))
    by_state = {state: 0 for state in STATES}
    for agent in snapshot["agents"]:
        by_state[agent["state"]] = by_state.get(agent["state"], 0) + 1
    return snapshot | {"agents_by_state": by_state, "staffed": desk.acd.staffed()}
