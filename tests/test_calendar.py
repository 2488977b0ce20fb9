"""The desk's calendar is read once per process, yet every committed edit is seen."""

from __future__ import annotations

import datetime as dt
import time
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from sqlalchemy import event
from sqlalchemy.orm import Session

from core.db import make_engine
from roster import calendar as calendar_module
from roster.hours import is_open
from roster.models import Closure, OpeningHours

MONDAY = dt.datetime(2026, 11, 23, 10, tzinfo=ZoneInfo("Europe/London"))


def open_all_week(session: Session) -> None:
    """Open 09:00-17:00 every day."""
    for weekday in range(7):
        session.merge(OpeningHours(weekday=weekday, opens=dt.time(9), closes=dt.time(17)))


def test_calendar_is_not_read_again_for_every_question(app: Flask) -> None:
    """Once loaded, asking again issues no SQL at all."""
    statements: list[str] = []
    engine = app.extensions["helpline.engine"]
    with app.extensions["helpline.sessionmaker"]() as session:
        open_all_week(session)
        session.commit()
        assert is_open(session, MONDAY)
        event.listen(engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
        for _ in range(5):
            assert is_open(session, MONDAY)
    assert statements == []


def test_committed_closure_is_seen_at_once_by_every_session(app: Flask) -> None:
    """A supervisor's closure, once committed, closes the desk for the very next caller."""
    make = app.extensions["helpline.sessionmaker"]
    with make() as session:
        open_all_week(session)
        session.commit()
        assert is_open(session, MONDAY)
    with make() as editor:
        editor.add(Closure(on_date=MONDAY.date(), reason="Bank holiday"))
        editor.commit()
    with make() as caller:
        assert not is_open(caller, MONDAY)


def test_uncommitted_change_is_seen_only_by_its_own_session(app: Flask) -> None:
    """A session sees its own pending closure; others never see one that is rolled back."""
    make = app.extensions["helpline.sessionmaker"]
    with make() as session:
        open_all_week(session)
        session.commit()
        assert is_open(session, MONDAY)
    with make() as editor, make() as caller:
        editor.add(Closure(on_date=MONDAY.date(), reason="Maybe"))
        assert not is_open(editor, MONDAY)
        assert is_open(caller, MONDAY)
        editor.rollback()
        assert is_open(editor, MONDAY)
    with make() as caller:
        assert is_open(caller, MONDAY)


def test_bulk_delete_of_hours_is_seen_after_commit(app: Flask) -> None:
    """An ORM bulk delete of the opening hours drops the copy too (the defaults apply again)."""
    make = app.extensions["helpline.sessionmaker"]
    evening = MONDAY.replace(hour=19)
    with make() as session:
        open_all_week(session)
        session.commit()
        assert not is_open(session, evening)
    with make() as editor:
        editor.query(OpeningHours).delete()
        editor.commit()
    with make() as caller:
        assert is_open(caller, evening)  # the default weekday hours run to 20:00


def test_change_made_by_another_process_is_seen_within_the_refresh(
    app: Flask, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another process's commit is not signalled here: it shows once the copy is refreshed."""
    monkeypatch.setattr(calendar_module, "REFRESH_SECONDS", 0.2)
    make = app.extensions["helpline.sessionmaker"]
    with make() as session:
        open_all_week(session)
        session.commit()
        assert is_open(session, MONDAY)
    other = make_engine(database_url)  # another process's engine: its events never reach us
    with Session(other) as elsewhere:
        elsewhere.add(Closure(on_date=MONDAY.date(), reason="Strike"))
        elsewhere.commit()
    other.dispose()
    with make() as caller:
        assert is_open(caller, MONDAY)  # still the copy read before the change
        time.sleep(0.25)
        assert not is_open(caller, MONDAY)
