"""The Procfile's release, web and worker lines run with only the documented environment."""

from __future__ import annotations

import os
import shutil
import socket
import stat
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import redis
import requests

from tests.live import ROOT

pytestmark = pytest.mark.slow


def procfile() -> dict[str, str]:
    """Read the Procfile's process types."""
    lines = (ROOT / "Procfile").read_text().splitlines()
    return dict(line.split(": ", 1) for line in lines if line.strip())


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def production_env(config: dict[str, Any], tmp_path: Path) -> dict[str, str]:
    """Exactly the settings the README lists, in production mode, plus PATH with `helpline`."""
    bin_dir = Path(sys.executable).parent
    if not (bin_dir / "helpline").exists():
        # A venv without the package installed (a contributor's): a shim runs the same CLI.
        shim = tmp_path / "helpline"
        shim.write_text(f'#!/bin/sh\nexec {sys.executable} -c "import cli; cli.main()" "$@"\n')
        shim.chmod(shim.stat().st_mode | stat.S_IEXEC)
        bin_dir = tmp_path
    env = {
        "PATH": f"{bin_dir}:{Path(sys.executable).parent}:{os.environ['PATH']}",
        "PYTHONPATH": str(ROOT),
        "HOME": str(tmp_path),
        "PORT": str(free_port()),
        "DATABASE_URL": config["DATABASE_URL"],
        "REDIS_URL": config["REDIS_URL"],
        "TWILIO_ACCOUNT_SID": config["TWILIO_ACCOUNT_SID"],
        "TWILIO_AUTH_TOKEN": config["TWILIO_AUTH_TOKEN"],
        "PUBLIC_BASE_URL": config["PUBLIC_BASE_URL"],
        "HELPLINE_NUMBER": config["HELPLINE_NUMBER"],
        "SECRET_KEY": "procfile-test-secret",
        "HELPLINE_INSTANCE_DIR": str(tmp_path / "instance"),
    }
    return env


def start(command: str, env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(  # noqa: S602 - the Procfile line is a shell command by design
        command,
        shell=True,
        cwd=ROOT,
        env=env,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def stop(process: subprocess.Popen[bytes]) -> bytes:
    os.killpg(process.pid, 15)
    try:
        _, err = process.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, 9)
        _, err = process.communicate()
    return err


def test_release_migrates(app: Any, production_env: dict[str, str]) -> None:
    """`release` brings the schema to head and exits 0 (again on an up-to-date database)."""
    result = subprocess.run(  # noqa: S602
        procfile()["release"],
        shell=True,
        cwd=ROOT,
        env=production_env,
        capture_output=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr.decode()
    assert b"up to date" in result.stdout


def test_web_serves(app: Any, production_env: dict[str, str]) -> None:
    """`web` (gunicorn) serves the API on $PORT and refuses unsigned webhooks."""
    if shutil.which("gunicorn", path=production_env["PATH"]) is None:
        pytest.fail("gunicorn is a runtime dependency and must be installed")
    process = start(procfile()["web"], production_env)
    base = f"http://127.0.0.1:{production_env['PORT']}"
    try:
        response = wait_for(lambda: requests.get(f"{base}/api/openapi.json", timeout=2))
        assert response.status_code == 200
        assert response.json()["openapi"].startswith("3.")
        assert requests.post(f"{base}/voice/incoming", data={}, timeout=5).status_code == 403
    finally:
        stop(process)


def test_worker_registers_with_rq(app: Any, production_env: dict[str, str]) -> None:
    """`worker` starts an RQ worker (with its scheduler) on REDIS_URL."""
    process = start(procfile()["worker"], production_env)
    client = redis.Redis.from_url(production_env["REDIS_URL"])
    try:
        assert wait_for(lambda: client.scard("rq:workers") or None) == 1
    finally:
        err = stop(process)
    assert b"Traceback" not in err, err.decode()


def wait_for(probe: Any, seconds: float = 30) -> Any:
    """Poll `probe` until it returns something truthy without raising."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            result = probe()
            if result:
                return result
        except (requests.ConnectionError, requests.Timeout):
            pass  # not listening yet, or listening while its workers still boot (busy machine)
        time.sleep(0.2)
    raise AssertionError("timed out waiting")
