"""Helpline's webhooks against a static-TwiML ceiling, both under the Procfile's gunicorn.

`DATABASE_URL=postgresql+psycopg://... python -m bench.webhooks` (that database is emptied!)

Starts a throwaway redis-server, migrates and seeds the database with the demo desk, then
runs the Procfile's `web` command twice: once for Helpline and once for a Flask app that
answers every POST with fixed TwiML (bench/static_twiml.py). wrk (bench/webhooks.lua, one
connection per thread so each call's steps arrive in order) replays pre-signed webhooks
with unique idempotency tokens, alternating static and Helpline phases, for: whole
self-service calls, the date-of-birth webhook alone, the queue's hold loop and the status
callback. Every answer is checked (no apology, the next step's URL) and the database must
hold what the callers did. Before the load, a sample of each webhook runs in-process
through the same app, counting SQL statements, connection pings, commits and Redis round trips,
and the CPU time it takes in this process (the app's Python side; not PostgreSQL's or Redis's).
BENCH_SECONDS (2) and BENCH_ROUNDS (5) set the length of each phase and how many rounds
(0: only the in-process counts).
"""

from __future__ import annotations

import http.client
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import create_engine, func, select, text

from app import create_app
from bench import webhook_calls as calls
from bench import webhook_counts as counts
from bench import wrk
from calls.models import Call, CallEvent
from core.db import session_factory
from core.embedded_redis import EmbeddedRedis
from core.migrate import upgrade
from devtools.demo import seed

ROOT = Path(__file__).resolve().parent.parent
SECONDS = float(os.environ.get("BENCH_SECONDS", "2"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "5"))
CONNECTIONS = 16  # the Procfile's 2 workers x 8 threads, all kept busy
POOL_RPS = 5000  # unique calls are made for up to this many requests/s over a whole phase
WAITING = 500
SAMPLE = 30
AUTH_TOKEN = "bench-auth-token"
JOURNEY = ["greeted", "language_chosen", "chose_status", "authenticated", "status_heard"]
JOURNEY += ["goodbye"]
SCENARIOS = {
    "mix": "self-service call (6 webhooks)",
    "dob": "date of birth alone",
    "wait": f"hold loop, {WAITING} waiting",
    "status": "status callback",
}


def free_port() -> int:
    """Return a loopback port nobody is listening on."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def web_command(app_spec: str) -> str:
    """Return the Procfile's web command for app_spec, bound to loopback only."""
    line = next(
        line for line in (ROOT / "Procfile").read_text().splitlines() if line.startswith("web:")
    )
    command = line.removeprefix("web:").strip().replace("0.0.0.0", "127.0.0.1")
    return command.replace("'app:create_app()'", f"'{app_spec}'")


class Server:
    """A gunicorn started with the Procfile's web command, in its own process group."""

    def __init__(self, app_spec: str, env: dict[str, str], log: Path) -> None:
        self.port = int(env["PORT"])
        self.url = f"http://127.0.0.1:{self.port}"
        with log.open("w") as out:
            self.process = subprocess.Popen(
                ["sh", "-c", web_command(app_spec)],
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self._wait_ready(log)

    def _wait_ready(self, log: Path) -> None:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"bench: gunicorn exited:\n{log.read_text()}")
            try:
                # The master listens before its workers boot: wait for an HTTP answer.
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                connection.request("GET", "/")
                connection.getresponse().read()
                connection.close()
                return
            except OSError:
                time.sleep(0.1)
        raise SystemExit(f"bench: gunicorn did not listen within 30 s:\n{log.read_text()}")

    def stop(self) -> None:
        """Stop gunicorn and its workers (the group this object started)."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=30)


def app_env(database_url: str, redis_url: str, port: int, instance: Path) -> dict[str, str]:
    """Return a production environment for the app, as an operator would set it."""
    return {
        "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}",
        "HOME": os.environ.get("HOME", "/tmp"),
        "HELPLINE_ENV": "production",
        "HELPLINE_INSTANCE_DIR": str(instance),
        "PORT": str(port),
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "TWILIO_ACCOUNT_SID": "AC" + "1" * 32,
        "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
        "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
        "HELPLINE_NUMBER": "+442071838750",
        "SECRET_KEY": "bench-secret-key",
    }


def reset_database(url: str) -> None:
    """Empty the database, migrate it and load the demo desk (open, agents on shift)."""
    if not url.startswith("postgresql"):
        raise SystemExit("bench: DATABASE_URL must be a PostgreSQL database it may empty")
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    upgrade(url)


class Bench:
    """One run: the stores, both servers, the in-process app and the figures so far."""

    def __init__(self, app: Flask, helpline: Server, static: Server, work: Path) -> None:
        self.app, self.helpline, self.static, self.work = app, helpline, static, work
        self.signer = calls.Signer(AUTH_TOKEN, helpline.url)
        self.phase = 0
        self.waiting = [calls.call_sid(0xFFFF) for _ in range(WAITING)]

    def next_phase(self) -> tuple[int, Path, str]:
        """Return a fresh phase number, its pool directory and idempotency token prefix."""
        self.phase += 1
        return self.phase, self.work / f"p{self.phase}", f"p{self.phase}-{uuid.uuid4().hex[:8]}"

    def pool(self, scenario: str, size: int, phase: int) -> list[list[calls.Signed]]:
        """Build (and prepare the stores for) each wrk thread's requests for a scenario."""
        sids = [calls.call_sid(phase) for _ in range(size)]
        sign = self.signer
        if scenario == "mix":
            per_call = [calls.self_service_call(sign, sid, n) for n, sid in enumerate(sids)]
            return [calls.flatten(c) for c in calls.deal(per_call, CONNECTIONS)]
        if scenario == "dob":
            calls.hold_references(self.app, sids)
            return calls.deal(
                [calls.date_of_birth(sign, sid, n) for n, sid in enumerate(sids)], CONNECTIONS
            )
        if scenario == "status":
            calls.add_calls(self.app, sids)
            return calls.deal(
                [calls.completed(sign, sid, n) for n, sid in enumerate(sids)], CONNECTIONS
            )
        waits = [calls.hold_wait(sign, sid, n, n + 1) for n, sid in enumerate(self.waiting)]
        return calls.deal(waits, CONNECTIONS)

    def prepare(self, scenario: str, seconds: float) -> tuple[int, Path, str]:
        """Write a phase's requests (and the state they need); return phase, pool and tag."""
        phase, directory, tag = self.next_phase()
        size = {"mix": int(POOL_RPS * seconds / 6) + 1}.get(scenario, int(POOL_RPS * seconds))
        calls.write_pool(directory, self.pool(scenario, size, phase))
        return phase, directory, tag

    def load(self, scenario: str, delay_ms: int, seconds: float, connections: int) -> wrk.Result:
        """Run one paced Helpline phase of a scenario and check what it recorded."""
        prepared = self.prepare(scenario, seconds)
        return self.run_prepared(scenario, prepared, delay_ms, seconds, connections)

    def pair(self, scenario: str, static_pool: Path) -> tuple[wrk.Result, wrk.Result]:
        """Run a static phase and then Helpline's, back to back on the same machine load."""
        prepared = self.prepare(scenario, SECONDS)
        static = self.load_static(static_pool)
        return static, self.run_prepared(scenario, prepared)

    def run_prepared(
        self,
        scenario: str,
        prepared: tuple[int, Path, str],
        delay_ms: int = 0,
        seconds: float = SECONDS,
        connections: int = CONNECTIONS,
    ) -> wrk.Result:
        """Run a prepared Helpline phase and check what it recorded."""
        phase, directory, tag = prepared
        cycle = scenario == "wait"
        result = wrk.run(self.helpline.url, directory, tag, connections, seconds, cycle, delay_ms)
        shutil.rmtree(directory)
        self.verify(scenario, phase, result)
        return result

    def load_static(self, pool: Path) -> wrk.Result:
        """Run one static phase (the same request shapes, cycled)."""
        _, _, tag = self.next_phase()
        return wrk.run(self.static.url, pool, tag, CONNECTIONS, SECONDS, cycle=True)

    def verify(self, scenario: str, phase: int, result: wrk.Result) -> None:
        """Check the database holds what the answered callers did; stop on any failure."""
        if not result.clean:
            raise SystemExit(f"bench: {scenario} phase failed: {result}")
        prefix = f"CA{phase:04x}%"
        with session_factory(self.app)() as session:
            mine = Call.call_sid.like(prefix)
            if scenario in {"mix", "dob"}:
                found = session.scalar(select(func.count()).where(mine, Call.authenticated))
                _expect(found, result.verified, f"{scenario}: authenticated calls")
            if scenario == "status":
                found = session.scalar(select(func.count()).where(mine, Call.ended_at.is_not(None)))
                _expect(found, result.requests, "status: ended calls")
            if scenario == "mix":
                self.verify_journeys(session, mine, result.requests > 6 * CONNECTIONS)

    def verify_journeys(self, session: Any, mine: Any, some_ended: bool) -> None:
        """Every call that said goodbye has exactly the self-service journey."""
        rows = session.execute(
            select(CallEvent.call_id, CallEvent.kind).join(Call).where(mine).order_by(CallEvent.id)
        )
        journeys: dict[int, list[str]] = {}
        for call_id, kind in rows:
            if kind != "case_overdue":  # once per case, the first time it is found overdue
                journeys.setdefault(call_id, []).append(kind)
        ended = [j for j in journeys.values() if j[-1] == "goodbye"]
        wrong = [j for j in ended if j != JOURNEY]
        if wrong or (some_ended and not ended):
            raise SystemExit(f"bench: {len(wrong)} journeys differ, e.g. {wrong[:1]}")


def _expect(found: int, answered: int, what: str) -> None:
    # Requests still in flight when wrk stops were recorded but never counted by wrk.
    if not answered <= found <= answered + CONNECTIONS:
        raise SystemExit(f"bench: {what}: {found} in the database, {answered} answered")


def sample_counts(bench: Bench) -> counts.Tally:
    """Post a sample of every webhook in-process and count the work behind each."""
    app, sign = bench.app, bench.signer
    for n in range(3):  # warm up: connections open, scripts loaded, caches filled
        for request in calls.self_service_call(sign, calls.call_sid(0xFFFE), n):
            counts.post(app, counts.Tally(), request, uuid.uuid4().hex)
    tally = counts.install(app)
    for n in range(SAMPLE):
        for request in calls.self_service_call(sign, calls.call_sid(0xFFFE), n):
            counts.post(app, tally, request, uuid.uuid4().hex)
    sids = [calls.call_sid(0xFFFE) for _ in range(SAMPLE)]
    calls.hold_references(app, sids)
    for n, sid in enumerate(sids):
        counts.post(app, tally, calls.date_of_birth(sign, sid, n), uuid.uuid4().hex, "dob alone")
    for n, sid in enumerate(bench.waiting[:SAMPLE]):
        counts.post(app, tally, calls.hold_wait(sign, sid, n, n + 1), uuid.uuid4().hex)
    sids = [calls.call_sid(0xFFFE) for _ in range(SAMPLE)]
    calls.add_calls(app, sids)
    for n, sid in enumerate(sids):
        counts.post(app, tally, calls.completed(sign, sid, n), uuid.uuid4().hex)
    return tally


def print_counts(tally: counts.Tally) -> None:
    """Print the work per webhook (means over the sample)."""
    print(f"\nWork per webhook (in-process, mean of {SAMPLE} requests each)\n")
    print(
        "| webhook | SQL statements | connection pings | commits | Redis round trips "
        "| CPU ms (this process) |"
    )
    print("|---|---:|---:|---:|---:|---:|")
    steps = tuple(step for step, *_ in calls.CALL_STEPS)
    rows = [(step, (step,)) for step in steps] + [("**self-service call, per webhook**", steps)]
    rows += [("date of birth alone", ("dob alone",)), ("hold loop (waitUrl)", ("wait",))]
    rows += [("status callback", ("status",))]
    for name, group in rows:
        mean = tally.per_request(group)
        mean["cpu_us"] /= 1000
        print(f"| {name} | " + " | ".join(f"{mean[k]:.2f}" for k in counts.KINDS) + " |")


def half_rate(bench: Bench, top: float) -> tuple[wrk.Result, int]:
    """Run the call mix at about half the measured maximum (paced by a delay per request)."""
    # Each connection waits `delay` after every answer. Fewer connections when the rate is
    # low, so that a connection's cycle (C / rate) stays well under the phase's length.
    connections = max(1, min(CONNECTIONS, int(top / 2 * 0.25)))
    seconds = max(3 * SECONDS, 6)
    probe_delay = round(1000 * connections / top)
    probe = bench.load("mix", probe_delay, seconds, connections)
    service_ms = max(0, 1000 * connections / max(probe.rate, 0.1) - probe_delay)
    delay = max(0, round(2000 * connections / top - service_ms))
    return bench.load("mix", delay, seconds, connections), delay


def run(bench: Bench) -> None:
    """Alternate static and Helpline phases for every scenario; print the tables."""
    pool = bench.work / "static"
    requests = [calls.self_service_call(bench.signer, calls.call_sid(0xFFFD), n) for n in range(96)]
    calls.write_pool(pool, [calls.flatten(c) for c in calls.deal(requests, CONNECTIONS)])
    results: dict[str, list[tuple[wrk.Result, wrk.Result]]] = {s: [] for s in SCENARIOS}
    for round_number in range(ROUNDS):
        for scenario in SCENARIOS:
            static, mine = bench.pair(scenario, pool)
            results[scenario].append((static, mine))
            print(
                f"round {round_number + 1} {scenario}: static {static.rate:,.0f}/s, "
                f"helpline {mine.rate:,.0f}/s ({mine.rate / static.rate:.1%})",
                flush=True,
            )
    print_results(results)
    top = statistics.median(m.rate for _, m in results["mix"])
    paced, delay = half_rate(bench, top)
    print(f"\nSelf-service calls paced at half the maximum ({top:,.0f}/s; {delay} ms pause)\n")
    print("| target req/s | achieved req/s | % of max | p50 ms | p99 ms |")
    print("|---:|---:|---:|---:|---:|")
    print(
        f"| {top / 2:,.0f} | {paced.rate:,.0f} | {paced.rate / top:.0%} "
        f"| {paced.p50_ms:.1f} | {paced.p99_ms:.1f} |"
    )


def print_results(results: dict[str, list[tuple[wrk.Result, wrk.Result]]]) -> None:
    """Print medians over the rounds: rates, the ratio to static, latencies."""
    print(f"\nThroughput ({CONNECTIONS} connections, median of {ROUNDS} rounds of {SECONDS:g} s)\n")
    print(
        "| webhooks | static req/s | Helpline req/s | ratio | p50 ms | p99 ms "
        "| static p50 ms | static p99 ms |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for scenario, pairs in results.items():
        statics, mine = [p[0] for p in pairs], [p[1] for p in pairs]
        ratio = statistics.median(m.rate / s.rate for s, m in pairs)
        print(
            f"| {SCENARIOS[scenario]} | {_median(statics, 'rate'):,.0f} "
            f"| {_median(mine, 'rate'):,.0f} | {ratio:.1%} "
            f"| {_median(mine, 'p50_ms'):.1f} | {_median(mine, 'p99_ms'):.1f} "
            f"| {_median(statics, 'p50_ms'):.1f} | {_median(statics, 'p99_ms'):.1f} |"
        )


def _median(results: list[wrk.Result], name: str) -> float:
    return statistics.median(getattr(r, name) for r in results)


def main() -> None:
    """Set up the stores and both servers, measure, and clean up."""
    database_url = os.environ.get("DATABASE_URL", "")
    os.environ.setdefault("HELPLINE_INSTANCE_DIR", tempfile.mkdtemp(prefix="helpline-bench-"))
    reset_database(database_url)
    wrk.ensure_wrk()
    work = Path(tempfile.mkdtemp(prefix="helpline-bench-"))
    redis_server = EmbeddedRedis(str(work / "redis"))
    servers: list[Server] = []
    try:
        env = app_env(database_url, redis_server.url, free_port(), work / "instance")
        (work / "instance").mkdir()
        app = create_app({k: v for k, v in env.items() if k not in {"PATH", "HOME"}})
        with session_factory(app)() as session:
            seed(session)
            session.commit()
        servers.append(Server("app:create_app()", env, work / "helpline.log"))
        static_env = {**env, "PORT": str(free_port())}
        servers.append(Server("bench.static_twiml:create_app()", static_env, work / "static.log"))
        bench = Bench(app, servers[0], servers[1], work)
        calls.queue_callers(app, bench.waiting)
        print_counts(sample_counts(bench))
        if ROUNDS:
            run(bench)
    finally:
        for server in servers:
            server.stop()
        redis_server.stop()
        if not os.environ.get("BENCH_KEEP"):
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
