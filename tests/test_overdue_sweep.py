"""The hourly sweep finds overdue cases whose victims never call."""

from __future__ import annotations

import datetime as dt

from flask import Flask
from sqlalchemy import select

from accounts.models import AuditRecord
from cases import overdue
from cases.importer import upsert
from cases.jobs import flag_overdue
from cases.models import Case
from core.features import registry

TODAY = dt.date(2026, 11, 27)  # a Friday


def add_case(app: Flask, reference: str, status: str, last_update: dt.date) -> None:
    row = {
        "crime_reference": reference,
        "reference_key": reference,
        "victim_name": "V",
        "victim_phone": None,
        "victim_dob": dt.date(1980, 1, 1),
        "status_code": status,
        "status_detail": "",
        "officer": "DC X",
        "last_update": last_update,
        "next_update_due": None,
        "enhanced_rights": False,
        "language": "en-GB",
        "offence": "",
    }
    with app.extensions["helpline.sessionmaker"]() as session:
        upsert(session, [row])
        session.commit()


def flagged(app: Flask) -> dict[str, bool]:
    with app.extensions["helpline.sessionmaker"]() as session:
        cases = session.scalars(select(Case))
        return {c.reference_key: c.overdue_flagged_at is not None for c in cases}


def test_sweep_flags_open_overdue_cases_only(app: Flask) -> None:
    """Late open cases are flagged and audited; fresh and closed cases are not."""
    add_case(app, "1000001/24", "UNDER_INVESTIGATION", dt.date(2026, 11, 2))
    add_case(app, "1000002/24", "UNDER_INVESTIGATION", dt.date(2026, 11, 26))
    add_case(app, "1000003/24", "NO_FURTHER_ACTION", dt.date(2026, 10, 1))
    with app.extensions["helpline.sessionmaker"]() as session:
        assert overdue.sweep(session, TODAY) == 1
        session.commit()
        audits = session.scalars(select(AuditRecord).where(AuditRecord.action == "case_overdue"))
        assert [a.actor for a in audits] == ["overdue-sweep"]
        assert [c.reference_key for c in overdue.overdue_cases(session, TODAY)] == ["1000001/24"]
    assert flagged(app) == {"1000001/24": True, "1000002/24": False, "1000003/24": False}


def test_sweep_clears_a_flag_once_updated_and_flags_once(app: Flask) -> None:
    """A second sweep adds no audit row; an update after the flag clears it."""
    add_case(app, "1000001/24", "UNDER_INVESTIGATION", dt.date(2026, 11, 2))
    with app.extensions["helpline.sessionmaker"]() as session:
        overdue.sweep(session, TODAY)
        overdue.sweep(session, TODAY)
        session.commit()
        assert len(session.scalars(select(AuditRecord)).all()) == 1
    add_case(app, "1000001/24", "SUSPECT_ARRESTED", dt.date(2026, 11, 26))
    with app.extensions["helpline.sessionmaker"]() as session:
        assert overdue.sweep(session, TODAY) == 0
        session.commit()
    assert flagged(app) == {"1000001/24": False}


def test_sweep_is_scheduled(app: Flask) -> None:
    """The worker runs the sweep periodically (cases.init_app registers it)."""
    assert any(job.func is flag_overdue and job.seconds > 0 for job in registry(app).periodic)
