"""Supervisors' list of cases owed a Victims' Code update, and its wallboard figure."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from flask import Flask
from sqlalchemy.orm import Session

from cases.models import Case, Victim
from consoles.overdue import overdue
from consoles.wallboard import snapshot
from core.clock import now
from tests.consoles.conftest import Console
from tests.consoles.html import fields, rows

DOB = dt.date(1980, 2, 1)
PHONE = "+447700900999"


def _today(app: Flask) -> dt.date:
    return now().astimezone(ZoneInfo(app.config["TIMEZONE"])).date()


def _case(
    n: int,
    today: dt.date,
    last_update_ago: int,
    flagged_ago_hours: float | None,
    enhanced: bool = False,
    due_ago: int | None = None,
) -> Case:
    flagged = None if flagged_ago_hours is None else now() - dt.timedelta(hours=flagged_ago_hours)
    return Case(
        crime_reference=f"100000{n}/24",
        reference_key=f"100000{n}/24",
        victim=Victim(name=f"Victim Name{n}", date_of_birth=DOB, phone_e164=PHONE),
        status_code="UNDER_INVESTIGATION",
        officer=f"DC Officer{n}",
        offence=f"Offence{n}",
        last_update=today - dt.timedelta(days=last_update_ago),
        next_update_due=None if due_ago is None else today - dt.timedelta(days=due_ago),
        enhanced_rights=enhanced,
        overdue_flagged_at=flagged,
        updated_at=now(),
    )


def _seed(db: Session, today: dt.date) -> None:
    """Three overdue flagged cases (flagged in the opposite order to how overdue they are)."""
    db.add_all(
        [
            _case(1, today, 30, flagged_ago_hours=2),  # due about 23 days ago
            _case(2, today, 20, flagged_ago_hours=3, enhanced=True),  # due about 19 days ago
            _case(3, today, 3, flagged_ago_hours=1, due_ago=40),  # its own due date, 40 days ago
            _case(4, today, 0, flagged_ago_hours=5),  # flag is stale: not overdue any more
            _case(5, today, 30, flagged_ago_hours=None),  # overdue, but no victim has called
        ]
    )
    db.commit()


def test_most_overdue_first_and_only_flagged_overdue_cases(app: Flask) -> None:
    """Order is by when the update was due, not when the flag was raised; stale flags drop out."""
    today = _today(app)
    with app.extensions["helpline.sessionmaker"]() as db:
        _seed(db, today)
        listed = overdue(db, today)
    assert [r.crime_reference for r in listed] == ["1000003/24", "1000001/24", "1000002/24"]
    assert listed[0].update_due == today - dt.timedelta(days=40)
    assert listed[0].days_overdue == 40
    assert [r.enhanced_rights for r in listed] == [False, False, True]
    assert all(r.days_overdue > 0 for r in listed)


def test_page_lists_cases_without_victims_personal_data(app: Flask, supervisor: Console) -> None:
    """The page shows reference, offence, officer and dates; never name, birth date or phone."""
    with app.extensions["helpline.sessionmaker"]() as db:
        _seed(db, _today(app))
    page = supervisor.get("/console/overdue")
    assert page.status_code == 200
    shown = rows(page.text)
    assert [row[0] for row in shown] == ["1000003/24", "1000001/24", "1000002/24"]
    assert shown[1][1:3] == ["Offence1", "DC Officer1"]
    assert [row[6] for row in shown] == ["no", "no", "yes"]
    for personal in ("Victim Name", DOB.isoformat(), "01/02/1980", PHONE, "07700"):
        assert personal not in page.text


def test_only_supervisors_and_admins_see_it(app: Flask, console: Console) -> None:
    """An agent is refused with 403; supervisors and admins get the page and a nav link."""
    assert console.login("alan").status_code == 302
    assert console.get("/console/overdue").status_code == 403
    console.post("/console/logout", {})
    for name in ("sue", "ada"):
        assert console.login(name).status_code == 302
        page = console.get("/console/overdue")
        assert page.status_code == 200
        assert 'href="/console/overdue"' in console.get("/console/wallboard").text
        console.post("/console/logout", {})


def test_logged_out_is_sent_to_login(console: Console) -> None:
    """Without a login the page redirects to the login form."""
    response = console.get("/console/overdue")
    assert response.status_code == 302 and "/console/login" in response.location


def test_wallboard_counts_overdue_cases(app: Flask, supervisor: Console) -> None:
    """The wallboard's snapshot, JSON and page show how many cases are overdue."""
    with app.extensions["helpline.sessionmaker"]() as db:
        _seed(db, _today(app))
        assert snapshot(db, now(), app.config, {"waiting": [], "agents": []})["overdue_cases"] == 3
    assert supervisor.get("/console/wallboard.json").get_json()["overdue_cases"] == 3
    assert fields(supervisor.get("/console/wallboard").text)["overdue_cases"] == "3"
