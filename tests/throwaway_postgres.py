"""A private PostgreSQL server the tests may stop and start (never the machine's own)."""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path


def _bin(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return candidates[-1] if candidates else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def unavailable_reason() -> str | None:
    """Say why a throwaway server cannot run here, or None if it can."""
    if _bin("initdb") is None or _bin("pg_ctl") is None:
        return "PostgreSQL server binaries (initdb, pg_ctl) are not installed"
    if os.geteuid() == 0 and (shutil.which("runuser") is None or not _has_user("postgres")):
        return "running as root without a postgres user to run the server as"
    return None


def _has_user(name: str) -> bool:
    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True


class ThrowawayPostgres:
    """initdb a cluster in a temporary directory and serve it on a free loopback port.

    PostgreSQL refuses to run as root, so under root it runs as the `postgres` user.
    """

    def __init__(self) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="helpline-pg-"))
        self.port = _free_port()
        self.data = self.dir / "data"
        self._as: list[str] = []
        if os.geteuid() == 0:
            user = pwd.getpwnam("postgres")
            os.chown(self.dir, user.pw_uid, user.pw_gid)
            self._as = ["runuser", "-u", "postgres", "--"]
        self._run(_bin("initdb"), "-D", str(self.data), "-U", "postgres", "-A", "trust", "-N")

    @property
    def url(self) -> str:
        """Return the SQLAlchemy URL of the `postgres` database on this server."""
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def start(self) -> ThrowawayPostgres:
        """Start the server (on the same port every time) and wait until it accepts."""
        options = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._pg_ctl("start", "-o", options, "-l", str(self.dir / "log"))
        return self

    def stop(self) -> None:
        """Stop the server at once (fast shutdown), cutting every connection."""
        self._pg_ctl("stop", "-m", "fast")

    def destroy(self) -> None:
        """Stop the server if it runs, and delete its files."""
        subprocess.run(
            [
                *self._as,
                _bin("pg_ctl") or "pg_ctl",
                "-D",
                str(self.data),
                "-m",
                "immediate",
                "stop",
            ],
            capture_output=True,
            check=False,
        )
        shutil.rmtree(self.dir, ignore_errors=True)

    def _pg_ctl(self, *args: str) -> None:
        self._run(_bin("pg_ctl"), "-D", str(self.data), "-w", "-t", "60", *args)

    def _run(self, binary: str | None, *args: str) -> None:
        assert binary is not None
        subprocess.run([*self._as, binary, *args], check=True, capture_output=True, timeout=120)
