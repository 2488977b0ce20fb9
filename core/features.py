"""The hook features plug into: what each feature's `init_app(app)` registers on the app.

A feature package exposes `init_app(app)`; `app.py` calls each one in order (its FEATURES
list). There it registers its blueprints with Flask and, with the functions below, its
periodic jobs, the handler that offers its queue entries to agents, what to do when a call
ends, and its part of the OpenAPI document. All of it lives on `app.extensions["helpline"]`,
one registry per app, so nothing registers itself on import and jobs are callables.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from flask import Flask

EXTENSION = "helpline"


class Feature(Protocol):
    """A feature package: its `init_app(app)` registers everything it brings."""

    def init_app(self, app: Flask) -> None:
        """Register the feature's blueprints, jobs, offer handlers and API description."""


@dataclass(frozen=True)
class PeriodicJob:
    """A job the worker enqueues every `seconds` (once per interval across all workers)."""

    func: Callable[[], object]
    seconds: int

    @property
    def name(self) -> str:
        """Return the job's dotted path (RQ's name for it, and its lock key)."""
        return f"{self.func.__module__}.{self.func.__qualname__}"


@dataclass
class Registry:
    """What the app's features registered: jobs, offer and call-ended handlers, API fragments."""

    periodic: list[PeriodicJob] = field(default_factory=list)
    # Queue entry kind ("call", "cb") -> handler(session, desk, offer) -> bool (queueing.service)
    offer_handlers: dict[str, Callable[..., bool]] = field(default_factory=dict)
    openapi: list[dict[str, Any]] = field(default_factory=list)
    # Told when a call has ended (Twilio's final status): handler(app, session, call, at)
    call_ended: list[Callable[..., None]] = field(default_factory=list)
    # Told after a committed roster edit (agents, shifts, hours): handler(app, session)
    roster_changed: list[Callable[..., None]] = field(default_factory=list)
    # Reads an agent's live state for the roster's views: reader(app, agent_id) -> dict
    agent_state: Callable[..., dict[str, Any]] | None = None


def registry(app: Flask) -> Registry:
    """Return the app's registry (created empty on first use)."""
    found = app.extensions.get(EXTENSION)
    if found is None:
        found = app.extensions[EXTENSION] = Registry()
    return found


def add_periodic_job(app: Flask, func: Callable[[], object], seconds: int) -> None:
    """Have `helpline worker` run `func` every `seconds` (a module-level function, for RQ)."""
    if seconds <= 0:
        raise ValueError(f"{func.__qualname__}: interval must be positive, not {seconds}")
    registry(app).periodic.append(PeriodicJob(func, seconds))


def add_offer_handler(app: Flask, kind: str, handler: Callable[..., bool]) -> None:
    """Make `handler` the way queue entries `<kind>:<id>` are offered to the agent chosen."""
    handlers = registry(app).offer_handlers
    if kind in handlers:
        raise ValueError(f"queue entry kind {kind!r} already has an offer handler")
    handlers[kind] = handler


def add_call_ended_handler(app: Flask, handler: Callable[..., None]) -> None:
    """Have `handler(app, session, call, at)` run when a call's final status arrives."""
    registry(app).call_ended.append(handler)


def add_roster_changed_handler(app: Flask, handler: Callable[..., None]) -> None:
    """Have `handler(app, session)` run after a committed roster edit, so it applies at once."""
    registry(app).roster_changed.append(handler)


def set_agent_state_reader(app: Flask, reader: Callable[..., dict[str, Any]]) -> None:
    """Say how the roster reads an agent's live state: `reader(app, agent_id) -> dict`."""
    registry(app).agent_state = reader


def agent_state(app: Flask, agent_id: int) -> dict[str, Any]:
    """Return an agent's live state from the registered reader (logged out if none)."""
    reader = registry(app).agent_state
    if reader is None:
        return {"state": "logged_out", "on_shift": False}
    return reader(app, agent_id)


def add_openapi(app: Flask, fragment: dict[str, Any]) -> None:
    """Add a feature's OpenAPI `{"paths": ..., "schemas": ...}` to /api/openapi.json."""
    registry(app).openapi.append(fragment)
