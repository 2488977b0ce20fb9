"""The live wallboard and the staffing chart."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from flask import Blueprint, current_app, jsonify, render_template
from werkzeug.wrappers import Response

from consoles import auth, demand
from consoles import wallboard as board
from core.clock import now
from core.db import get_session

bp = auth.secure_blueprint(Blueprint("console_board", __name__, url_prefix="/console"))
supervisor = auth.login_required("supervisor")


@bp.get("/wallboard")
@supervisor
def wallboard() -> str:
    """Render the wallboard; static/wallboard.js keeps it current."""
    data, config = _snapshot(), current_app.config
    return render_template(
        "consoles/wallboard.html",
        board=data,
        poll_ms=int(config["WALLBOARD_POLL_SECONDS"] * 1000),
        terms=board.definitions(config["SERVICE_LEVEL_SECONDS"]),
        timezone=config["TIMEZONE"],
    )


@bp.get("/wallboard.json")
@supervisor
def wallboard_data() -> Response:
    """Return the wallboard's figures for the page to poll."""
    return jsonify(_snapshot())


def _snapshot() -> dict[str, Any]:
    at = now()
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    return board.snapshot(get_session(), at, app.config, board.live_state(app, at))


@bp.get("/staffing")
@supervisor
def staffing() -> str:
    """Chart today's rostered agents against what Erlang C says recent demand needs."""
    config = current_app.config
    today = now().astimezone(ZoneInfo(config["TIMEZONE"])).date()
    intervals = demand.staffing_for_day(get_session(), today, config)
    return render_template(
        "consoles/staffing.html",
        day=today,
        intervals=intervals,
        bars=demand.chart(intervals),
        shortfalls=[i for i in intervals if i.shortfall],
        target=config["STAFFING_SL_TARGET"],
        target_seconds=config["SERVICE_LEVEL_SECONDS"],
        shrinkage=config["STAFFING_SHRINKAGE"],
    )
