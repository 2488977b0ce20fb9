"""TwiML verbs behave as at Twilio: prompts, Gather, Redirect, Hangup, Reject."""

from __future__ import annotations

from emulator import Caller

CALLER = "+447700900123"


def _run(stub, emu, twiml: str, caller: Caller | None = None, **routes: str):
    """Serve twiml at the voice URL (and other routes), place a call and wait for it to end."""
    stub.on("/voice/incoming", twiml)
    for path, body in routes.items():
        stub.on("/" + path, body)
    call = emu.dial(from_=CALLER, caller=caller or Caller.scripted())
    assert call.wait(15), call.transcript
    return call


def test_say_play_pause_transcript(stub, emu):
    """Say keeps text, voice and language; Play resolves its URL; Pause keeps its length."""
    call = _run(
        stub,
        emu,
        '<Say voice="Polly.Amy" language="en-GB">Welcome</Say>'
        '<Play loop="2">/audio/hold.mp3</Play><Pause length="2"/>',
    )
    say, play, pause = call.entries("say")[0], call.entries("play")[0], call.entries("pause")[0]
    assert (say["text"], say["voice"], say["language"]) == ("Welcome", "Polly.Amy", "en-GB")
    assert play["url"] == stub.url + "/audio/hold.mp3"
    assert play["loop"] == 2
    assert pause["length"] == 2
    assert pause["t"] - say["t"] >= 4  # two loops of a 2 s file


def test_gather_num_digits(stub, emu):
    """numDigits ends input once enough keys are pressed; extra keys are not sent."""
    call = _run(
        stub,
        emu,
        '<Gather numDigits="1" action="/menu"><Say>Press 1</Say></Gather>',
        Caller.scripted(["12"]),
        menu="<Say>thanks</Say>",
    )
    form = stub.to("/menu")[0].form
    assert form["Digits"] == "1"
    assert call.said() == ["Press 1", "thanks"]


def test_gather_finish_on_key_is_stripped(stub, emu):
    """The default finishOnKey # ends input and is stripped from Digits."""
    _run(stub, emu, '<Gather action="/dob"/>', Caller.scripted(["01021980#"]), dob="")
    form = stub.to("/dob")[0].form
    assert (form["Digits"], form["FinishedOnKey"]) == ("01021980", "#")


def test_gather_empty_finish_on_key_keeps_hash(stub, emu):
    """finishOnKey="" disables it, so # is an ordinary digit submitted after the timeout."""
    _run(
        stub,
        emu,
        '<Gather finishOnKey="" timeout="2" action="/ref"/>',
        Caller.scripted(["12#4"]),
        ref="",
    )
    assert stub.to("/ref")[0].form["Digits"] == "12#4"


def test_gather_custom_finish_key(stub, emu):
    """A star finishOnKey stops collection at the star."""
    _run(
        stub,
        emu,
        '<Gather finishOnKey="*" action="/ref"/>',
        Caller.scripted(["1234567*24"]),
        ref="",
    )
    form = stub.to("/ref")[0].form
    assert (form["Digits"], form["FinishedOnKey"]) == ("1234567", "*")


def test_gather_timeout_falls_through(stub, emu):
    """With no input the Gather falls through to the next verb and its action is not requested."""
    call = _run(
        stub,
        emu,
        '<Gather action="/menu"><Say>Press</Say></Gather><Say>No input</Say>',
        Caller.scripted([Caller.silence()]),
    )
    assert stub.to("/menu") == []
    assert call.said() == ["Press", "No input"]
    assert call.entries("gather-timeout")


def test_gather_bare_finish_key_falls_through(stub, emu):
    """# before any digit is no input: nothing is posted and the next verb runs (Twilio docs)."""
    call = _run(
        stub,
        emu,
        '<Gather action="/menu"><Say>Press</Say></Gather><Say>No input</Say>',
        Caller.scripted(["#"]),
    )
    assert stub.to("/menu") == []
    assert call.said() == ["Press", "No input"]


def test_gather_bare_finish_key_with_action_on_empty_result(stub, emu):
    """With actionOnEmptyResult=true a bare # is posted, with empty Digits."""
    call = _run(
        stub,
        emu,
        '<Gather actionOnEmptyResult="true" action="/menu"/><Say>never</Say>',
        Caller.scripted(["#"]),
        menu="<Say>empty</Say>",
    )
    assert stub.to("/menu")[0].form["Digits"] == ""
    assert call.said() == ["empty"]


def test_gather_action_on_empty_result(stub, emu):
    """actionOnEmptyResult=true requests the action with empty Digits."""
    call = _run(
        stub,
        emu,
        '<Gather actionOnEmptyResult="true" action="/menu"/><Say>never</Say>',
        menu="<Say>empty</Say>",
    )
    assert stub.to("/menu")[0].form["Digits"] == ""
    assert call.said() == ["empty"]


def test_gather_default_action_is_current_url(stub, emu):
    """A Gather without action posts back to the document's own URL (query included)."""
    stub.on("/voice/incoming", "<Redirect>/ask?step=1</Redirect>")
    answers = iter(['<Gather numDigits="1"/>'])
    stub.on("/ask", lambda hit: next(answers, "<Say>done</Say>"))
    call = emu.dial(from_=CALLER, caller=Caller.scripted(["5"]))
    assert call.wait(10)
    second = stub.to("/ask")[1]
    assert second.args == {"step": "1"}
    assert second.form["Digits"] == "5"


def test_gather_speech(stub, emu):
    """Speech input posts SpeechResult and Confidence to the action."""
    _run(
        stub,
        emu,
        '<Gather input="speech dtmf" language="en-GB" action="/said"/>',
        Caller.scripted([Caller.speak("call me back")]),
        said="",
    )
    form = stub.to("/said")[0].form
    assert form["SpeechResult"] == "call me back"
    assert float(form["Confidence"]) > 0.5
    assert form["Language"] == "en-GB"


def test_speech_ignored_by_dtmf_only_gather(stub, emu):
    """Speaking at a DTMF-only Gather counts as silence."""
    call = _run(
        stub,
        emu,
        '<Gather action="/menu"/><Say>fell through</Say>',
        Caller.scripted([Caller.speak("hello")]),
    )
    assert stub.to("/menu") == []
    assert call.said() == ["fell through"]


def test_relative_urls_resolve_like_urljoin(stub, emu):
    """Relative action URLs resolve against the current document URL."""
    stub.on("/voice/incoming", "<Redirect>/ivr/menu/start</Redirect>")
    stub.on("/ivr/menu/start", '<Gather numDigits="1" action="../choice"/>')
    stub.on("/ivr/choice", "<Redirect>next?x=1</Redirect>")
    stub.on("/ivr/next", "<Say>resolved</Say>")
    call = emu.dial(from_=CALLER, caller=Caller.scripted(["2"]))
    assert call.wait(10)
    assert stub.to("/ivr/choice")[0].form["Digits"] == "2"
    assert stub.to("/ivr/next")[0].args == {"x": "1"}


def test_redirect_defaults_to_post(stub, emu):
    """Redirect uses POST unless method says GET."""
    _run(stub, emu, "<Redirect>/a</Redirect>", a='<Redirect method="GET">/b</Redirect>', b="")
    assert stub.to("/a")[0].method == "POST"
    assert stub.to("/b")[0].method == "GET"


def test_nothing_runs_after_hangup(stub, emu):
    """Hangup ends the call; later verbs are not executed."""
    call = _run(stub, emu, "<Say>bye</Say><Hangup/><Say>never</Say>")
    assert call.said() == ["bye"]
    assert call.status == "completed"


def test_reject_busy_never_answers(stub, emu):
    """Reject with reason=busy ends the call unanswered with status busy."""
    call = _run(stub, emu, '<Reject reason="busy"/>')
    assert call.status == "busy"
    assert call.answered_at is None
    assert stub.to("/voice/status")[0].form["CallStatus"] == "busy"


def test_hangup_after_ends_call(stub, emu):
    """A scripted hangup_after ends the call that many emulated seconds after answer."""
    call = _run(stub, emu, '<Pause length="100"/>', Caller.scripted(hangup_after=3))
    assert call.entries("hangup")[0]["reason"] == "hangup"
    assert 3 <= call.duration() < 10


def test_hangup_at_gather(stub, emu):
    """Caller.hangup() hangs up when that Gather listens; the action is never requested."""
    call = _run(stub, emu, '<Gather action="/menu"/>', Caller.scripted([Caller.hangup()]))
    assert stub.to("/menu") == []
    assert call.entries("hangup")[0]["reason"] == "caller"


def test_max_call_seconds_is_a_fault(stub, emu):
    """A call that never ends is cut off at max_call_seconds and recorded as a fault."""
    stub.on("/voice/incoming", '<Pause length="5"/><Redirect>/voice/incoming</Redirect>')
    call = emu.dial(from_=CALLER, caller=Caller.scripted(max_call_seconds=20))
    assert call.wait(10)
    assert [f["call_sid"] for f in emu.faults.of_kind("call-did-not-end")] == [call.sid]
