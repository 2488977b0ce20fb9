"""Start a throwaway real redis-server for local runs and tests (never a fake)."""

from __future__ import annotations

import atexit
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import redis


class EmbeddedRedis:
    """A private redis-server on a Unix socket, stopped when the process exits."""

    def __init__(self, directory: str | None = None) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            raise RuntimeError(
                "REDIS_URL is not set and no redis-server is on PATH: "
                "install Redis (apt-get install redis-server) or set REDIS_URL"
            )
        self._dir = Path(directory or tempfile.mkdtemp(prefix="helpline-redis-"))
        self._dir.mkdir(parents=True, exist_ok=True)
        self.socket = self._dir / "redis.sock"
        self._process = subprocess.Popen(  # noqa: S603 - fixed argv, binary from PATH
            [
                binary,
                "--port",
                "0",
                "--unixsocket",
                str(self.socket),
                "--unixsocketperm",
                "700",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self._dir),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            # Its own session: a terminal's Ctrl-C reaches our process, which stops it last.
            start_new_session=True,
        )
        atexit.register(self.stop)
        self._wait_ready()

    @property
    def url(self) -> str:
        """Return the redis-py URL of this server."""
        return f"unix://{self.socket}"

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError("embedded redis-server exited at start-up")
            try:
                if redis.Redis.from_url(self.url).ping():
                    return
            except redis.exceptions.ConnectionError:
                time.sleep(0.02)
        raise RuntimeError("embedded redis-server did not start within 10 s")

    def stop(self) -> None:
        """Stop the server if it is still running."""
        if self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self._process.kill()
