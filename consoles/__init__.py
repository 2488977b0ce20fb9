"""Supervisor (and later agent) consoles: server-rendered pages behind a login."""

from __future__ import annotations

import datetime as dt

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the console blueprints and harden the session cookie."""
    from consoles import auth, filters
    from consoles.agent_views import bp as agent_bp
    from consoles.auth_views import bp as auth_bp
    from consoles.board_views import bp as board_bp
    from consoles.optout_views import bp as optouts_bp
    from consoles.overdue_views import bp as overdue_bp
    from consoles.roster_views import bp as roster_bp
    from consoles.wrapup_views import bp as wrapups_bp

    app.config.update(
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_NAME="helpline_session",
        PERMANENT_SESSION_LIFETIME=dt.timedelta(hours=app.config["CONSOLE_SESSION_HOURS"]),
    )
    app.jinja_env.globals.update(
        csrf_token=auth.csrf_token, current_user=auth.current_user, has_role=auth.has_role
    )
    filters.init_app(app)
    for bp in (auth_bp, roster_bp, board_bp, agent_bp, wrapups_bp, overdue_bp, optouts_bp):
        app.register_blueprint(bp)
