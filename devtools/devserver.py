"""`helpline dev`: the whole helpline on one machine, with the Twilio emulator and demo data."""

from __future__ import annotations

import json
import logging
import os
import secrets
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.serving import run_simple

from core.embedded_redis import EmbeddedRedis
from core.paths import ROOT, default_database_url, instance_dir
from roster.models import Agent

DEV_ACCOUNT_SID = "AC" + "0" * 32
DEV_AUTH_TOKEN = "dev-auth-token"  # noqa: S105 - for the local emulator, not a secret
DEV_NUMBER = "+442071838750"
DEMO_AGENTS = ("alice", "bob")


def prepare_environment(port: int, emulator_port: int) -> dict[str, str]:
    """Fill in local settings (shared with the worker process) and return them."""
    env = {
        "HELPLINE_ENV": "development",
        "PORT": str(port),
        "DATABASE_URL": os.environ.get("DATABASE_URL") or default_database_url(),
        "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
        "TWILIO_API_BASE_URL": f"http://127.0.0.1:{emulator_port}",
        "TWILIO_ACCOUNT_SID": DEV_ACCOUNT_SID,
        "TWILIO_AUTH_TOKEN": DEV_AUTH_TOKEN,
        "HELPLINE_NUMBER": DEV_NUMBER,
        "SESSION_COOKIE_SECURE": "false",
    }
    if not os.environ.get("REDIS_URL"):
        env["REDIS_URL"] = EmbeddedRedis(str(instance_dir() / "redis")).url
    os.environ.update(env)
    return env


def start_emulator(app: Flask, emulator_port: int) -> object:
    """Start the Twilio emulator in this process, with demo agents that answer by themselves."""
    from emulator import Emulator, Party

    emu = Emulator(
        helpline_url=app.config["PUBLIC_BASE_URL"],
        account_sid=app.config["TWILIO_ACCOUNT_SID"],
        auth_token=app.config["TWILIO_AUTH_TOKEN"],
        helpline_number=app.config["HELPLINE_NUMBER"],
        openapi_spec=os.environ.get("TWILIO_OPENAPI_SPEC"),
    )
    for identity in DEMO_AGENTS:
        emu.add_party(f"client:{identity}", Party(answer_after=3, talk_for=45))
    emu.start("127.0.0.1", emulator_port)
    return emu


def start_worker(log_file: Path) -> subprocess.Popen[bytes]:
    """Run `helpline worker` beside the web process, its routine logs in `log_file`."""
    command = [sys.executable, "-c", "import cli; cli.main()", "worker", "--log-file"]
    return subprocess.Popen(  # noqa: S603 - our own interpreter, command and path
        [*command, str(log_file)],
        cwd=ROOT,
        env=os.environ | {"PYTHONPATH": str(ROOT)},
        # Its own session: a terminal's Ctrl-C reaches us, and we stop the worker in order.
        start_new_session=True,
    )


def calls_and_problems(record: logging.LogRecord) -> bool:
    """Pass a request line only for a call arriving (/voice/incoming), and every warning."""
    return record.levelno >= logging.WARNING or "/voice/incoming" in record.getMessage()


def _stop_on_signals() -> None:
    """Turn SIGINT and SIGTERM into KeyboardInterrupt, even if a shell ignored SIGINT."""

    def interrupt(_signum: int, _frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGINT, interrupt)
    signal.signal(signal.SIGTERM, interrupt)


def run(port: int, emulator_port: int, on_ready: Callable[[Flask], list[str]]) -> None:
    """Migrate, seed, start emulator and worker, then serve the web app until Ctrl-C."""
    from app import create_app
    from core.migrate import upgrade

    prepare_environment(port, emulator_port)
    app = create_app()
    # Each softphone poll and webhook would be logged: show calls arriving and problems only.
    logging.getLogger("werkzeug").addFilter(calls_and_problems)
    upgrade(app.config["DATABASE_URL"])
    lines = on_ready(app)
    emu = start_emulator(app, emulator_port)
    worker_log = instance_dir() / "logs" / "worker.log"
    worker = start_worker(worker_log)
    lines.append(f"Worker logs (jobs, sweeps): {worker_log}")
    print("\n".join(banner(port, emulator_port, lines)), flush=True)
    _stop_on_signals()
    try:
        run_simple("127.0.0.1", port, app, threaded=True, use_reloader=False)
    except KeyboardInterrupt:
        print("stopping", flush=True)
    finally:
        worker.terminate()
        worker.wait(timeout=15)
        emu.stop()  # type: ignore[attr-defined]


def seed_demo(app: Flask, agents_available: bool) -> list[str]:
    """Load the demo data, console logins and (if asked) make the demo agents available."""
    from core.db import session_factory
    from devtools.demo import seed
    from queueing.agents import go_available
    from queueing.desk import desk_for

    with app.app_context(), session_factory(app)() as session:
        lines = seed(session)
        session.commit()
        if agents_available:
            demo = session.scalars(select(Agent).where(Agent.client_identity.in_(DEMO_AGENTS)))
            for agent in demo:
                go_available(session, desk_for(app), agent.id)
            lines.append("They are available now, and the emulator answers for them.")
        logins = demo_logins(session, instance_dir())
        session.commit()
    console = f"http://127.0.0.1:{app.config['PORT']}/console/"
    return [
        *lines,
        f"Consoles at {console} (user / password; kept in instance/demo-logins.json):",
        *logins,
        "An agent who opens their desk page answers calls there instead of the emulator.",
    ]


def demo_logins(session: Session, folder: Path) -> list[str]:
    """Create console logins for the demo (once), keeping their passwords in instance/ only."""
    from consoles.auth import create_user, find_user

    store = folder / "demo-logins.json"
    logins: dict[str, str] = json.loads(store.read_text()) if store.exists() else {}
    agents = {a.client_identity: a.id for a in session.scalars(select(Agent))}
    for username, role in (("supervisor", "supervisor"), *((a, "agent") for a in DEMO_AGENTS)):
        if find_user(session, username) is None:
            logins[username] = secrets.token_urlsafe(12)
            create_user(session, username, logins[username], role, agents.get(username))
    store.write_text(json.dumps(logins))
    store.chmod(0o600)
    return [f"  {name} / {password}" for name, password in logins.items()]


def banner(port: int, emulator_port: int, lines: list[str]) -> list[str]:
    """Say what is running and how to call it."""
    venv_helpline = Path(sys.executable).parent / "helpline"
    return [
        "",
        f"Helpline is running at http://127.0.0.1:{port} (Twilio emulator on :{emulator_port}).",
        *lines,
        "",
        "Call it from another terminal:",
        f"  {venv_helpline} call",
        f"or in a browser: http://127.0.0.1:{emulator_port}/",
        "Press Ctrl-C to stop.",
        "",
    ]
