"""<Enqueue>: waitUrl loop, Leave, hangup and redirects out of the queue, <Dial><Queue>."""

from __future__ import annotations

import itertools
import re

from emulator import Caller, Party
from tests.emulator.conftest import rest, wait_until

CALLER = "+447700900123"
ENQUEUE = '<Enqueue waitUrl="/wait" action="/after">support</Enqueue><Say>after queue</Say>'


def _queued(emu, call):
    """Return the queue sid once the call is waiting in a queue."""
    return wait_until(lambda: call.queue_sid)


def test_wait_url_loop_parameters_and_pacing(stub, emu):
    """The waitUrl is re-requested with queue parameters, never faster than once a second."""
    stub.on("/voice/incoming", ENQUEUE)
    stub.on("/wait", "")  # an empty document must not make the loop spin
    stub.on("/after", "")
    call = emu.dial(from_=CALLER, caller=Caller.scripted(hangup_in_queue_after=6))
    assert call.wait(10)
    waits = stub.to("/wait")
    assert 3 <= len(waits) <= 8
    form = waits[-1].form
    assert re.fullmatch(r"QU[0-9a-f]{32}", form["QueueSid"])
    assert (form["QueuePosition"], form["CurrentQueueSize"]) == ("1", "1")
    assert int(form["MaxQueueSize"]) >= 100
    assert {"QueueTime", "AvgQueueTime"} <= form.keys()
    times = [e["sent"] for e in call.entries("webhook") if e["url"].endswith("/wait")]
    assert all(b - a >= 0.95 for a, b in itertools.pairwise(times))
    assert int(waits[-1].form["QueueTime"]) >= 3


def test_caller_hangup_in_queue_posts_action(stub, emu):
    """A caller hanging up in the queue makes Twilio request the action with QueueResult=hangup."""
    stub.on("/voice/incoming", ENQUEUE)
    stub.on("/wait", '<Say>Please hold</Say><Pause length="2"/>')
    stub.on("/after", "<Say>ignored</Say>")
    call = emu.dial(from_=CALLER, caller=Caller.scripted(hangup_in_queue_after=4))
    assert call.wait(10)
    after = stub.to("/after")[0].form
    assert after["QueueResult"] == "hangup"
    assert after["QueueSid"] == stub.to("/wait")[0].form["QueueSid"]
    assert "ignored" not in call.said()
    assert emu.queues.named("support").members == []


def test_leave_continues_after_enqueue(stub, emu):
    """<Leave> in the waitUrl takes the caller out; without action the next verb runs."""
    stub.on("/voice/incoming", '<Enqueue waitUrl="/wait">support</Enqueue><Say>line closed</Say>')
    stub.on("/wait", "<Say>closing</Say><Leave/>")
    call = emu.dial(from_=CALLER)
    assert call.wait(10)
    assert call.said() == ["closing", "line closed"]


def test_leave_requests_action(stub, emu):
    """<Leave> with an action requests it with QueueResult=leave and runs its TwiML."""
    stub.on("/voice/incoming", ENQUEUE)
    stub.on("/wait", "<Leave/>")
    stub.on("/after", "<Say>voicemail</Say>")
    call = emu.dial(from_=CALLER)
    assert call.wait(10)
    assert stub.to("/after")[0].form["QueueResult"] == "leave"
    assert call.said() == ["voicemail"]


def test_failing_wait_url_posts_queue_result_error(stub, emu):
    """A waitUrl answering 500 ends the wait: the action gets QueueResult=error, no apology."""
    from flask import Response

    stub.on("/voice/incoming", ENQUEUE)
    stub.on("/wait", lambda hit: Response("boom", status=500))
    stub.on("/after", "<Say>sorry about that</Say>")
    call = emu.dial(from_=CALLER)
    assert call.wait(10)
    [after] = stub.to("/after")
    assert after.form["QueueResult"] == "error"
    assert call.said() == ["sorry about that"]
    assert emu.queues.named("support").members == []
    assert [f["kind"] for f in emu.faults] == ["http-status"]


def test_failing_wait_url_without_action_runs_the_next_verb(stub, emu):
    """Without an action, a waitUrl error continues with the verb after <Enqueue>."""
    stub.on("/voice/incoming", '<Enqueue waitUrl="/wait">support</Enqueue><Say>next</Say>')
    stub.on("/wait", "<Bogus/>")
    call = emu.dial(from_=CALLER)
    assert call.wait(10)
    assert call.said() == ["next"]


def test_rest_redirect_of_queued_call(stub, emu):
    """Redirecting a queued call posts QueueResult=redirected (ignored) and the new Url runs."""
    stub.on("/voice/incoming", ENQUEUE)
    stub.on("/wait", "<Play>/music.mp3</Play>")
    stub.on("/after", "<Say>ignored</Say>")
    stub.on("/callback-offer", "<Say>we will call you back</Say>")
    call = emu.dial(from_=CALLER)
    _queued(emu, call)
    resp = rest(emu, "POST", f"Calls/{call.sid}.json", {"Url": stub.url + "/callback-offer"})
    assert resp.status_code == 200
    assert call.wait(10)
    assert stub.to("/after")[0].form["QueueResult"] == "redirected"
    assert call.said() == ["we will call you back"]


def test_dial_queue_bridges_front_member(stub, emu):
    """An agent's <Dial><Queue> dequeues the caller, whispers to them and bridges both."""
    emu.add_party("client:alice", Party(answer_after=1, talk_for=8))
    stub.on("/voice/incoming", ENQUEUE)
    stub.on("/wait", "<Play>/music.mp3</Play>")
    stub.on("/after", "<Say>thank you for calling</Say>")
    stub.on("/agent", '<Dial><Queue url="/connecting">support</Queue></Dial>')
    stub.on("/connecting", "<Say>connecting you now</Say>")
    caller = emu.dial(from_=CALLER)
    _queued(emu, caller)
    resp = rest(
        emu,
        "POST",
        "Calls.json",
        {"To": "client:alice", "From": "+442071838750", "Url": stub.url + "/agent"},
    )
    agent = emu.calls[resp.json()["sid"]]
    assert caller.wait(15) and agent.wait(15)
    assert stub.to("/connecting")[0].form["DequeingCallSid"] == agent.sid
    assert stub.to("/after")[0].form["QueueResult"] == "bridged"
    assert caller.said() == ["connecting you now", "thank you for calling"]
    assert caller.entries("bridged")[0]["with"] == agent.sid
    assert agent.entries("bridged")[0]["with"] == caller.sid
    assert caller.entries("unbridged")


def test_member_redirect_then_second_redirect_fails(stub, emu):
    """Queue Member POST with Url dequeues the caller; doing it again answers 400."""
    stub.on("/voice/incoming", ENQUEUE)
    stub.on("/wait", "<Play>/music.mp3</Play>")
    stub.on("/after", "")
    stub.on("/agent-ready", "<Say>an advisor is ready</Say>")
    call = emu.dial(from_=CALLER)
    queue_sid = _queued(emu, call)
    members = rest(emu, "GET", f"Queues/{queue_sid}/Members.json").json()["queue_members"]
    assert [m["call_sid"] for m in members] == [call.sid]
    first = rest(
        emu, "POST", f"Queues/{queue_sid}/Members/Front.json", {"Url": stub.url + "/agent-ready"}
    )
    assert first.status_code == 200
    assert first.json()["call_sid"] == call.sid
    second = rest(
        emu,
        "POST",
        f"Queues/{queue_sid}/Members/{call.sid}.json",
        {"Url": stub.url + "/agent-ready"},
    )
    assert second.status_code == 400
    assert call.wait(10)
    assert call.said() == ["an advisor is ready"]
    assert stub.to("/after")[0].form["QueueResult"] == "redirected"


def test_dial_queue_times_out_on_empty_queue(stub, emu):
    """Dialling an existing but empty queue waits for the Dial timeout, then no-answer."""
    emu.queues.create("support")
    stub.on("/voice/incoming", '<Dial timeout="3" action="/done"><Queue>support</Queue></Dial>')
    stub.on("/done", "")
    call = emu.dial(from_=CALLER)
    assert call.wait(10)
    assert stub.to("/done")[0].form["DialCallStatus"] == "no-answer"


def test_queue_patience_stops_once_bridged(stub, emu):
    """hangup_in_queue_after only applies while waiting: a bridged caller stays on the line."""
    emu.add_party("client:alice", Party(answer_after=1, talk_for=20))
    stub.on("/voice/incoming", ENQUEUE)
    stub.on("/wait", "<Play>/music.mp3</Play>")
    stub.on("/after", "")
    stub.on("/agent", "<Dial><Queue>support</Queue></Dial>")
    caller = emu.dial(from_=CALLER, caller=Caller.scripted(hangup_in_queue_after=10))
    _queued(emu, caller)
    rest(
        emu,
        "POST",
        "Calls.json",
        {"To": "client:alice", "From": "+442071838750", "Url": stub.url + "/agent"},
    )
    assert caller.wait(15)
    assert stub.to("/after")[0].form["QueueResult"] == "bridged"
    bridged, unbridged = caller.entries("bridged")[0], caller.entries("unbridged")[0]
    assert unbridged["t"] - bridged["t"] >= 15
