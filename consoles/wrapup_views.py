"""Supervisors read agents' wrap-ups: outcome codes and notes of recent calls."""

from __future__ import annotations

from flask import Blueprint, render_template
from sqlalchemy import select

from calls.models import Call
from cases.models import Case
from consoles import auth
from consoles.agent_desk import WRAP_OUTCOMES
from core.db import get_session
from roster.models import Agent

bp = auth.secure_blueprint(Blueprint("console_wrapups", __name__, url_prefix="/console"))
RECENT = 200


@bp.get("/wrap-ups")
@auth.login_required("supervisor")
def wrap_ups() -> str:
    """List the latest wrapped-up calls with their agent, case, outcome and notes."""
    rows = get_session().execute(
        select(Call, Agent.name, Case.crime_reference)
        .join(Agent, Agent.id == Call.agent_id)
        .outerjoin(Case, Case.id == Call.case_id)
        .where(Call.wrap_outcome.is_not(None))
        .order_by(Call.agent_ended_at.desc(), Call.id.desc())
        .limit(RECENT)
    )
    return render_template("consoles/wrap_ups.html", rows=rows.all(), labels=dict(WRAP_OUTCOMES))
