"""Recording a call's first sight: one row per CallSid, in one statement."""

from __future__ import annotations

import threading

from flask import Flask
from sqlalchemy import event, func, select

from calls.journey import start_call
from calls.models import Call, CallEvent
from tests.twilio_signing import TwilioSigner, voice_params

SID = "CA" + "b" * 32


def test_new_call_is_recorded_with_its_defaults_in_one_statement(app: Flask) -> None:
    """The first sight inserts the call (and returns it, new) with one statement."""
    statements: list[str] = []
    engine = app.extensions["helpline.engine"]
    event.listen(engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    with app.extensions["helpline.sessionmaker"]() as session:
        call, new = start_call(session, SID, "+447700900123")
        session.commit()
    assert new and len(statements) == 1
    assert (call.direction, call.outcome, call.twilio_status) == (
        "inbound",
        "in_progress",
        "ringing",
    )
    assert (call.language, call.authenticated, call.status_sequence) == ("en-GB", False, -1)
    assert call.id is not None and call.from_e164 == "+447700900123"


def test_second_sight_returns_the_same_call(app: Flask) -> None:
    """A call seen again is the same row, not new."""
    make = app.extensions["helpline.sessionmaker"]
    with make() as session:
        first, _ = start_call(session, SID, "+447700900123")
        session.commit()
    with make() as session:
        again, new = start_call(session, SID, "+447700900123")
        assert not new and again.id == first.id
        assert session.scalar(select(func.count()).select_from(Call)) == 1


def test_two_deliveries_at_once_make_one_call(app: Flask) -> None:
    """Threads starting the same call together: exactly one sees it new, one row exists."""
    make = app.extensions["helpline.sessionmaker"]
    barrier, news = threading.Barrier(4), []

    def start() -> None:
        with make() as session:
            barrier.wait()
            _, new = start_call(session, SID, None)
            session.commit()
            news.append(new)

    threads = [threading.Thread(target=start) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(news) == [False, False, False, True]
    with make() as session:
        assert session.scalar(select(func.count()).select_from(Call)) == 1


def test_incoming_twice_greets_one_call(twilio: TwilioSigner, app: Flask) -> None:
    """Two deliveries of a call's first webhook (different tokens): one call, one greeting."""
    first = twilio.post("/voice/incoming", voice_params(CallSid=SID), token="first")
    again = twilio.post("/voice/incoming", voice_params(CallSid=SID), token="again")
    assert first.data == again.data
    with app.extensions["helpline.sessionmaker"]() as session:
        kinds = session.scalars(select(CallEvent.kind).join(Call).where(Call.call_sid == SID))
        assert list(kinds) == ["greeted"]
