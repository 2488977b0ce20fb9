"""Roster editor pages: agents, shifts, opening hours, closures and the audit trail."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from sqlalchemy import select
from werkzeug.wrappers import Response

from accounts import audit
from consoles import auth, forms
from core.db import get_session
from roster import editing as rostering
from roster.editing import RosterError
from roster.hours import weekly_hours
from roster.models import Agent, Closure

bp = auth.secure_blueprint(Blueprint("console_roster", __name__, url_prefix="/console/roster"))
supervisor = auth.login_required("supervisor")
Page = Response | tuple[str, int] | str


def _actor() -> str:
    user = auth.current_user()
    return user.username if user else "unknown"


def _apply(change: Callable[[], Any], done: str, back: Callable[[list[str]], Page]) -> Page:
    """Run one roster service; commit and tell routing, or roll back and show why not."""
    session = get_session()
    try:
        change()
    except RosterError as error:
        session.rollback()
        return back(error.messages)
    session.commit()
    rostering.routing_changed(session, current_app._get_current_object())  # type: ignore[attr-defined]
    flash(done)
    back_to = request.form.get("back") or ""
    return redirect(back_to if auth.is_safe_next(back_to) else url_for(".agents"))


@bp.get("/")
@supervisor
def agents(errors: list[str] | None = None, status: int = 200) -> tuple[str, int]:
    """List agents and their weekly patterns."""
    rows = get_session().scalars(select(Agent).order_by(Agent.name)).all()
    page = render_template(
        "consoles/agents.html", agents=rows, errors=errors or [], form=request.form
    )
    return page, status


@bp.post("/agents")
@supervisor
def create_agent() -> Page:
    """Add an agent."""
    return _apply(
        lambda: rostering.save_agent(get_session(), _actor(), forms.agent_details(request.form)),
        "Agent added.",
        lambda errors: agents(errors, 422),
    )


@bp.get("/agents/<id:agent_id>")
@supervisor
def agent(agent_id: int, errors: list[str] | None = None, status: int = 200) -> tuple[str, int]:
    """Show one agent's details and shifts for editing."""
    row = get_session().get(Agent, agent_id) or abort(404)
    shifts = sorted(row.shifts, key=_shift_order)
    page = render_template(
        "consoles/agent.html",
        agent=row,
        shifts=shifts,
        weekdays=rostering.WEEKDAYS,
        errors=errors or [],
        form=request.form,
    )
    return page, status


def _shift_order(shift: Any) -> tuple[int, str, dt.time]:
    return (
        0 if shift.weekday is not None else 1,
        str(shift.on_date or shift.weekday),
        shift.starts,
    )


@bp.post("/agents/<id:agent_id>")
@supervisor
def update_agent(agent_id: int) -> Page:
    """Change an agent's details."""
    details = forms.agent_details(request.form)
    return _apply(
        lambda: rostering.save_agent(get_session(), _actor(), details, agent_id),
        "Agent saved.",
        lambda errors: agent(agent_id, errors, 422),
    )


@bp.post("/agents/<id:agent_id>/shifts")
@supervisor
def add_shift(agent_id: int) -> Page:
    """Add a weekly shift or a dated exception."""
    return _apply(
        lambda: rostering.add_shift(
            get_session(), _actor(), agent_id, forms.shift_details(request.form)
        ),
        "Shift added.",
        lambda errors: agent(agent_id, errors, 422),
    )


@bp.post("/shifts/<id:shift_id>")
@supervisor
def update_shift(shift_id: int) -> Page:
    """Change a shift."""
    agent_id = int(request.form.get("agent_id", "0") or 0)
    return _apply(
        lambda: rostering.update_shift(
            get_session(), _actor(), shift_id, forms.shift_details(request.form)
        ),
        "Shift saved.",
        lambda errors: agent(agent_id, errors, 422),
    )


@bp.post("/shifts/<id:shift_id>/delete")
@supervisor
def delete_shift(shift_id: int) -> Page:
    """Remove a shift."""
    agent_id = int(request.form.get("agent_id", "0") or 0)
    return _apply(
        lambda: rostering.delete_shift(get_session(), _actor(), shift_id),
        "Shift removed.",
        lambda errors: agent(agent_id, errors, 422),
    )


@bp.get("/hours")
@supervisor
def hours(errors: list[str] | None = None, status: int = 200) -> tuple[str, int]:
    """Show opening hours per weekday and dated closures."""
    session = get_session()
    closures = session.scalars(select(Closure).order_by(Closure.on_date)).all()
    page = render_template(
        "consoles/hours.html",
        week=weekly_hours(session),
        weekdays=rostering.WEEKDAYS,
        closures=closures,
        errors=errors or [],
    )
    return page, status


@bp.post("/hours")
@supervisor
def save_hours() -> Page:
    """Replace the weekly opening hours."""
    return _apply(
        lambda: rostering.set_opening_hours(
            get_session(), _actor(), forms.week_hours(request.form)
        ),
        "Opening hours saved.",
        lambda errors: hours(errors, 422),
    )


@bp.post("/closures")
@supervisor
def add_closure() -> Page:
    """Close the desk on a date."""
    return _apply(
        lambda: rostering.add_closure(
            get_session(),
            _actor(),
            forms.date(request.form, "on_date", "Date"),
            forms.text(request.form, "reason"),
        ),
        "Closure added.",
        lambda errors: hours(errors, 422),
    )


@bp.post("/closures/<on_date>/delete")
@supervisor
def remove_closure(on_date: str) -> Page:
    """Reopen the desk on a date."""
    return _apply(
        lambda: rostering.remove_closure(
            get_session(), _actor(), forms.date({"d": on_date}, "d", "Date")
        ),
        "Closure removed.",
        lambda errors: hours(errors, 422),
    )


@bp.get("/audit")
@supervisor
def audit_trail() -> str:
    """Show who changed what, and when."""
    return render_template("consoles/audit.html", records=audit.recent(get_session()))
