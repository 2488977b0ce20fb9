"""Set-up shared by the ACD tests: an open desk, rostered agents, calls that asked for a person."""

from __future__ import annotations

import datetime as dt
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from flask import Flask
from sqlalchemy import delete, select

from calls.models import Call
from cases.models import Case, Victim
from core.clock import now
from queueing.agents import go_available
from queueing.desk import desk_for
from queueing.jobs import run_sweep
from queueing.service import join_queue
from roster.models import Agent, OpeningHours, Shift


def sid(n: int) -> str:
    """A well-formed CallSid numbered n."""
    return f"CA{n:032x}"


def open_desk(
    app: Flask, hours: tuple[dt.time, dt.time] | None = (dt.time(0), dt.time(23, 59))
) -> None:
    """Open the desk all day every day (or close it with hours=None)."""
    with app.extensions["helpline.sessionmaker"]() as session:
        for weekday in range(7):
            opens, closes = hours or (None, None)
            session.merge(OpeningHours(weekday=weekday, opens=opens, closes=closes))
        session.commit()


def add_agent(
    app: Flask,
    identity: str,
    skills: list[str] | None = None,
    languages: list[str] | None = None,
    on_shift: bool = True,
) -> int:
    """Add an agent rostered around the clock (or never), not yet logged in."""
    with app.extensions["helpline.sessionmaker"]() as session:
        agent = Agent(
            name=identity.title(),
            client_identity=identity,
            skills=skills or [],
            languages=languages or ["en-GB"],
        )
        session.add(agent)
        session.flush()
        if on_shift:
            # starts == ends: a 24-hour window, every day.
            for weekday in range(7):
                session.add(
                    Shift(agent_id=agent.id, weekday=weekday, starts=dt.time(0), ends=dt.time(0))
                )
        session.commit()
        return agent.id


def make_available(app: Flask, agent_id: int) -> tuple[bool, str]:
    """Log the agent in through the service the API and consoles use."""
    with app.app_context(), app.extensions["helpline.sessionmaker"]() as session:
        result = go_available(session, desk_for(app), agent_id)
        session.commit()
        return result


def add_call(
    app: Flask,
    n: int,
    *,
    authenticated: bool = False,
    enhanced: bool = False,
    offence: str = "Burglary",
    language: str = "en-GB",
    **extra: Any,
) -> str:
    """Record a call that reached "speak to someone" (as the IVR leaves it); return its SID."""
    with app.extensions["helpline.sessionmaker"]() as session:
        case_id = None
        if authenticated:
            victim = Victim(name="V", date_of_birth=dt.date(1980, 2, 1))
            case = Case(
                crime_reference=f"{1000000 + n}/24",
                reference_key=f"{1000000 + n}/24",
                victim=victim,
                status_code="REPORTED",
                last_update=dt.date(2026, 1, 1),
                enhanced_rights=enhanced,
                offence=offence,
                updated_at=now(),
            )
            session.add(case)
            session.flush()
            case_id = case.id
        call = Call(
            call_sid=sid(n),
            started_at=now(),
            from_e164="+447700900123",
            language=language,
            authenticated=authenticated,
            case_id=case_id,
            wanted_agent_at=now(),
            **extra,
        )
        session.add(call)
        session.commit()
    return sid(n)


def call_row(app: Flask, call_sid: str) -> Call:
    """Read a call row with its events loaded."""
    with app.extensions["helpline.sessionmaker"]() as session:
        call = session.scalars(select(Call).where(Call.call_sid == call_sid)).one()
        _ = [e.kind for e in call.events]
        session.expunge_all()
        return call


def queue_call(app: Flask, n: int) -> str:
    """Put a new unauthenticated call in the queue; return its SID."""
    sid = add_call(app, n)
    with app.app_context(), app.extensions["helpline.sessionmaker"]() as session:
        call = session.scalars(select(Call).where(Call.call_sid == sid)).one()
        assert join_queue(session, desk_for(app), call, now()).queued
        session.commit()
    return sid


def sweep(app: Flask, later: dt.timedelta = dt.timedelta(0)) -> dict[str, int]:
    """Run one sweep as the worker would, `later` than now."""
    with app.app_context(), app.extensions["helpline.sessionmaker"]() as session:
        result = run_sweep(session, desk_for(app), now() + later)
        session.commit()
        return result


class TwilioOutage:
    """A stand-in for api.twilio.com having a bad day: every request gets a 500."""

    BODY = {"code": 20500, "message": "Internal Server Error", "status": 500}

    def __init__(self) -> None:
        self.requests: list[tuple[str, str]] = []
        outage = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                outage.requests.append((self.command, self.path))
                body = json.dumps(outage.BODY).encode()
                self.send_response(500)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> TwilioOutage:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


class RecordingPort:
    """Stands in for Twilio's REST API in single-endpoint tests: records redirects."""

    def __init__(self) -> None:
        self.redirects: list[tuple[str, str]] = []
        self.hung_up: list[str] = []

    def redirect_call(self, call_sid: str, url: str) -> None:
        """Record the redirect instead of sending it."""
        self.redirects.append((call_sid, url))

    def hang_up(self, call_sid: str) -> None:
        """Record the hang-up instead of sending it."""
        self.hung_up.append(call_sid)


def end_shifts(app: Flask, agent_id: int) -> None:
    """Take an agent off the roster now (their shift ended) and tell the router at once."""
    from queueing.mirror import sync_agent

    with app.extensions["helpline.sessionmaker"]() as session:
        session.execute(delete(Shift).where(Shift.agent_id == agent_id))
        session.commit()
        desk = desk_for(app)
        agent = session.get(Agent, agent_id)
        assert agent is not None
        sync_agent(session, desk.acd, agent, now(), desk.config.timezone)
