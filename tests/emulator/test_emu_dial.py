"""<Dial>: clients and numbers answering, busy, no-answer, failed, canceled; conferences."""

from __future__ import annotations

from emulator import Caller, Party
from tests.emulator.conftest import wait_until

CALLER = "+447700900123"


def _dial(stub, emu, dial_twiml: str, caller: Caller | None = None):
    """Run a call whose TwiML is dial_twiml with action /dialed; return (call, action form)."""
    stub.on("/voice/incoming", dial_twiml)
    stub.on("/dialed", "<Say>after dial</Say>")
    call = emu.dial(from_=CALLER, caller=caller or Caller.scripted())
    assert call.wait(15), call.transcript
    hits = stub.to("/dialed")
    return call, hits[0].form if hits else None


def test_client_answers_whisper_then_bridge(stub, emu):
    """The whisper runs on the agent leg first; then both legs are bridged until talk_for ends."""
    emu.add_party("client:alice", Party(answer_after=2, talk_for=10))
    stub.on("/whisper", "<Say>Helpline call, press nothing</Say>")
    call, form = _dial(
        stub,
        emu,
        '<Dial action="/dialed" callerId="+442071838750">'
        '<Client url="/whisper">alice</Client></Dial>',
    )
    leg = emu.calls[form["DialCallSid"]]
    assert (form["DialCallStatus"], form["DialBridged"]) == ("completed", "true")
    assert 7 <= int(form["DialCallDuration"]) <= 14
    assert leg.direction == "outbound-dial" and leg.parent_sid == call.sid
    assert leg.from_ == "+442071838750" and leg.to == "client:alice"
    whisper = stub.to("/whisper")[0].form
    assert whisper["CallSid"] == leg.sid and whisper["ParentCallSid"] == call.sid
    kinds = [e["kind"] for e in leg.transcript]
    assert kinds.index("answered") < kinds.index("say") < kinds.index("bridged")
    parent_kinds = [e["kind"] for e in call.transcript]
    for kind in ("dial", "ringing", "answered", "bridged", "unbridged"):
        assert kind in parent_kinds
    assert call.said() == ["after dial"]
    assert leg.said() == ["Helpline call, press nothing"]


def test_number_answers_without_action_runs_next_verb(stub, emu):
    """Without an action the verb after <Dial> runs once the dialled party hangs up."""
    emu.add_party("+447700900999", Party(answer_after=1, talk_for=3))
    call, _ = _dial(stub, emu, "<Dial>+447700900999</Dial><Say>next verb</Say>")
    assert call.said() == ["next verb"]
    leg = emu.calls[call.entries("bridged")[0]["with"]]
    assert leg.status == "completed"


def test_caller_hangs_up_during_bridge(stub, emu):
    """When the caller hangs up mid-conversation the agent leg ends too; action still requested."""
    emu.add_party("client:alice", Party(answer_after=1, talk_for=100))
    call, form = _dial(
        stub,
        emu,
        '<Dial action="/dialed"><Client>alice</Client></Dial>',
        Caller.scripted(hangup_after=5),
    )
    assert form["DialCallStatus"] == "completed"
    assert form["CallStatus"] == "completed"
    assert "after dial" not in call.said()
    assert emu.calls[form["DialCallSid"]].status == "completed"


def test_busy(stub, emu):
    """A busy party gives DialCallStatus=busy."""
    emu.add_party("client:bob", Party(busy=True))
    _, form = _dial(stub, emu, '<Dial action="/dialed"><Client>bob</Client></Dial>')
    assert (form["DialCallStatus"], form["DialBridged"]) == ("busy", "false")


def test_no_answer_after_timeout(stub, emu):
    """A party that does not answer within timeout gives no-answer after that many seconds."""
    emu.add_party("client:carol", Party(answer_after=20))
    call, form = _dial(
        stub, emu, '<Dial timeout="5" action="/dialed"><Client>carol</Client></Dial>'
    )
    assert form["DialCallStatus"] == "no-answer"
    dial_t = call.entries("dial")[0]["t"]
    result_t = call.entries("dial-result")[0]["t"]
    assert 5 <= result_t - dial_t < 15  # well short of the 30 s default


def test_failed(stub, emu):
    """A party that fails gives DialCallStatus=failed."""
    emu.add_party("+15005550001", Party(fail=True))
    _, form = _dial(stub, emu, '<Dial action="/dialed"><Number>+15005550001</Number></Dial>')
    assert form["DialCallStatus"] == "failed"


def test_unknown_party_never_answers(stub, emu):
    """Nobody registered for the number: it rings out as no-answer."""
    _, form = _dial(stub, emu, '<Dial timeout="2" action="/dialed">+447700900000</Dial>')
    assert form["DialCallStatus"] == "no-answer"


def test_caller_hangs_up_while_ringing_is_canceled(stub, emu):
    """The caller hanging up while the agent still rings gives canceled (action still posted)."""
    emu.add_party("client:alice", Party(never_answer=True))
    _call, form = _dial(
        stub,
        emu,
        '<Dial action="/dialed"><Client>alice</Client></Dial>',
        Caller.scripted(hangup_after=3),
    )
    assert form["DialCallStatus"] == "canceled"
    assert emu.calls[form["DialCallSid"]].status == "canceled"
    assert _call.entries("dial-result")[0]["t"] - _call.answered_at < 10


def test_leg_status_callbacks(stub, emu):
    """A <Client> statusCallback gets the requested events in order, with sequence numbers."""
    emu.add_party("client:alice", Party(answer_after=1, talk_for=2))
    stub.on("/leg-status", "")
    _dial(
        stub,
        emu,
        '<Dial action="/dialed"><Client statusCallback="/leg-status" '
        'statusCallbackEvent="initiated ringing answered completed">alice</Client></Dial>',
    )
    forms = [h.form for h in stub.to("/leg-status")]
    assert [f["CallStatus"] for f in forms] == ["initiated", "ringing", "in-progress", "completed"]
    assert [int(f["SequenceNumber"]) for f in forms] == [0, 1, 2, 3]


def test_conference_of_two(stub, emu):
    """Two callers in one room are bridged; endConferenceOnExit ends it for the other."""
    rooms = {
        "+447700900001": '<Dial><Conference endConferenceOnExit="true">case-7</Conference></Dial>',
        "+447700900002": "<Dial><Conference>case-7</Conference></Dial><Say>conference over</Say>",
    }
    stub.on("/voice/incoming", lambda hit: rooms[hit.form["From"]])
    first = emu.dial(from_="+447700900001", caller=Caller.scripted(hangup_after=8))
    second = emu.dial(from_="+447700900002")
    assert first.wait(15) and second.wait(15)
    assert second.entries("bridged")[0]["with"] == [first.sid]
    assert first.entries("bridged")[0]["with"] == [second.sid]
    assert second.said() == ["conference over"]
    assert second.entries("conference-left")[0]["t"] >= first.entries("bridged")[0]["t"]


def test_conference_waits_for_moderator(stub, emu):
    """Participants with startConferenceOnEnter=false are not bridged until a starter joins."""
    rooms = {
        "+447700900001": '<Dial><Conference startConferenceOnEnter="false">c</Conference></Dial>',
        "+447700900002": '<Dial><Conference startConferenceOnEnter="false">c</Conference></Dial>',
        "+447700900003": "<Dial><Conference>c</Conference></Dial>",
    }
    stub.on("/voice/incoming", lambda hit: rooms[hit.form["From"]])
    first = emu.dial(from_="+447700900001", caller=Caller.scripted(hangup_after=12))
    second = emu.dial(from_="+447700900002", caller=Caller.scripted(hangup_after=12))
    wait_until(
        lambda: (
            len(emu.conferences.get("c").participants) == 2 if emu.conferences.get("c") else False
        )
    )
    assert not first.entries("bridged") and not second.entries("bridged")
    moderator = emu.dial(from_="+447700900003", caller=Caller.scripted(hangup_after=4))
    assert moderator.wait(15) and first.wait(15) and second.wait(15)
    assert sorted(moderator.entries("bridged")[0]["with"]) == sorted([first.sid, second.sid])
    assert first.entries("bridged")
