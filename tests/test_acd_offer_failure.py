"""An offer Twilio could not deliver is not the agent's fault: no miss, same place, back off."""

from __future__ import annotations

import datetime as dt
import socket
from collections.abc import Iterator

import pytest
from flask import Flask

from queueing.desk import desk_for
from telephony.twilio_port import TwilioPort
from tests.acd_helpers import (
    RecordingPort,
    TwilioOutage,
    add_agent,
    call_row,
    make_available,
    open_desk,
    queue_call,
    sweep,
)


def port_at(app: Flask, base_url: str) -> None:
    """Send the app's Twilio REST requests to base_url."""
    config = app.config
    app.extensions["helpline.twilio"] = TwilioPort(
        config["TWILIO_ACCOUNT_SID"], config["TWILIO_AUTH_TOKEN"], base_url, "+442071838750"
    )


@pytest.fixture
def outage(app: Flask) -> Iterator[TwilioOutage]:
    """Twilio's REST API answering 500 to everything."""
    server = TwilioOutage().start()
    port_at(app, server.url)
    yield server
    server.stop()


def journal_kinds(app: Flask) -> list[str]:
    """Every ACD decision's kind, in order."""
    acd = desk_for(app).acd
    return [fields["kind"] for _id, fields in acd.redis.xrange(acd.prefix + "journal")]


def test_twilio_5xx_is_not_charged_to_the_agent(app: Flask, outage: TwilioOutage) -> None:
    """A 500 on the redirect: no miss, agents free, calls keep their places, one try per route."""
    open_desk(app)
    alice, bob = add_agent(app, "alice"), add_agent(app, "bob")
    make_available(app, alice)
    make_available(app, bob)
    first, second = queue_call(app, 1), queue_call(app, 2)
    assert sweep(app)["offered"] == 0
    assert len(outage.requests) == 1, "route must back off after a failed REST call"
    acd = desk_for(app).acd
    for agent in (alice, bob):
        assert (acd.agent(agent)["state"], acd.agent(agent)["missed"]) == ("available", "0")
    assert [acd.position(f"call:{s}") for s in (first, second)] == [1, 2]
    failed = [e.detail for e in call_row(app, first).events if e.kind == "offer_failed"]
    assert failed == [{"agent_id": alice, "status": 500, "error": 20500}]
    assert "offered" not in [e.kind for e in call_row(app, first).events]
    assert sweep(app, dt.timedelta(seconds=31))["expired"] == 0
    assert acd.agent(alice)["missed"] == "0"
    assert journal_kinds(app).count("offer_failed") == 2
    assert not {"timeout", "no_answer"} & set(journal_kinds(app))


def test_offered_again_at_the_same_place_when_twilio_is_back(
    app: Flask, outage: TwilioOutage
) -> None:
    """After the outage the first caller is still offered first, to the same agent."""
    open_desk(app)
    alice, bob = add_agent(app, "alice"), add_agent(app, "bob")
    make_available(app, alice)
    make_available(app, bob)
    first, second = queue_call(app, 1), queue_call(app, 2)
    sweep(app)
    recording = app.extensions["helpline.twilio"] = RecordingPort()
    assert sweep(app)["offered"] == 2
    assert [sid for sid, _url in recording.redirects] == [first, second]
    entry = desk_for(app).acd.entry(f"call:{first}")
    assert (entry["agent"], entry["token"]) == (str(alice), f"call:{first}#2")


def test_network_error_is_not_charged_to_the_agent(app: Flask) -> None:
    """Twilio unreachable (connection refused) is handled like a 5xx, not left to time out."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    port_at(app, f"http://127.0.0.1:{closed}")
    open_desk(app)
    alice = add_agent(app, "alice")
    make_available(app, alice)
    sid = queue_call(app, 1)
    sweep(app)
    acd = desk_for(app).acd
    assert (acd.agent(alice)["state"], acd.agent(alice)["missed"]) == ("available", "0")
    assert acd.position(f"call:{sid}") == 1
    failed = [e.detail for e in call_row(app, sid).events if e.kind == "offer_failed"]
    assert failed == [{"agent_id": alice, "status": None, "error": "ConnectionError"}]
