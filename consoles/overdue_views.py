"""Supervisors see which victims are owed an update under the Victims' Code."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from flask import Blueprint, current_app, render_template

from consoles import auth
from consoles.overdue import overdue
from core.clock import now
from core.db import get_session

bp = auth.secure_blueprint(Blueprint("console_overdue", __name__, url_prefix="/console"))


@bp.get("/overdue")
@auth.login_required("supervisor")
def overdue_cases() -> str:
    """List overdue cases, most overdue first."""
    today = now().astimezone(ZoneInfo(current_app.config["TIMEZONE"])).date()
    return render_template("consoles/overdue.html", rows=overdue(get_session(), today), today=today)
