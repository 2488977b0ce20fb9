"""Run one policy's simulated period on a fresh stack, and both policies side by side."""

from __future__ import annotations

import datetime as dt
import json
import random
import secrets
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from callbacks.models import PENDING_STATES, CallbackRequest
from core.clock import Scale
from core.db import session_factory
from core.migrate import upgrade
from emulator import Emulator
from simulation import desk, stack
from simulation.chart import svg
from simulation.check import Report, check
from simulation.driver import Driver, Timeline
from simulation.model import Model, victims
from simulation.outcomes import Outcomes, outcomes, table
from simulation.phones import AgentPhone, victim_phone

LEAD = 60.0  # emulated seconds between agents logging in and the first call
STARTUP = 15.0  # real seconds allowed for gunicorn and the worker to start
POLICIES = ("helpline", "plain queue")


def settings(model: Model, policy: str) -> dict[str, Any]:
    """Return the desk's settings for a policy (the baseline switches callbacks off)."""
    common = {
        "ACD_WRAP_UP_SECONDS": int(model.wrap_up),
        # Fewer hold cycles: each is a webhook, and at 72x they would swamp two cores.
        "ACD_HOLD_PAUSE_SECONDS": 30,
        # A real second of webhook or job latency is over a desk minute at 72x: keep an offer's
        # hold on the call and agent long enough that latency alone does not expire it.
        "ACD_RESERVATION_SECONDS": 600,
    }
    if policy == "helpline":
        return common
    # A plain queue: callbacks are never offered, however long the wait.
    return common | {"CALLBACK_OFFER_WAIT_SECONDS": 10**9}


@dataclass(frozen=True)
class Period:
    """The simulated desk time: a day, or a window of one (the test's busy hour)."""

    day: dt.date
    start: dt.datetime
    end: dt.datetime

    @classmethod
    def of(cls, model: Model, day: dt.date, start: str | None, hours: float | None) -> Period:
        """Return the whole open day, or `hours` from `start` (HH:MM) on `day`."""
        zone = ZoneInfo(model.timezone)
        opens = dt.datetime.combine(day, model.opens, tzinfo=zone)
        closes = dt.datetime.combine(day, model.closes(day), tzinfo=zone)
        begin = (
            dt.datetime.combine(day, dt.time.fromisoformat(start), tzinfo=zone) if start else opens
        )
        finish = begin + dt.timedelta(hours=hours) if hours else closes
        return cls(day, begin, min(finish, closes))


@dataclass
class PolicyRun:
    """One policy's results."""

    policy: str
    outcomes: Outcomes
    report: Report
    real_seconds: float


@dataclass(frozen=True)
class Trial:
    """One policy over one period: what to simulate and where to keep its files."""

    model: Model
    period: Period
    policy: str
    seed: int
    speed: float
    folder: Path


def run_policy(
    model: Model,
    period: Period,
    policy: str,
    seed: int,
    speed: float,
    folder: Path,
    database_url: str | None,
    progress: Callable[[float, float], None],
) -> PolicyRun:
    """Simulate `period` under `policy` on its own Redis and database; check and summarise."""
    began = time.monotonic()
    folder.mkdir(parents=True, exist_ok=True)
    trial = Trial(model, period, policy, seed, speed, folder)
    url = database_url or f"sqlite:///{folder / 'helpline.db'}"
    redis = stack.embedded_redis(folder)
    try:
        result, report = _run(trial, url, redis.url, progress)
    finally:
        redis.stop()
    return PolicyRun(policy, result, report, time.monotonic() - began)


def _run(
    trial: Trial, url: str, redis_url: str, progress: Callable[[float, float], None]
) -> tuple[Outcomes, Report]:
    """Start the emulator and the stack on one simulated clock, then drive and judge the day."""
    port, token = stack.free_port(), secrets.token_hex(16)
    created = time.time()
    emu = Emulator(
        helpline_url=f"http://127.0.0.1:{port}",
        account_sid=stack.ACCOUNT_SID,
        auth_token=token,
        helpline_number=stack.NUMBER,
        time_scale=1 / trial.speed,
        slow_webhook_seconds=30.0,
    )
    # Desk time `origin` falls STARTUP real seconds from now, when the stack is surely up.
    anchor = time.time() + STARTUP
    origin = trial.period.start - dt.timedelta(seconds=LEAD)
    timeline = Timeline(origin, (anchor - created) * trial.speed)
    scale = Scale(origin.timestamp(), trial.speed, anchor)
    emulator_url = emu.start()
    try:
        env = stack.environment(
            trial.folder, url, redis_url, scale, port, emulator_url,
            settings(trial.model, trial.policy),
        ) | {"TWILIO_AUTH_TOKEN": token}  # fmt: skip
        with stack.applied(env):
            return _day(trial, env, emu, timeline, progress)
    finally:
        emu.stop()


def _day(
    trial: Trial,
    env: dict[str, str],
    emu: Emulator,
    timeline: Timeline,
    progress: Callable[[float, float], None],
) -> tuple[Outcomes, Report]:
    """Seed the desk, run the Procfile's processes, play the day, then check the figures."""
    from app import create_app

    model, period = trial.model, trial.period
    app = create_app()
    upgrade(env["DATABASE_URL"])
    people = victims(model, period.day, trial.seed, (period.start, period.end))
    agent_ids = desk.seed(app, model, period.day, people)
    api_token = desk.supervisor_token(app)
    rng = random.Random(f"{trial.seed}:agents")
    for n in range(1, model.agents + 1):
        emu.add_party(f"client:{desk.AGENT_PREFIX}{n}", AgentPhone(model, rng))
    for victim in people:
        emu.add_party(victim.phone, victim_phone(victim))
    with stack.processes(env, trial.folder) as running:
        while emu.clock.now() < timeline.offset:
            time.sleep(0.05)
        desk.log_agents_in(app, agent_ids)
        driver = Driver(emu, model, timeline, trial.policy == "helpline", period.end)
        driver.schedule(people)
        start, end = timeline.emulated(period.start), timeline.emulated(period.end)
        closing = _closing(model, period)

        def settled() -> bool:
            return _pending(app) == 0 or timeline.desk(emu.clock.now()) >= closing

        unpaused = [0]

        def agents_look_at_their_desks() -> None:
            unpaused[0] += desk.come_back_from_pause(app, agent_ids, model.agent_pause_return)

        driver.run(
            end, lambda now: progress(now - start, end - start), settled, agents_look_at_their_desks
        )
        running.check_alive()
        truths = driver.truths()
        _record(trial.folder, driver)
        result = outcomes(truths, _pending(app))
        retries = int(app.config["CALLBACK_RETRIES"])
        report = check(app, running.web_url, api_token, period.day, truths, result, retries)
        report.differences += [f"emulator fault: {f}" for f in list(emu.faults)[:20]]
        report.compared["agents back from a pause (missed offers)"] = (unpaused[0], None)
        return result, report


def _record(folder: Path, driver: Driver) -> None:
    """Keep every simulated call's transcript beside the results (for questions later)."""
    with (folder / "calls.jsonl").open("w") as out:
        for victim, index, call in driver.calls.values():
            row = {"victim": victim.number, "call": index, "sid": call.sid}
            out.write(json.dumps(row | {"transcript": call.transcript}, default=str) + "\n")


def _pending(app: Any) -> int:
    with app.app_context(), session_factory(app)() as session:
        count = select(func.count()).where(CallbackRequest.state.in_(PENDING_STATES))
        return int(session.scalar(count) or 0)


def _closing(model: Model, period: Period) -> dt.datetime:
    zone = ZoneInfo(model.timezone)
    return dt.datetime.combine(period.day, model.closes(period.day), tzinfo=zone)


def write_results(
    runs: list[PolicyRun], folder: Path, title: str, meta: dict[str, Any]
) -> tuple[Path, Path]:
    """Write the JSON results and the SVG chart; return their paths."""
    columns = {run.policy: run.outcomes for run in runs}
    data = meta | {
        run.policy: {
            "outcomes": run.outcomes.as_dict(),
            "check": run.report.as_dict(),
            "real_seconds": round(run.real_seconds, 1),
        }
        for run in runs
    }
    folder.mkdir(parents=True, exist_ok=True)
    result_path, chart_path = folder / "simulation.json", folder / "simulation.svg"
    result_path.write_text(json.dumps(data, indent=2, default=str))
    chart_path.write_text(svg(columns, title))
    return result_path, chart_path


def summary(runs: list[PolicyRun]) -> str:
    """Return the outcome table and each run's check."""
    lines = [table({run.policy: run.outcomes for run in runs}), ""]
    for run in runs:
        verdict = (
            "desk measures equal ground truth" if not run.report.differences else "DIFFERENCES"
        )
        lines.append(f"{run.policy}: {verdict} ({run.real_seconds:.0f} s real)")
        lines += [f"  - {d}" for d in run.report.differences]
    return "\n".join(lines)


def scratch_folder() -> Path:
    """Return a new folder for one simulation's files."""
    return Path(tempfile.mkdtemp(prefix="helpline-sim-"))
