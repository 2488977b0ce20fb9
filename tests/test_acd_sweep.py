"""The periodic sweep and the status-callback hook: nothing is stranded when events go missing."""

from __future__ import annotations

import datetime as dt

import pytest
import redis
from flask import Flask
from sqlalchemy import delete, select

from calls.models import Call
from core.clock import now
from queueing.acd import Offer
from queueing.desk import desk_for
from queueing.mirror import refresh_roster
from roster.models import Shift
from tests.acd_helpers import (
    RecordingPort,
    add_agent,
    call_row,
    make_available,
    open_desk,
    queue_call,
    sweep,
)
from tests.twilio_signing import TwilioSigner, voice_params


def test_expired_offer_is_recorded_and_offered_again(app: Flask, port: RecordingPort) -> None:
    """An offer nobody settled times out: a no-answer is recorded and the call is offered again."""
    open_desk(app)
    agent = add_agent(app, "alice")
    sid = queue_call(app, 1)
    make_available(app, agent)
    assert len(port.redirects) == 1
    result = sweep(app, dt.timedelta(seconds=31))
    assert result["expired"] == 1 and result["offered"] == 1
    assert len(port.redirects) == 2
    events = [(e.kind, e.detail.get("reason")) for e in call_row(app, sid).events]
    assert ("no_answer", "timeout") in events


def test_shift_end_stops_offers_without_an_api_call(app: Flask, port: RecordingPort) -> None:
    """When an agent's shift ends, the sweep's mirror refresh stops their offers."""
    open_desk(app)
    agent = add_agent(app, "alice")
    add_agent(app, "bob")  # keeps the desk staffed on the roster
    make_available(app, agent)
    with app.extensions["helpline.sessionmaker"]() as session:
        session.execute(delete(Shift).where(Shift.agent_id == agent))
        session.commit()
    sweep(app)
    assert desk_for(app).acd.agent(agent)["on_shift"] == "0"
    queue_call(app, 1)
    sweep(app)
    assert port.redirects == []


def test_status_callback_abandons_a_waiting_call(app: Flask, twilio: TwilioSigner) -> None:
    """A completed status callback for a caller still queued records the abandon."""
    open_desk(app)
    add_agent(app, "alice")
    sid = queue_call(app, 1)
    params = voice_params(
        CallSid=sid, CallStatus="completed", SequenceNumber="3", CallDuration="40"
    )
    assert twilio.post("/voice/status", params).status_code == 200
    call = call_row(app, sid)
    assert call.outcome == "abandoned" and call.abandon_position == 1
    assert desk_for(app).acd.waiting_count() == 0


def test_sweep_finishes_connected_calls_that_ended(app: Flask, port: RecordingPort) -> None:
    """A connected call whose end was recorded but never settled frees its agent."""
    open_desk(app)
    agent = add_agent(app, "alice")
    sid = queue_call(app, 1)
    make_available(app, agent)
    acd = desk_for(app).acd
    entry = acd.entry(f"call:{sid}")
    assert acd.accept(Offer(f"call:{sid}", agent, entry["token"]), int(now().timestamp() * 1000))
    with app.extensions["helpline.sessionmaker"]() as session:
        call = session.scalars(select(Call).where(Call.call_sid == sid)).one()
        call.ended_at = now()
        session.commit()
    assert sweep(app)["ended"] == 1
    assert acd.agent(agent)["state"] == "wrap_up"
    assert acd.entry(f"call:{sid}") == {}


def evalsha_calls(client: redis.Redis) -> int:
    """Return how many EVALSHA commands the Redis server has run (INFO commandstats)."""
    return int(client.info("commandstats").get("cmdstat_evalsha", {}).get("calls", 0))


def test_roster_mirror_is_one_round_trip(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    """The sweep re-mirrors a 50-agent roster with one script call in one round trip."""
    for n in range(50):
        add_agent(app, f"agent{n}", on_shift=n % 5 != 0)
    desk = desk_for(app)
    client = desk.acd.redis
    sent: list[bytes] = []
    connection = client.connection_pool.connection_class
    send = connection.send_packed_command

    def counting(self: object, command: bytes, check_health: bool = True) -> None:
        sent.append(command)
        send(self, command, check_health)

    with app.extensions["helpline.sessionmaker"]() as session:
        refresh_roster(session, desk.acd, now(), desk.config.timezone)  # loads the script once
        before = evalsha_calls(client)
        with monkeypatch.context() as patch:
            patch.setattr(connection, "send_packed_command", counting)
            assert refresh_roster(session, desk.acd, now(), desk.config.timezone) == 50
        assert len(sent) == 1, "one round trip for the whole roster"
        assert evalsha_calls(client) - before == 1
    agents = client.smembers(desk.acd.prefix + "agents")
    assert sorted(desk.acd.agent(int(a))["on_shift"] for a in agents) == ["0"] * 10 + ["1"] * 40
