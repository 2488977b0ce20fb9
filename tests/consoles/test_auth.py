"""Console login, lockout, roles, CSRF, cookies and security headers."""

from __future__ import annotations

import logging
import statistics
import time

import pytest
from flask import Flask
from sqlalchemy import select

from accounts.models import AuditRecord, User
from cli import main as cli_main
from consoles.auth import LOGIN_REFUSED
from roster.models import Agent, Shift
from tests.consoles.conftest import PASSWORD, Console


def _user(app: Flask, name: str) -> User:
    with app.extensions["helpline.sessionmaker"]() as session:
        return session.scalars(select(User).where(User.username == name)).one()


def test_supervisor_login_lands_on_wallboard_and_is_audited(app: Flask, console: Console) -> None:
    """A right password starts a session, goes to the wallboard and leaves an audit row."""
    response = console.login("sue")
    assert response.status_code == 302
    assert response.headers["Location"] == "/console/"
    assert console.get("/console/").headers["Location"] == "/console/wallboard"
    assert console.get("/console/wallboard").status_code == 200
    with app.extensions["helpline.sessionmaker"]() as session:
        record = session.scalars(select(AuditRecord)).one()
        assert (record.actor, record.action, record.entity) == ("sue", "login", "user")


def test_login_rotates_the_csrf_token(console: Console) -> None:
    """A fresh session (and token) after login, so a planted session cannot be reused."""
    console.get("/console/login")
    before = console.token()
    console.post("/console/login", {"username": "sue", "password": PASSWORD})
    assert console.token() and console.token() != before


def test_wrong_password_and_unknown_user_get_the_same_refusal(console: Console) -> None:
    """Neither answer tells an attacker which usernames exist."""
    wrong = console.login("sue", "not the password")
    unknown = console.login("nobody", "not the password")
    assert wrong.status_code == unknown.status_code == 401
    assert LOGIN_REFUSED in wrong.text and LOGIN_REFUSED in unknown.text


def _from(console: Console, address: str) -> Console:
    """The same browser, seen as coming from another client address."""
    console.client.environ_base["REMOTE_ADDR"] = address
    return console


def test_repeated_failures_pause_that_client_only(app: Flask, console: Console) -> None:
    """Five failures from one address refuse even the right password there, not elsewhere."""
    attacker = _from(console, "198.51.100.7")
    for _ in range(app.config["CONSOLE_LOCKOUT_FAILURES"]):
        assert attacker.login("sue", "guess").status_code == 401
    assert attacker.login("sue").status_code == 401
    assert attacker.get("/console/wallboard").status_code == 302
    colleague = Console(app.test_client())
    assert _from(colleague, "192.0.2.10").login("sue").status_code == 302


def test_many_failures_from_many_clients_lock_the_user(app: Flask, console: Console) -> None:
    """The slower per-user cap bounds a distributed guesser, whatever the address."""
    app.config["CONSOLE_USER_LOCKOUT_FAILURES"] = 8
    for n in range(8):
        assert _from(console, f"198.51.100.{n}").login("sue", "guess").status_code == 401
    assert _from(console, "192.0.2.10").login("sue").status_code == 401


def test_success_resets_the_clients_failures(app: Flask, console: Console) -> None:
    """Failures below the limit are forgotten after a successful login from that address."""
    for _ in range(app.config["CONSOLE_LOCKOUT_FAILURES"] - 1):
        console.login("sue", "guess")
    assert console.login("sue").status_code == 302
    console.post("/console/logout", {})
    assert console.login("sue", "guess").status_code == 401
    assert console.login("sue").status_code == 302


def test_locked_accounts_take_as_long_as_wrong_passwords(app: Flask, console: Console) -> None:
    """A throttled login still does the password hash work, so timing does not reveal it."""

    def median_seconds(username: str) -> float:
        times = []
        for _ in range(5):
            started = time.perf_counter()
            assert console.login(username, "guess").status_code == 401
            times.append(time.perf_counter() - started)
        return statistics.median(times)

    app.config["CONSOLE_LOCKOUT_FAILURES"] = 1
    console.login("sue", "guess")
    locked = median_seconds("sue")
    unlocked = median_seconds("nobody")
    assert locked > 0.5 * unlocked, (locked, unlocked)


def test_failed_logins_are_logged_masked_and_audited(
    app: Flask, console: Console, caplog: pytest.LogCaptureFixture
) -> None:
    """A refusal leaves a log line and an audit row, with the username masked."""
    with caplog.at_level(logging.WARNING, logger="helpline.console"):
        console.login("sue", "guess")
        console.login("my-password-typed-here", "guess")
    logged = " ".join(r.getMessage() for r in caplog.records)
    assert "login refused" in logged and "s***" in logged
    assert "sue" not in logged and "my-password" not in logged and "127.0.0.1" not in logged
    with app.extensions["helpline.sessionmaker"]() as session:
        rows = session.scalars(select(AuditRecord).order_by(AuditRecord.id)).all()
    assert [(r.action, r.actor, r.entity_id) for r in rows] == [
        ("login_failed", "s***", str(_user(app, "sue").id)),
        ("login_failed", "m***", "unknown"),
    ]
    assert rows[0].detail["reason"] == "wrong_password"


def test_anonymous_visitors_are_sent_to_login(console: Console) -> None:
    """Console pages and data need a login."""
    for path in ("/console/wallboard", "/console/wallboard.json", "/console/roster/"):
        response = console.get(path)
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/console/login?next=")


def test_agent_cannot_see_or_edit_the_roster(app: Flask, console: Console) -> None:
    """The agent role gets 403 on roster pages and posts, and nothing changes."""
    with app.extensions["helpline.sessionmaker"]() as session:
        agent = Agent(name="Alice", client_identity="alice")
        session.add(agent)
        session.commit()
        agent_id = agent.id
    assert console.login("alan").status_code == 302
    assert console.get("/console/roster/").status_code == 403
    assert console.get("/console/wallboard").status_code == 403
    shift = {"when": "0", "kind": "work", "starts": "08:00", "ends": "12:00"}
    assert console.post(f"/console/roster/agents/{agent_id}/shifts", shift).status_code == 403
    assert console.post("/console/roster/hours", {"closed_0": "on"}).status_code == 403
    with app.extensions["helpline.sessionmaker"]() as session:
        assert session.scalars(select(Shift)).all() == []


def test_admin_may_do_what_a_supervisor_may(console: Console) -> None:
    """Admins pass every role check."""
    console.login("ada")
    assert console.get("/console/roster/").status_code == 200


def test_posts_without_a_csrf_token_are_refused(app: Flask, supervisor: Console) -> None:
    """A form post with no token, or a wrong one, is refused and changes nothing."""
    form = {"name": "Eve", "client_identity": "eve", "languages": "en-GB", "active": "on"}
    assert supervisor.client.post("/console/roster/agents", data=form).status_code == 400
    wrong = {**form, "csrf_token": "forged"}
    assert supervisor.client.post("/console/roster/agents", data=wrong).status_code == 400
    with app.extensions["helpline.sessionmaker"]() as session:
        assert session.scalars(select(Agent)).all() == []
    assert supervisor.post("/console/roster/agents", form).status_code == 302


def test_login_form_itself_needs_the_csrf_token(console: Console) -> None:
    """Login CSRF: a cross-site login post is refused before the password is checked."""
    response = console.client.post("/console/login", data={"username": "sue", "password": PASSWORD})
    assert response.status_code == 400


def test_security_headers_on_console_pages(supervisor: Console) -> None:
    """CSP without inline scripts, no framing, no caching of personal data, no referrer."""
    response = supervisor.get("/console/roster/")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_refused_posts_carry_the_security_headers_too(console: Console) -> None:
    """Error responses are hardened as well."""
    response = console.client.post("/console/login", data={})
    assert response.headers["X-Frame-Options"] == "DENY"


def test_session_cookie_flags(app: Flask, console: Console) -> None:
    """HttpOnly and SameSite=Lax always; Secure when SESSION_COOKIE_SECURE is on (default)."""
    app.config["SESSION_COOKIE_SECURE"] = True
    console.client.get("/console/login")
    with console.client.session_transaction() as session:
        token = session["csrf_token"]
    response = console.client.post(
        "/console/login",
        data={"username": "sue", "password": PASSWORD, "csrf_token": token},
        base_url="https://localhost",
    )
    cookie = response.headers["Set-Cookie"]
    parts = {p.strip().split("=")[0].lower() for p in cookie.split(";")}
    assert {"httponly", "secure"} <= parts
    assert "SameSite=Lax" in cookie


def test_logout_ends_the_session(supervisor: Console) -> None:
    """After logout the console needs a login again."""
    assert supervisor.post("/console/logout", {}).status_code == 302
    assert supervisor.get("/console/wallboard").status_code == 302


def test_logout_revokes_a_copied_session_cookie(app: Flask, supervisor: Console) -> None:
    """A session cookie saved before logout no longer opens the console after it."""
    cookie = supervisor.client.get_cookie("helpline_session")
    assert cookie is not None
    assert supervisor.get("/console/wallboard").status_code == 200
    supervisor.post("/console/logout", {})
    thief = app.test_client()
    thief.set_cookie("helpline_session", cookie.value)
    assert thief.get("/console/wallboard").status_code == 302


def test_create_user_command_prompts_without_echo(app: Flask) -> None:
    """`helpline create-user` stores a hash, never the password, and does not print it."""
    runner = app.test_cli_runner()
    secret = "a long enough password"
    result = runner.invoke(
        cli_main, ["create-user", "boss", "--role", "admin"], input=f"{secret}\n{secret}\n"
    )
    assert result.exit_code == 0, result.output
    assert secret not in result.output
    user = _user(app, "boss")
    assert user.role == "admin" and user.password_hash != secret
    short = runner.invoke(cli_main, ["create-user", "tiny", "--role", "agent"], input="x\nx\n")
    assert short.exit_code != 0


def test_login_redirects_only_within_the_site(console: Console) -> None:
    """A 'next' pointing off-site is ignored; one on-site is followed."""
    console.get("/console/login")
    form = {"username": "sue", "password": PASSWORD, "next": "//evil.example/"}
    assert console.post("/console/login", form).headers["Location"] == "/console/"
    form["next"] = "/console/roster/hours"
    assert console.post("/console/login", form).headers["Location"] == "/console/roster/hours"


@pytest.mark.parametrize(
    "target",
    [
        "/\t/evil.example/",
        "/\n/evil.example/",
        "/\\evil.example",
        "/\r\nSet-Cookie: x=1",
        "/console\r\nLocation: //evil.example",
        "https://evil.example/",
        "/%0d%0a",
        "/\x00/evil.example",
        " //evil.example",
    ],
)
def test_login_refuses_every_off_site_or_broken_next(console: Console, target: str) -> None:
    """Tab tricks, backslashes and CR/LF in 'next' fall back to the console, never a 500."""
    console.get("/console/login")
    form = {"username": "sue", "password": PASSWORD, "next": target}
    response = console.post("/console/login", form)
    assert response.status_code == 302
    assert response.headers["Location"] in ("/console/", target)
    assert response.headers["Location"] == "/console/" or target == "/%0d%0a"
