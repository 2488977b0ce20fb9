"""Console login, roles, CSRF and security headers: the piece every console reuses.

A console blueprint calls `secure_blueprint(bp)` once and wraps views in `login_required`.
"""

from __future__ import annotations

import functools
import hmac
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from accounts.models import User
from consoles import login_throttle
from consoles.login_throttle import Throttle
from core.db import get_session
from core.redis_conn import get_redis

CONSOLE_ROLES = ("agent", "supervisor", "admin")
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
MIN_PASSWORD_LENGTH = 12
# 'self' only: every script and stylesheet is a static file, so no inline code is allowed.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)
# Shown for a wrong password, an unknown user and a locked account alike, so the login form
# does not reveal which usernames exist or which are locked.
LOGIN_REFUSED = "That username and password did not work, or the account is locked for now."


class UserError(ValueError):
    """A user could not be created (bad name, role or password)."""


@dataclass(frozen=True)
class LoginResult:
    """The outcome of a login attempt (reason and user_id are for the audit trail)."""

    user: User | None
    reason: str = "ok"
    user_id: int | None = None


def create_user(
    session: Session, username: str, password: str, role: str, agent_id: int | None = None
) -> User:
    """Add a console user with a salted password hash."""
    username = username.strip()
    if not username or len(username) > 100:
        raise UserError("a username of 1 to 100 characters is required")
    if role not in CONSOLE_ROLES:
        raise UserError(f"role must be one of {', '.join(CONSOLE_ROLES)}")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise UserError(f"the password needs at least {MIN_PASSWORD_LENGTH} characters")
    if find_user(session, username) is not None:
        raise UserError(f"a user called {username} already exists")
    user = User(
        username=username,
        password_hash=generate_password_hash(password),
        role=role,
        agent_id=agent_id,
        session_version=0,
    )
    session.add(user)
    session.flush()
    return user


def mask_username(username: str) -> str:
    """Show only a username's first character (a password typed as a name stays hidden)."""
    name = username.strip()
    return (name[:1] + "***") if name else "<empty>"


def find_user(session: Session, username: str) -> User | None:
    """Return the user with this username (case-insensitive)."""
    return session.scalar(select(User).where(func.lower(User.username) == username.lower()))


def authenticate(session: Session, username: str, password: str, client: str) -> LoginResult:
    """Check a password under the login throttle; the hash is always computed.

    Unknown, throttled and wrong all cost one password hash, so timing does not tell an
    attacker which usernames exist or which are locked.
    """
    user = find_user(session, username.strip())
    if user is None or user.role not in CONSOLE_ROLES:
        check_password_hash(_dummy_hash(), password)
        return LoginResult(None, reason="unknown_user")
    redis, throttle = get_redis(), Throttle.from_config(current_app.config)
    locked = login_throttle.is_throttled(redis, throttle, user.id, client)
    matches = check_password_hash(user.password_hash, password)
    if locked:
        return LoginResult(None, reason="throttled", user_id=user.id)
    if not matches:
        login_throttle.count_failure(redis, throttle, user.id, client)
        return LoginResult(None, reason="wrong_password", user_id=user.id)
    login_throttle.forget_client(redis, throttle, user.id, client)
    return LoginResult(user, user_id=user.id)


@functools.cache
def _dummy_hash() -> str:
    return generate_password_hash(secrets.token_hex(16))


def start_session(user: User) -> None:
    """Log `user` in with a fresh session (no fixation) and a fresh CSRF token."""
    session.clear()
    session.permanent = True
    session["user_id"] = user.id
    session["session_version"] = user.session_version
    session[CSRF_FIELD] = secrets.token_urlsafe(32)


def end_session(db: Session) -> None:
    """Log out, revoking this user's session cookies server-side (a copy no longer works)."""
    user = current_user()
    if user is not None:
        user.session_version += 1
        db.commit()
    session.clear()


def current_user() -> User | None:
    """Return the logged-in console user for this request, if any."""
    if "console_user" not in g:
        user_id = session.get("user_id")
        user = get_session().get(User, user_id) if user_id is not None else None
        current = (
            user is not None
            and user.role in CONSOLE_ROLES
            and session.get("session_version") == user.session_version
        )
        g.console_user = user if current else None
    return g.console_user


def has_role(user: User | None, *roles: str) -> bool:
    """Say whether `user` may act in one of `roles` (admin may do everything)."""
    return user is not None and (user.role == "admin" or user.role in roles)


def login_required(*roles: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Let the view run only for a logged-in user with one of `roles` (any role if none)."""

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            user = current_user()
            if user is None:
                return redirect(url_for("console_auth.login", next=request.full_path))
            if roles and not has_role(user, *roles):
                return forbidden()
            return view(*args, **kwargs)

        return wrapper

    return decorate


def forbidden() -> tuple[str, int]:
    """Render the 'not allowed' page."""
    return render_template("consoles/forbidden.html"), 403


def csrf_token() -> str:
    """Return this session's CSRF token, creating one for anonymous sessions (login form)."""
    if CSRF_FIELD not in session:
        session[CSRF_FIELD] = secrets.token_urlsafe(32)
    return str(session[CSRF_FIELD])


def check_csrf() -> None:
    """Refuse any state-changing request whose CSRF token is missing or wrong."""
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    expected = session.get(CSRF_FIELD)
    given = request.form.get(CSRF_FIELD) or request.headers.get(CSRF_HEADER) or ""
    if not expected or not hmac.compare_digest(str(expected), given):
        abort(400, description="The form's security token is missing or out of date.")


def security_headers(response: Response) -> Response:
    """Add the headers every console response carries."""
    response.headers["Content-Security-Policy"] = CSP
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
    if request.endpoint != "static" and not request.path.startswith("/console/static/"):
        # Console pages show names, numbers and case details: keep them out of caches.
        response.headers["Cache-Control"] = "no-store"
    return response


def secure_blueprint(bp: Blueprint) -> Blueprint:
    """Give a console blueprint CSRF checks on every POST and the security headers."""
    bp.before_request(check_csrf)
    bp.after_request(security_headers)
    return bp


def is_safe_next(target: str | None) -> bool:
    """Say whether a redirect target is a same-site path (not //host, a URL or a header break).

    Browsers drop tabs and newlines inside URLs and treat a backslash as `/`, so `/<tab>/host`
    and `/<backslash>host` mean `//host`: control characters, whitespace and backslashes are
    refused (a CR or LF would also break the Location header).
    """
    if not target or not target.startswith("/") or target.startswith("//"):
        return False
    if any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 or ch == "\\" for ch in target):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc


def after_login_url(user: User, target: str | None) -> str:
    """Return where to send a user after login."""
    if is_safe_next(target):
        return str(target)
    return url_for("console_auth.home")
