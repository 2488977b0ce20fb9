"""Start the real stack for one simulated day: Redis, the Procfile's web and worker, the emulator.

The web process is the Procfile's `web` command (gunicorn) bound to loopback, the worker is
its `worker` command; both read the same environment, including the simulated clock.
"""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests

from core.clock import SIMULATED_CLOCK, Scale
from core.embedded_redis import EmbeddedRedis
from core.paths import ROOT

ACCOUNT_SID = "AC" + "5" * 32
# Worker processes (the Procfile's worker, scaled to two as a deployment would): on a clock
# running 72x, one RQ worker spends most of its time on the periodic sweeps.
WORKERS = 2
NUMBER = "+442071838750"


def free_port() -> int:
    """Return a loopback port nobody is listening on (the OS's choice)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def procfile_command(kind: str) -> str:
    """Return the Procfile's command for `kind`, bound to loopback only."""
    for line in (ROOT / "Procfile").read_text().splitlines():
        name, _, command = line.partition(":")
        if name.strip() == kind:
            return command.strip().replace("0.0.0.0", "127.0.0.1")  # noqa: S104 - replaced
    raise LookupError(f"the Procfile has no {kind} process")


@dataclass
class Stack:
    """The running processes and where to reach them."""

    env: dict[str, str]
    web_url: str
    processes: list[subprocess.Popen[bytes]]
    logs: Path

    def check_alive(self) -> None:
        """Fail loudly if the web or worker process has died."""
        for process in self.processes:
            if process.poll() is not None:
                raise RuntimeError(f"a stack process exited ({process.args!r}); see {self.logs}")


def environment(
    folder: Path,
    database_url: str,
    redis_url: str,
    scale: Scale,
    port: int,
    emulator_url: str,
    settings: Mapping[str, Any],
) -> dict[str, str]:
    """Return the settings every process of this run shares."""
    env = {
        "HELPLINE_ENV": "development",
        "HELPLINE_INSTANCE_DIR": str(folder),
        "PORT": str(port),
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
        "TWILIO_API_BASE_URL": emulator_url,
        "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
        "TWILIO_AUTH_TOKEN": secrets.token_hex(16),
        "HELPLINE_NUMBER": NUMBER,
        "SECRET_KEY": secrets.token_hex(32),
        "SESSION_COOKIE_SECURE": "false",
        SIMULATED_CLOCK: scale.encode(),
    }
    return env | {key: str(value) for key, value in settings.items()}


@contextmanager
def applied(env: Mapping[str, str]) -> Iterator[None]:
    """Set `env` in this process too (the in-process app and the clock read it), then undo."""
    saved = {key: os.environ.get(key) for key in env}
    os.environ.update(env)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def embedded_redis(folder: Path) -> EmbeddedRedis:
    """Start this run's own redis-server (no state left from another run)."""
    return EmbeddedRedis(str(folder / "redis"))


@contextmanager
def processes(env: dict[str, str], folder: Path) -> Iterator[Stack]:
    """Run the Procfile's web and worker processes until the block ends."""
    logs = folder / "stack.log"
    path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"
    full = os.environ | env | {"PATH": path, "PYTHONPATH": str(ROOT)}
    started: list[subprocess.Popen[bytes]] = []
    with logs.open("ab") as log:
        try:
            for kind in ("web", *["worker"] * WORKERS):
                started.append(
                    subprocess.Popen(  # noqa: S603 - the project's own Procfile
                        ["/bin/sh", "-c", "exec " + procfile_command(kind)],
                        cwd=ROOT,
                        env=full,
                        stdout=log,
                        stderr=log,
                        start_new_session=True,
                    )
                )
            stack = Stack(env, env["PUBLIC_BASE_URL"], started, logs)
            wait_for_web(stack)
            yield stack
        finally:
            for process in started:
                stop(process)


def wait_for_web(stack: Stack, timeout: float = 60) -> None:
    """Wait until gunicorn answers (any HTTP answer will do)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        stack.check_alive()
        try:
            requests.get(stack.web_url + "/console/login", timeout=10)
            return
        except requests.RequestException:
            time.sleep(0.2)
    raise RuntimeError(f"the web process did not answer within {timeout} s; see {stack.logs}")


def stop(process: subprocess.Popen[bytes]) -> None:
    """Stop one process we started (its whole process group: gunicorn has workers)."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=5)
