"""Control API, browser page, terminal softphone, interactive parties, SMS and the CLI."""

from __future__ import annotations

import os
import sys
import threading
import xml.etree.ElementTree as ET

import requests
from twilio.request_validator import RequestValidator

from emulator import Party, softphone
from emulator.__main__ import parse_party
from emulator.server import serve
from tests.emulator.conftest import ACCOUNT_SID, AUTH_TOKEN, HELPLINE_NUMBER, wait_until

MENU = (
    '<Gather numDigits="1" timeout="600" action="/menu"><Say>Press 1 for advice</Say>'
    "</Gather><Say>No input</Say>"
)


def _control(emu, method: str, path: str, body: dict | None = None) -> requests.Response:
    """Call the emulator's control API."""
    return requests.request(method, f"{emu.base_url}/_emulator/{path}", json=body, timeout=15)


def _gathering(emu):
    """Return the call currently listening at a Gather."""
    return next((c for c in emu.calls.values() if c.entries("gather") and not c.ended), None)


def test_control_api_interactive_call(stub, emu):
    """A call started through the control API takes keys and reports events until it ends."""
    stub.on("/voice/incoming", MENU)
    stub.on("/menu", "<Say>You chose advice</Say><Hangup/>")
    sid = _control(emu, "POST", "calls", {"from": "+447700900777"}).json()["sid"]
    wait_until(lambda: _gathering(emu))
    assert _control(emu, "POST", f"calls/{sid}/keys", {"keys": "1"}).status_code == 200
    assert emu.calls[sid].wait(10)
    events = _control(emu, "GET", f"calls/{sid}/events?after=0").json()
    assert events["ended"] is True
    said = [e["text"] for e in events["events"] if e["kind"] == "say"]
    assert said == ["Press 1 for advice", "You chose advice"]
    assert stub.to("/menu")[0].form["From"] == "+447700900777"
    later = _control(emu, "GET", f"calls/{sid}/events?after=3").json()["events"]
    assert [e["index"] for e in later][:1] == [3]


def test_control_api_speech_and_hangup(stub, emu):
    """Speech goes to a speech Gather; hangup ends the call as the caller."""
    stub.on("/voice/incoming", '<Gather input="speech" timeout="600" action="/said"/>')
    stub.on("/said", '<Pause length="600"/>')
    sid = _control(emu, "POST", "calls", {"from": "+447700900777"}).json()["sid"]
    wait_until(lambda: _gathering(emu))
    _control(emu, "POST", f"calls/{sid}/speech", {"text": "I need help"})
    wait_until(lambda: stub.to("/said"))
    _control(emu, "POST", f"calls/{sid}/hangup")
    assert emu.calls[sid].wait(10)
    assert stub.to("/said")[0].form["SpeechResult"] == "I need help"
    assert emu.calls[sid].entries("hangup")[0]["reason"] == "caller"


def test_page_is_self_contained(emu):
    """GET / serves the softphone page with inline script and no external resources."""
    resp = requests.get(emu.base_url + "/", timeout=5)
    assert resp.status_code == 200
    assert resp.headers["Content-Type"].startswith("text/html")
    assert "speechSynthesis" in resp.text and "/_emulator/calls" in resp.text
    assert "src=" not in resp.text and "https://" not in resp.text


def test_softphone_through_a_pipe(stub, emu, monkeypatch, capsys):
    """The terminal softphone prints prompts, sends piped keys and exits when the call ends."""
    stub.on("/voice/incoming", MENU)
    stub.on("/menu", '<Enqueue waitUrl="/wait">advice</Enqueue>')
    stub.on("/wait", "<Say>Please hold</Say><Leave/>")
    read_fd, write_fd = os.pipe()
    stdin = os.fdopen(read_fd)
    monkeypatch.setattr(sys, "stdin", stdin)
    result: dict[str, int] = {}
    argv = ["--emulator", emu.base_url, "--no-speech", "--from", "+447700900321"]
    phone = threading.Thread(target=lambda: result.update(rc=softphone.main(argv)))
    phone.start()
    wait_until(lambda: _gathering(emu))
    os.write(write_fd, b"1\n")
    phone.join(15)
    os.close(write_fd)  # EOF lets the key-reading thread finish before the pipe is closed
    wait_until(lambda: all(t.name != softphone.KEYS_THREAD for t in threading.enumerate()))
    stdin.close()
    lines = capsys.readouterr().out.splitlines()
    assert result == {"rc": 0}
    assert "Helpline: Press 1 for advice" in lines
    assert "[waiting in queue advice, position 1]" in lines
    assert "Helpline: Please hold" in lines
    assert lines[-1].startswith("[call ended: completed")


def test_softphone_reports_unreachable_emulator(capsys):
    """Without an emulator the softphone exits 2 with a message."""
    assert softphone.main(["--emulator", "http://127.0.0.1:9", "--no-speech"]) == 2
    assert "Cannot reach the emulator" in capsys.readouterr().err


def test_interactive_party_answers_and_hangs_up(stub, emu):
    """An interactive party sees ringing and the whisper, answers, talks, then hangs up."""
    assert (
        _control(emu, "POST", "parties", {"key": "client:alice", "mode": "interactive"}).status_code
        == 201
    )
    stub.on(
        "/voice/incoming",
        '<Dial timeout="600" action="/dialed"><Client url="/whisper">alice</Client></Dial>',
    )
    stub.on("/whisper", "<Say>Helpline call</Say>")
    stub.on("/dialed", "")
    call = emu.dial(from_="+447700900123")
    events_url = "parties/client:alice/events"
    wait_until(lambda: _control(emu, "GET", events_url + "?wait=0").json()["events"])
    assert _control(emu, "POST", "parties/client:alice/answer").status_code == 200
    wait_until(lambda: call.entries("bridged"))
    _control(emu, "POST", "parties/client:alice/hangup")
    assert call.wait(10)
    kinds = [e["kind"] for e in _control(emu, "GET", events_url).json()["events"]]
    assert kinds == ["ringing", "whisper", "connected", "ended"]
    form = stub.to("/dialed")[0].form
    assert (form["DialCallStatus"], form["DialBridged"]) == ("completed", "true")


def test_interactive_party_rejects(stub, emu):
    """Rejecting a ringing interactive party gives DialCallStatus=busy."""
    emu.add_party("client:bob", Party.interactive())
    stub.on("/voice/incoming", '<Dial timeout="600" action="/dialed"><Client>bob</Client></Dial>')
    stub.on("/dialed", "")
    call = emu.dial(from_="+447700900123")
    wait_until(lambda: emu.parties["client:bob"].events)
    _control(emu, "POST", "parties/client:bob/reject")
    assert call.wait(10)
    assert stub.to("/dialed")[0].form["DialCallStatus"] == "busy"


def test_send_sms_webhook(stub, emu):
    """send_sms posts a signed inbound SMS webhook to sms_path."""
    stub.on("/sms/incoming", "")
    reply = emu.send_sms("+447700900123", "CALL ME")
    assert reply is not None and reply.status == 200
    hit = stub.to("/sms/incoming")[0]
    assert (hit.form["Body"], hit.form["To"]) == ("CALL ME", HELPLINE_NUMBER)
    assert hit.form["MessageSid"].startswith("SM")
    assert RequestValidator(AUTH_TOKEN).validate(
        hit.url, hit.form, hit.headers["X-Twilio-Signature"]
    )
    assert ET.fromstring(reply.body).tag == "Response"


def test_party_option_parsing():
    """--party KEY=auto:answer_after=2,talk_for=60 builds an automatic Party."""
    key, party = parse_party("client:alice=auto:answer_after=2,talk_for=60")
    assert key == "client:alice"
    assert (party.answer_after, party.talk_for, party.mode) == (2.0, 60.0, "auto")
    assert parse_party("client:bob=interactive")[1].is_interactive


def test_serve_runs_until_stopped(stub):
    """serve() runs in a thread, registers parties, and stops when its event is set."""
    stop, started = threading.Event(), []
    runner = threading.Thread(
        target=serve,
        kwargs={
            "helpline_url": stub.url,
            "account_sid": ACCOUNT_SID,
            "auth_token": AUTH_TOKEN,
            "helpline_number": HELPLINE_NUMBER,
            "port": 0,
            "time_scale": 0.02,
            "parties": {"client:alice": Party()},
            "stop": stop,
            "ready": started.append,
        },
    )
    runner.start()
    emu = wait_until(lambda: started and started[0])
    state = requests.get(emu.base_url + "/_emulator/state", timeout=5).json()
    assert state["calls"] == [] and "client:alice" in emu.parties
    stop.set()
    runner.join(10)
    assert not runner.is_alive()


def test_interactive_keys_barge_in(stub, emu):
    """Keys pressed during a Gather's prompt interrupt it and are collected."""
    stub.on(
        "/voice/incoming",
        '<Gather numDigits="2" timeout="600" action="/menu">'
        '<Say loop="0">This prompt would go on for a very long time</Say></Gather>',
    )
    stub.on("/menu", "")
    sid = _control(emu, "POST", "calls", {"from": "+447700900777"}).json()["sid"]
    call = emu.calls[sid]
    wait_until(lambda: call.entries("say"))
    call.press("4")
    call.press("2")
    assert call.wait(10)
    assert call.entries("barge-in")
    assert stub.to("/menu")[0].form["Digits"] == "42"


def test_control_api_registers_a_voicemail_or_fax_party(emu):
    """POST /parties with answers=voicemail or fax registers a machine for detection tests."""
    body = {"key": "+447700900555", "answers": "voicemail", "greeting_seconds": 3}
    assert _control(emu, "POST", "parties", body).status_code == 201
    box = emu.parties["+447700900555"]
    assert (box.machine, box.greeting_seconds, box.fax) == (True, 3.0, False)
    assert _control(emu, "POST", "parties", {"key": "+447700900556", "answers": "fax"}).ok
    assert emu.parties["+447700900556"].fax
