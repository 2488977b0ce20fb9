"""Supervisors see which numbers opted out of texts: masked, with their cases, no content."""

from __future__ import annotations

import datetime as dt

from flask import Flask

from cases.models import Case, Victim
from core.clock import now
from messaging.optouts import record_opt_out
from tests.consoles.conftest import Console
from tests.consoles.html import rows

PHONE = "+447700900987"


def _seed(app: Flask) -> None:
    with app.extensions["helpline.sessionmaker"]() as db:
        victim = Victim(name="Victim Name", date_of_birth=dt.date(1980, 2, 1), phone_e164=PHONE)
        db.add(
            Case(
                crime_reference="1000009/24",
                reference_key="1000009/24",
                victim=victim,
                status_code="UNDER_INVESTIGATION",
                last_update=now().date(),
                updated_at=now(),
            )
        )
        record_opt_out(db, PHONE, "keyword", now())
        record_opt_out(db, "+447700900111", "twilio_21610", now())
        db.commit()


def test_supervisor_sees_masked_numbers_and_their_cases(app: Flask, supervisor: Console) -> None:
    """Each opted-out number is listed masked, with the case it belongs to and how we learnt."""
    _seed(app)
    page = supervisor.get("/console/sms-opt-outs")
    assert page.status_code == 200
    shown = sorted(rows(page.text))
    assert [(row[0], row[1], row[3]) for row in shown] == [
        ("**********111", "none on record", "Twilio refused a text (21610)"),
        ("**********987", "1000009/24", "texted STOP"),
    ]
    for personal in (PHONE, "+447700900111", "Victim Name"):
        assert personal not in page.text


def test_agents_cannot_see_the_register(app: Flask, console: Console) -> None:
    """An agent is refused with 403."""
    assert console.login("alan").status_code == 302
    assert console.get("/console/sms-opt-outs").status_code == 403
