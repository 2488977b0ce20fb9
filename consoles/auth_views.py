"""Login, logout and the console's front door."""

from __future__ import annotations

import logging

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from accounts.audit import audit
from consoles import auth
from consoles.login_throttle import Throttle
from core.db import get_session

log = logging.getLogger("helpline.console")
bp = auth.secure_blueprint(
    Blueprint(
        "console_auth",
        __name__,
        url_prefix="/console",
        template_folder="templates",
        static_folder="static",
        static_url_path="/static",
    )
)


@bp.get("/")
@auth.login_required()
def home() -> Response | str:
    """Send supervisors to the wallboard; show others what they may use."""
    user = auth.current_user()
    if auth.has_role(user, "supervisor"):
        return redirect(url_for("console_board.wallboard"))
    if user is not None and user.agent_id is not None:
        return redirect(url_for("console_agent.desk"))
    return render_template("consoles/home.html")


@bp.get("/login")
def login() -> str:
    """Show the login form."""
    return render_template("consoles/login.html", next=request.args.get("next", ""))


@bp.post("/login")
def login_post() -> Response | tuple[str, int]:
    """Check the password (under the throttle), then start a fresh session."""
    session = get_session()
    form = request.form
    username, client = form.get("username", ""), request.remote_addr or "-"
    result = auth.authenticate(session, username, form.get("password", ""), client)
    if result.user is not None:
        audit(session, result.user.username, "login", "user", result.user.id)
    else:
        _refused(session, username, client, result)
    session.commit()
    if result.user is None:
        page = render_template("consoles/login.html", error=auth.LOGIN_REFUSED, next="")
        return page, 401
    auth.start_session(result.user)
    return redirect(auth.after_login_url(result.user, request.form.get("next")))


def _refused(session: Session, username: str, client: str, result: auth.LoginResult) -> None:
    """Log and audit a refused login, naming neither the typed username nor the address."""
    client_tag = Throttle.from_config(current_app.config).tag("addr", client)[:12]
    shown = auth.mask_username(username)
    log.warning(
        "console login refused user=%s reason=%s client=%s", shown, result.reason, client_tag
    )
    entity_id = result.user_id if result.user_id is not None else "unknown"
    audit(
        session, shown, "login_failed", "user", entity_id, reason=result.reason, client=client_tag
    )


@bp.post("/logout")
def logout() -> Response:
    """End the session and revoke its cookie server-side."""
    auth.end_session(get_session())
    flash("You have logged out.")
    return redirect(url_for("console_auth.login"))
