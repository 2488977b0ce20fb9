"""Login, logout and the console's front door."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from accounts.audit import audit
from consoles import auth
from core.clock import now
from core.db import get_session

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
    if auth.has_role(auth.current_user(), "supervisor"):
        return redirect(url_for("console_board.wallboard"))
    return render_template("consoles/home.html")


@bp.get("/login")
def login() -> str:
    """Show the login form."""
    return render_template("consoles/login.html", next=request.args.get("next", ""))


@bp.post("/login")
def login_post() -> Response | tuple[str, int]:
    """Check the password (with lockout), then start a fresh session."""
    session = get_session()
    form = request.form
    result = auth.authenticate(session, form.get("username", ""), form.get("password", ""), now())
    if result.user is not None:
        audit(session, result.user.username, "login", "user", result.user.id)
    session.commit()
    if result.user is None:
        page = render_template("consoles/login.html", error=auth.LOGIN_REFUSED, next="")
        return page, 401
    auth.start_session(result.user)
    return redirect(auth.after_login_url(result.user, request.form.get("next")))


@bp.post("/logout")
def logout() -> Response:
    """End the session."""
    auth.end_session()
    flash("You have logged out.")
    return redirect(url_for("console_auth.login"))
