"""`helpline simulate`: run the simulated day for both policies and report."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import sys
from pathlib import Path
from typing import Any

import click

POLICY_CHOICES = {"both": ("helpline", "plain queue"), "helpline": ("helpline",),
                  "plain": ("plain queue",)}  # fmt: skip


def default_day() -> dt.date:
    """Return the last Wednesday before today (a plain weekday, already in the past)."""
    today = dt.date.today()
    return today - dt.timedelta(days=(today.weekday() - 2) % 7 or 7)


def parse_changes(pairs: tuple[str, ...]) -> dict[str, Any]:
    """Read NAME=VALUE model changes, typed like the model's defaults."""
    from simulation.model import Model

    fields = {f.name: f for f in dataclasses.fields(Model)}
    changes: dict[str, Any] = {}
    for pair in pairs:
        name, _, raw = pair.partition("=")
        if name not in fields:
            raise click.BadParameter(f"unknown model setting {name!r}", param_hint="--set")
        default = getattr(Model(), name)
        changes[name] = _typed(default, raw)
    return changes


def _typed(default: Any, raw: str) -> Any:
    if isinstance(default, tuple):
        return tuple(float(part) for part in raw.split(","))
    if isinstance(default, dt.time):
        return dt.time.fromisoformat(raw)
    return type(default)(raw)


@click.command("simulate")
@click.option("--seed", default=1, show_default=True, help="draws the same victims every time")
@click.option(
    "--date",
    "day",
    type=click.DateTime(["%Y-%m-%d"]),
    default=None,
    help="the (first) simulated day; default the last Wednesday",
)
@click.option("--start", default=None, help="simulate from HH:MM (default: opening time)")
@click.option(
    "--hours", type=float, default=None, help="simulate this many hours (default: to closing)"
)
@click.option("--speed", default=36.0, show_default=True, help="desk seconds per real second")
@click.option(
    "--policy", type=click.Choice(list(POLICY_CHOICES)), default="both", show_default=True
)
@click.option(
    "--set",
    "changes",
    multiple=True,
    metavar="NAME=VALUE",
    help="change a model setting (docs/SIMULATION.md), e.g. --set agents=6",
)
@click.option(
    "--keep",
    is_flag=True,
    help="run the Helpline policy on DATABASE_URL (or the local default) and keep it",
)
@click.option("--days", default=1, show_default=True, help="how many days to simulate, from --date")
@click.option(
    "--step",
    default=1,
    show_default=True,
    help="days between simulated days (7: the same weekday, for the staffing chart)",
)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="where results go (default instance/simulation/)",
)
def simulate(
    seed: int,
    day: dt.datetime | None,
    start: str | None,
    hours: float | None,
    speed: float,
    policy: str,
    changes: tuple[str, ...],
    keep: bool,
    days: int,
    step: int,
    out: Path | None,
) -> None:
    """Simulate a day at the desk through the real stack, Helpline against a plain queue."""
    import logging

    from core.paths import default_database_url, instance_dir
    from simulation import run
    from simulation.model import Model

    # Before the app's own basicConfig: its per-request INFO lines would bury the progress bar.
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s %(message)s")
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # the emulator's request lines
    model = Model().with_changes(**parse_changes(changes))
    folder = out or instance_dir() / "simulation"
    first = day.date() if day else default_day()
    kept = (os.environ.get("DATABASE_URL") or default_database_url()) if keep else None
    failed = False
    for offset in range(days):
        date = first + dt.timedelta(days=offset * step)
        period = run.Period.of(model, date, start, hours)
        runs = [
            _one(
                model,
                period,
                name,
                seed,
                speed,
                folder / str(date) / name.replace(" ", "-"),
                kept if name == "helpline" else None,
            )
            for name in POLICY_CHOICES[policy]
        ]
        meta = {
            "date": str(date),
            "seed": seed,
            "speed": speed,
            "model": dataclasses.asdict(model),
            "period": [str(period.start), str(period.end)],
        }
        title = (
            f"Victims' outcomes, {date} ({model.monthly_calls:,} calls a month, "
            f"{model.agents} agents)"
        )
        results, chart = run.write_results(runs, folder / str(date), title, meta)
        click.echo(run.summary(runs))
        click.echo(f"results: {results}\nchart: {chart}")
        failed = failed or any(r.report.differences for r in runs)
    sys.exit(1 if failed else 0)


def _one(
    model: Any,
    period: Any,
    name: str,
    seed: int,
    speed: float,
    folder: Path,
    database_url: str | None,
) -> Any:
    from simulation import run

    length = max(1, int((period.end - period.start).total_seconds()))
    label = f"{period.day} {name:<11}"
    with click.progressbar(
        length=length, label=label, file=sys.stderr, show_pos=False, show_percent=True
    ) as bar:
        shown = [0]

        def progress(done: float, _total: float) -> None:
            step = min(int(done), length) - shown[0]
            if step > 0:
                bar.update(step)
                shown[0] += step

        return run.run_policy(model, period, name, seed, speed, folder, database_url, progress)
