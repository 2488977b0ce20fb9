"""Run wrk (Debian's, installed on demand) with bench/webhooks.lua and read its summary."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

SCRIPT = Path(__file__).with_name("webhooks.lua")


def ensure_wrk() -> str:
    """Return wrk's path, installing Debian's package when root and it is missing."""
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        raise SystemExit("bench: wrk is missing; install it (apt-get install wrk)")
    print("bench: installing wrk with apt-get")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
    subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True, env=env)
    return shutil.which("wrk") or "wrk"


@dataclass(frozen=True)
class Result:
    """What one wrk phase measured and found."""

    requests: int
    seconds: float
    errors: int
    failed: int
    verified: int
    exhausted: int
    p50_ms: float
    p99_ms: float
    mean_ms: float
    samples: tuple[str, ...]

    @property
    def rate(self) -> float:
        """Return completed requests per second."""
        return self.requests / self.seconds

    @property
    def clean(self) -> bool:
        """Say whether every answer was right and the requests lasted the whole phase."""
        return not (self.errors or self.failed or self.exhausted)


def run(
    url: str,
    pool: Path,
    tag: str,
    connections: int,
    seconds: float,
    cycle: bool = False,
    delay_ms: int = 0,
) -> Result:
    """Replay the pool against url with one connection per wrk thread; return the summary."""
    argv = [ensure_wrk(), f"-t{connections}", f"-c{connections}", f"-d{seconds:g}s"]
    argv += ["--timeout", "10s", "-s", str(SCRIPT), url, "--"]
    argv += [str(pool), tag, "1" if cycle else "0", str(delay_ms)]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=seconds + 60)
    lines = done.stdout.splitlines()
    summary = [line.removeprefix("BENCH ") for line in lines if line.startswith("BENCH {")]
    if done.returncode or not summary:
        raise SystemExit(f"bench: wrk failed ({done.returncode}): {done.stdout}{done.stderr}")
    data = json.loads(summary[0])
    return Result(
        requests=data["requests"],
        seconds=data["duration_us"] / 1e6,
        errors=data["errors"],
        failed=data["failed"],
        verified=data["verified"],
        exhausted=data["exhausted"],
        p50_ms=data["p50_us"] / 1000,
        p99_ms=data["p99_us"] / 1000,
        mean_ms=data["mean_us"] / 1000,
        samples=tuple(line[13:] for line in lines if line.startswith("BENCH-SAMPLE ")),
    )
