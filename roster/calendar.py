"""The desk's calendar (closure dates, weekly opening hours), read once and kept per process.

Webhooks ask "is the desk open?" and "when is this update due?" on every call, and the
calendar changes a few times a year, so each process keeps a copy per database engine and
re-reads it at most every REFRESH_SECONDS. A committed change to either table made in this
process drops the copy at once; other processes pick it up within REFRESH_SECONDS, which is
far below what an opening time or a bank holiday can notice. A session holding its own
uncommitted change reads the tables directly, so it always sees what it wrote.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
import weakref
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, event, select
from sqlalchemy.orm import ORMExecuteState, Session, UOWTransaction

from roster.models import Closure, OpeningHours

REFRESH_SECONDS = 2.0
_CHANGED = "helpline.calendar_changed"
_TABLES = (Closure, OpeningHours)
HoursRow = tuple[int, dt.time | None, dt.time | None]


@dataclass(frozen=True)
class Calendar:
    """Every closure date, and the opening-hours rows (weekday, opens, closes)."""

    closures: frozenset[dt.date]
    hours: tuple[HoursRow, ...]
    loaded_at: float


_copies: weakref.WeakKeyDictionary[Engine, Calendar] = weakref.WeakKeyDictionary()
_watching = threading.Lock()
_watched = False


def calendar(session: Session) -> Calendar:
    """Return the desk's calendar as this session should see it."""
    if _writing(session):
        return _load(session)
    engine = _engine(session)
    copy = _copies.get(engine)
    if copy is None or time.monotonic() - copy.loaded_at >= REFRESH_SECONDS:
        _watch()
        copy = _copies[engine] = _load(session)
    return copy


def _load(session: Session) -> Calendar:
    closures = frozenset(session.scalars(select(Closure.on_date)))
    rows = session.execute(select(OpeningHours.weekday, OpeningHours.opens, OpeningHours.closes))
    hours = tuple((weekday, opens, closes) for weekday, opens, closes in rows)
    return Calendar(closures, hours, time.monotonic())


def _engine(session: Session) -> Engine:
    bind = session.get_bind()
    return bind.engine if isinstance(bind, Connection) else bind


def _touches(objects: Any) -> bool:
    return any(isinstance(obj, _TABLES) for obj in objects)


def _writing(session: Session) -> bool:
    """Say whether the session holds a change to the calendar not yet committed."""
    pending = (*session.new, *session.dirty, *session.deleted)
    return bool(session.info.get(_CHANGED)) or _touches(pending)


def _watch() -> None:
    """Listen (once per process) for committed calendar changes made through any session."""
    global _watched
    with _watching:
        if _watched:
            return
        event.listen(Session, "after_flush", _after_flush)
        event.listen(Session, "do_orm_execute", _on_execute)
        event.listen(Session, "after_commit", _after_commit)
        event.listen(Session, "after_rollback", _forget)
        _watched = True


def _after_flush(session: Session, _flush: UOWTransaction) -> None:
    # After a flush the session still lists what it flushed as new, dirty and deleted.
    if _touches((*session.new, *session.dirty, *session.deleted)):
        session.info[_CHANGED] = True


def _on_execute(state: ORMExecuteState) -> None:
    if (state.is_update or state.is_delete or state.is_insert) and state.bind_mapper in {
        Closure.__mapper__,
        OpeningHours.__mapper__,
    }:
        state.session.info[_CHANGED] = True


def _after_commit(session: Session) -> None:
    if session.info.pop(_CHANGED, False):
        _copies.pop(_engine(session), None)


def _forget(session: Session) -> None:
    session.info.pop(_CHANGED, None)
