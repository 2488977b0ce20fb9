"""The `helpline` command: operations for operators and newcomers."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import FlaskGroup, with_appcontext

from app import create_app
from core import config as settings
from simulation.command import simulate


@click.group(
    cls=FlaskGroup,
    create_app=create_app,
    add_version_option=False,
    load_dotenv=False,
    set_debug_flag=False,
)
def main() -> None:
    """Helpline: IVR and call distributor for victims-of-crime helplines."""


@main.command("migrate")
@with_appcontext
def migrate_command() -> None:
    """Bring the database schema up to date (the Procfile's release step)."""
    from core.migrate import upgrade

    upgrade(current_app.config["DATABASE_URL"])
    click.echo("database schema is up to date")


@main.command("import-cases")
@click.argument("csv_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def import_cases_command(csv_file: Path) -> None:
    """Import or update cases from CSV_FILE; if any row is bad, import nothing."""
    from cases.importer import import_csv
    from core.db import session_factory

    with csv_file.open("rb") as counting:  # bytes: a file that is not UTF-8 is reported below
        total = max(sum(1 for _ in counting) - 1, 0)
    with session_factory()() as session, csv_file.open(encoding="utf-8-sig", newline="") as f:
        with click.progressbar(length=total, label="importing", file=sys.stderr) as bar:
            result = import_csv(
                session, f, current_app.config["CRIME_REFERENCE_PATTERNS"], progress=bar.update
            )
        if not result.ok:
            session.rollback()
            for error in result.errors:
                click.echo(str(error), err=True)
            raise click.ClickException(f"{len(result.errors)} problem(s); nothing was imported")
        session.commit()
    click.echo(f"imported: {result.created} created, {result.updated} updated")


@main.command("seed-demo")
@with_appcontext
def seed_demo_command() -> None:
    """Load demo cases, agents and a roster, and say what to key when calling."""
    from core.db import session_factory
    from devtools.demo import seed

    with session_factory()() as session:
        lines = seed(session)
        session.commit()
    for line in lines:
        click.echo(line)


@main.command("create-token")
@click.argument("name")
@click.option(
    "--role", type=click.Choice(["agent", "supervisor", "admin", "integration"]), required=True
)
@click.option("--agent-id", type=int, default=None)
@with_appcontext
def create_token_command(name: str, role: str, agent_id: int | None) -> None:
    """Create a JSON API token and print it once."""
    from api.auth import issue_token
    from core.db import session_factory

    with session_factory()() as session:
        token = issue_token(session, name, role, agent_id)
        session.commit()
    click.echo(token)


@main.command("create-user")
@click.argument("username")
@click.option("--role", type=click.Choice(["agent", "supervisor", "admin"]), required=True)
@click.option("--agent-id", type=int, default=None, help="the agent this login acts for")
@click.password_option(prompt="Password", help="prompted for (hidden) when not given")
@with_appcontext
def create_user_command(username: str, role: str, agent_id: int | None, password: str) -> None:
    """Create a console user (for the first admin: --role admin)."""
    from accounts.audit import audit
    from consoles.auth import UserError, create_user
    from core.db import session_factory

    with session_factory()() as session:
        try:
            user = create_user(session, username, password, role, agent_id)
        except UserError as error:
            raise click.ClickException(str(error)) from error
        audit(session, "cli", "create", "user", user.id, username=user.username, role=role)
        session.commit()
    click.echo(f"created {role} {username}")


@main.command("worker")
@click.option(
    "--log-file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="write routine (INFO) logs here; the terminal keeps warnings and errors",
)
@with_appcontext
def worker_command(log_file: Path | None) -> None:
    """Run an RQ worker with its scheduler, plus the periodic jobs features registered."""
    import worker

    worker.run(current_app._get_current_object(), log_file)  # type: ignore[attr-defined]


@main.command("settings", with_appcontext=False)
@click.option("--markdown", is_flag=True, help="print the table kept in docs/SETTINGS.md")
def settings_command(markdown: bool) -> None:
    """List every environment setting and what it means."""
    if markdown:
        click.echo(settings.markdown_table(), nl=False)
        return
    for name, doc in settings.describe():
        click.echo(f"{name:28} {doc}")


@main.command("dev", with_appcontext=False)
@click.option("--port", default=5000, show_default=True, help="web port")
@click.option("--emulator-port", default=8026, show_default=True, help="Twilio emulator port")
@click.option(
    "--agents/--no-agents",
    default=True,
    show_default=True,
    help="log the demo agents in; the emulator answers for them",
)
def dev_command(port: int, emulator_port: int, agents: bool) -> None:
    """Run the helpline locally: web, worker, embedded Redis, Twilio emulator, demo data."""
    from devtools import devserver

    devserver.run(port, emulator_port, lambda app: devserver.seed_demo(app, agents))


main.add_command(simulate)


@main.command("call", with_appcontext=False, context_settings={"ignore_unknown_options": True})
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def call_command(args: tuple[str, ...]) -> None:
    """Dial the local helpline from this terminal (through the Twilio emulator)."""
    from emulator.softphone import main as softphone

    raise SystemExit(softphone(list(args)))
