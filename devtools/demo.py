"""Demo data for local runs: cases to ask about, agents to talk to, a desk that is open."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from cases.importer import upsert
from core.clock import now
from roster.models import Agent, OpeningHours, Shift

DEMO_CASES = (
    # reference, victim, dob (DDMMYYYY is what the caller keys), status, detail, days ago, enhanced
    (
        "1234567/24",
        "Alex Demo",
        "1980-02-01",
        "UNDER_INVESTIGATION",
        "An officer is reviewing CCTV from the area.",
        2,
        False,
        "Theft from a vehicle",
    ),
    (
        "2345678/24",
        "Sam Demo",
        "1975-12-25",
        "SUSPECT_ARRESTED",
        "A person has been arrested and is being interviewed.",
        1,
        True,
        "Domestic abuse",
    ),
    (
        "3456789/24",
        "Jo Demo",
        "1990-07-14",
        "WITH_CPS",
        "The file has gone to the Crown Prosecution Service for a charging decision.",
        12,
        False,
        "Burglary",
    ),
)
DEMO_AGENTS = (
    ("Alice Agent", "alice", ["domestic_abuse", "sexual_offences"], ["en-GB"]),
    ("Bob Agent", "bob", ["hate_crime"], ["en-GB", "cy-GB"]),
)


def seed(session: Session) -> list[str]:
    """Upsert demo cases and agents, open the demo desk around the clock; return how to call."""
    today = now().date()
    rows = [_case_row(case, today) for case in DEMO_CASES]
    upsert(session, rows)
    for name, identity, skills, languages in DEMO_AGENTS:
        _upsert_agent(session, name, identity, skills, languages)
    _open_all_hours(session)
    return _instructions()


def _case_row(case: tuple, today: dt.date) -> dict:  # type: ignore[type-arg]
    ref, name, dob, status, detail, days_ago, enhanced, offence = case
    return {
        "crime_reference": ref,
        "reference_key": ref,
        "victim_name": name,
        "victim_phone": "+447700900123",
        "victim_dob": dt.date.fromisoformat(dob),
        "status_code": status,
        "status_detail": detail,
        "officer": "Detective Constable Demo",
        "last_update": today - dt.timedelta(days=days_ago),
        "next_update_due": today + dt.timedelta(days=5),
        "enhanced_rights": enhanced,
        "language": "en-GB",
        "offence": offence,
    }


def _upsert_agent(
    session: Session, name: str, identity: str, skills: list[str], languages: list[str]
) -> None:
    agent = session.scalar(select(Agent).where(Agent.client_identity == identity))
    if agent is None:
        agent = Agent(client_identity=identity, name=name)
        session.add(agent)
    agent.name, agent.skills, agent.languages, agent.active = name, skills, languages, True
    session.flush()
    session.execute(delete(Shift).where(Shift.agent_id == agent.id))
    for weekday in range(7):
        # 00:00-00:00 is the whole day: an end of 00:00 means midnight.
        session.add(
            Shift(
                agent_id=agent.id,
                weekday=weekday,
                starts=dt.time(0, 0),
                ends=dt.time(0, 0),
                kind="work",
            )
        )


def _open_all_hours(session: Session) -> None:
    for weekday in range(7):
        # 00:00-00:00 is open all day (a closing time of 00:00 means midnight).
        session.merge(OpeningHours(weekday=weekday, opens=dt.time(0, 0), closes=dt.time(0, 0)))


def _instructions() -> list[str]:
    lines = ["Demo data loaded. When you call, key one of these (then #):"]
    for ref, name, dob, status, *_ in DEMO_CASES:
        keyed_ref = ref.replace("/", "*")
        keyed_dob = dt.date.fromisoformat(dob).strftime("%d%m%Y")
        lines.append(f"  {name}: reference {keyed_ref}  date of birth {keyed_dob}  ({status})")
    lines.append(
        "Demo agents: "
        + ", ".join(identity for _, identity, *_ in DEMO_AGENTS)
        + " (on shift around the clock in the demo)."
    )
    return lines
