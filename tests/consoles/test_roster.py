"""The roster editor: agents, shifts, opening hours and closures, validated and audited."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from accounts.models import AuditRecord
from roster import editing
from roster.hours import is_open
from roster.models import Agent, Closure, OpeningHours, Shift
from tests.consoles.conftest import Console

LONDON = ZoneInfo("Europe/London")


@pytest.fixture
def db(app: Flask) -> Iterator[Session]:
    """A session for checking rows (expired before each check by the tests)."""
    with app.extensions["helpline.sessionmaker"]() as session:
        yield session


@pytest.fixture
def alice(db: Session) -> int:
    """An agent with a Monday 08:00-12:00 shift; returns her id."""
    agent = Agent(name="Alice", client_identity="alice", skills=[], languages=["en-GB"])
    agent.shifts.append(Shift(weekday=0, starts=dt.time(8), ends=dt.time(12), kind="work"))
    db.add(agent)
    db.commit()
    return agent.id


def _audits(db: Session, entity: str) -> list[AuditRecord]:
    db.expire_all()
    return list(db.scalars(select(AuditRecord).where(AuditRecord.entity == entity)))


def test_add_agent_stores_it_and_audits_who(db: Session, supervisor: Console) -> None:
    """A valid agent form creates the agent (phone in E.164) with an audit record by sue."""
    form = {
        "name": "Bob",
        "client_identity": "bob",
        "phone": "07700 900123",
        "skills": "hate_crime, domestic_abuse",
        "languages": "en-GB cy-GB",
        "active": "on",
    }
    assert supervisor.post("/console/roster/agents", form).status_code == 302
    agent = db.scalars(select(Agent)).one()
    assert (agent.phone_e164, agent.skills) == ("+447700900123", ["hate_crime", "domestic_abuse"])
    assert agent.languages == ["en-GB", "cy-GB"] and agent.active
    [record] = _audits(db, "agent")
    assert (record.actor, record.action, record.entity_id) == ("sue", "create", str(agent.id))


def test_bad_agent_details_are_explained(db: Session, supervisor: Console) -> None:
    """A bad phone number and a missing name come back as messages, and nothing is saved."""
    form = {"name": " ", "phone": "12", "languages": "en-GB"}
    response = supervisor.post("/console/roster/agents", form)
    assert response.status_code == 422
    assert "That phone number is not valid." in response.text
    assert "Give the agent a name." in response.text
    assert db.scalars(select(Agent)).all() == []


def test_deactivating_an_agent(db: Session, supervisor: Console, alice: int) -> None:
    """Unticking 'active' saves, with before and after in the audit trail."""
    form = {"name": "Alice", "client_identity": "alice", "languages": "en-GB"}
    assert supervisor.post(f"/console/roster/agents/{alice}", form).status_code == 302
    db.expire_all()
    assert db.get(Agent, alice).active is False  # type: ignore[union-attr]
    [record] = _audits(db, "agent")
    assert record.detail["before"]["active"] is True and record.detail["after"]["active"] is False


def test_shift_ending_before_it_starts_is_refused(
    db: Session, supervisor: Console, alice: int
) -> None:
    """End before start: a clear message and no new shift."""
    shift = {"when": "1", "kind": "work", "starts": "14:00", "ends": "09:00"}
    response = supervisor.post(f"/console/roster/agents/{alice}/shifts", shift)
    assert response.status_code == 422
    assert "The shift must end after it starts (00:00 means midnight)." in response.text
    assert len(db.scalars(select(Shift)).all()) == 1


def test_overlapping_shift_is_refused(db: Session, supervisor: Console, alice: int) -> None:
    """A second Monday shift overlapping 08:00-12:00 names the shift it overlaps."""
    shift = {"when": "0", "kind": "work", "starts": "11:00", "ends": "15:00"}
    response = supervisor.post(f"/console/roster/agents/{alice}/shifts", shift)
    assert response.status_code == 422
    assert "This overlaps the shift Monday 08:00-12:00." in response.text
    adjacent = {**shift, "starts": "12:00", "ends": "16:00"}
    assert supervisor.post(f"/console/roster/agents/{alice}/shifts", adjacent).status_code == 302
    assert len(db.scalars(select(Shift)).all()) == 2


def test_editing_a_shift_changes_it_and_audits_before_after(
    db: Session, supervisor: Console, alice: int
) -> None:
    """Moving the Monday shift to 09:00-17:00 is saved and audited."""
    shift_id = db.scalars(select(Shift)).one().id
    form = {"agent_id": str(alice), "when": "0", "kind": "work", "starts": "09:00", "ends": "17:00"}
    assert supervisor.post(f"/console/roster/shifts/{shift_id}", form).status_code == 302
    db.expire_all()
    shift = db.get(Shift, shift_id)
    assert (shift.starts, shift.ends) == (dt.time(9), dt.time(17))  # type: ignore[union-attr]
    [record] = _audits(db, "shift")
    assert record.detail == {
        "before": {"day": "Monday 08:00-12:00", "kind": "work"},
        "after": {"day": "Monday 09:00-17:00", "kind": "work"},
    }


def test_dated_leave_and_removal(db: Session, supervisor: Console, alice: int) -> None:
    """Leave on a date is stored as a dated exception; removing a shift deletes it."""
    leave = {"when": "date", "on_date": "2026-12-28", "kind": "leave"}
    leave |= {"starts": "00:00", "ends": "23:59"}
    assert supervisor.post(f"/console/roster/agents/{alice}/shifts", leave).status_code == 302
    row = db.scalars(select(Shift).where(Shift.kind == "leave")).one()
    assert row.on_date == dt.date(2026, 12, 28) and row.weekday is None
    leave_id, form = row.id, {"agent_id": str(alice)}
    assert supervisor.post(f"/console/roster/shifts/{leave_id}/delete", form).status_code == 302
    db.expire_all()
    assert db.get(Shift, leave_id) is None
    assert [r.action for r in _audits(db, "shift")] == ["create", "delete"]


def test_missing_date_for_a_one_off_is_explained(supervisor: Console, alice: int) -> None:
    """A dated shift without a date gets a message, not a crash."""
    form = {"when": "date", "on_date": "", "kind": "work", "starts": "08:00", "ends": "09:00"}
    response = supervisor.post(f"/console/roster/agents/{alice}/shifts", form)
    assert response.status_code == 422
    assert "Date: give a date as YYYY-MM-DD." in response.text


def _week(**changes: str) -> dict[str, str]:
    form = {}
    for day in range(7):
        form[f"opens_{day}"], form[f"closes_{day}"] = "08:00", "20:00" if day < 5 else "16:00"
    return form | changes


def test_opening_hours_take_effect_at_once(db: Session, supervisor: Console) -> None:
    """Closing Sunday and opening Monday at 09:00 changes is_open and is audited."""
    form = _week(opens_0="09:00", closed_6="on")
    assert supervisor.post("/console/roster/hours", form).status_code == 302
    monday_0830 = dt.datetime(2026, 11, 23, 8, 30, tzinfo=LONDON)
    sunday_noon = dt.datetime(2026, 11, 29, 12, tzinfo=LONDON)
    assert not is_open(db, monday_0830) and not is_open(db, sunday_noon)
    assert is_open(db, monday_0830 + dt.timedelta(hours=1))
    assert db.get(OpeningHours, 6).opens is None  # type: ignore[union-attr]
    [record] = _audits(db, "opening_hours")
    assert record.detail["before"]["Monday"] == "08:00-20:00"
    assert record.detail["after"]["Monday"] == "09:00-20:00"
    assert record.detail["after"]["Sunday"] == "closed"


def test_closing_before_opening_is_refused(db: Session, supervisor: Console) -> None:
    """Tuesday closing before it opens: a message naming the day, nothing saved."""
    response = supervisor.post("/console/roster/hours", _week(opens_1="18:00", closes_1="09:00"))
    assert response.status_code == 422
    assert "Tuesday: closing must be after opening (00:00 means midnight)." in response.text
    assert db.scalars(select(OpeningHours)).all() == []


def test_holiday_closure_added_and_removed(db: Session, supervisor: Console) -> None:
    """A bank holiday closes the desk that day; reopening removes it; both are audited."""
    form = {"on_date": "2026-12-25", "reason": "Christmas Day"}
    assert supervisor.post("/console/roster/closures", form).status_code == 302
    christmas = dt.datetime(2026, 12, 25, 12, tzinfo=LONDON)
    assert not is_open(db, christmas)
    again = supervisor.post("/console/roster/closures", form)
    assert again.status_code == 422 and "already closed" in again.text
    assert supervisor.post("/console/roster/closures/2026-12-25/delete", {}).status_code == 302
    db.expire_all()
    assert db.get(Closure, dt.date(2026, 12, 25)) is None and is_open(db, christmas)
    assert [r.action for r in _audits(db, "closure")] == ["create", "delete"]


def test_every_change_tells_routing_after_commit(
    monkeypatch: pytest.MonkeyPatch, db: Session, supervisor: Console, alice: int
) -> None:
    """routing_changed runs once per saved change, and not for refused ones."""
    calls: list[int] = []
    monkeypatch.setattr(editing, "routing_changed", lambda *_: calls.append(1))
    shift = {"when": "2", "kind": "work", "starts": "08:00", "ends": "12:00"}
    supervisor.post(f"/console/roster/agents/{alice}/shifts", shift)
    supervisor.post(f"/console/roster/agents/{alice}/shifts", shift)  # overlaps: refused
    supervisor.post("/console/roster/hours", _week())
    assert len(calls) == 2


def test_audit_trail_page_lists_changes(supervisor: Console, alice: int) -> None:
    """The audit page shows who did what."""
    supervisor.post("/console/roster/closures", {"on_date": "2026-12-26", "reason": "Boxing"})
    page = supervisor.get("/console/roster/audit")
    assert page.status_code == 200 and "closure 2026-12-26" in page.text


def test_roster_pages_render(supervisor: Console, alice: int) -> None:
    """Agent list, agent page and hours page render for a supervisor."""
    for path in ("/console/roster/", f"/console/roster/agents/{alice}", "/console/roster/hours"):
        assert supervisor.get(path).status_code == 200
    assert supervisor.get("/console/roster/agents/999").status_code == 404


def test_shift_change_reaches_the_router_at_once(
    app: Flask, supervisor: Console, alice: int
) -> None:
    """Adding today's shift marks the agent on shift in the ACD's Redis mirror straight away."""
    from core.clock import now
    from queueing.desk import desk_for

    today = now().astimezone(LONDON).weekday()
    if today == 0:  # alice already works Monday mornings: replace that pattern
        supervisor.post(f"/console/roster/shifts/{_monday(app)}/delete", {"agent_id": str(alice)})
    shift = {"when": str(today), "kind": "work", "starts": "00:00", "ends": "23:59"}
    assert supervisor.post(f"/console/roster/agents/{alice}/shifts", shift).status_code == 302
    assert desk_for(app).acd.agent(alice).get("on_shift") == "1"


def _monday(app: Flask) -> int:
    with app.extensions["helpline.sessionmaker"]() as session:
        return session.scalars(select(Shift)).one().id


@pytest.mark.parametrize(
    "back", ["/\t/evil.example/", "/\\evil.example", "//evil.example", "/x\r\nSet-Cookie: a=1"]
)
def test_roster_back_field_stays_on_the_site(supervisor: Console, back: str) -> None:
    """A form's 'back' that would leave the site (or break the header) goes to the agents page."""
    form = {"name": "Bob", "client_identity": "bob", "languages": "en-GB", "back": back}
    response = supervisor.post("/console/roster/agents", form)
    assert response.status_code == 302
    assert response.headers["Location"] == "/console/roster/"
