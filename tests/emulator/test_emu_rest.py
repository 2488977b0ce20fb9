"""The REST API answers like api.twilio.com, for raw HTTP and for twilio-python's Client."""

from __future__ import annotations

import email.utils
import re

import pytest
from twilio.base.exceptions import TwilioRestException
from twilio.rest import Client

from emulator import Caller, Party
from tests.emulator.conftest import (
    ACCOUNT_SID,
    AUTH_TOKEN,
    HELPLINE_NUMBER,
    make_emulator,
    rest,
    wait_until,
)

CALLER = "+447700900123"


@pytest.fixture
def client(emu):
    """Return a twilio-python Client whose API requests go to the emulator."""
    twilio = Client(ACCOUNT_SID, AUTH_TOKEN)
    twilio.api.base_url = emu.base_url
    return twilio


def test_create_call_to_party_runs_url(stub, emu):
    """Calls.json creates an outbound-api call that fetches Url once the party answers."""
    emu.add_party(CALLER, Party(answer_after=1, talk_for=5))
    stub.on("/callback", "<Say>This is the helpline calling you back</Say>")
    resp = rest(
        emu,
        "POST",
        "Calls.json",
        {"To": CALLER, "From": HELPLINE_NUMBER, "Url": stub.url + "/callback"},
    )
    assert resp.status_code == 201
    body = resp.json()
    assert re.fullmatch(r"CA[0-9a-f]{32}", body["sid"])
    assert (body["status"], body["direction"]) == ("queued", "outbound-api")
    assert (body["to"], body["from"]) == (CALLER, HELPLINE_NUMBER)
    assert body["uri"] == f"/2010-04-01/Accounts/{ACCOUNT_SID}/Calls/{body['sid']}.json"
    call = emu.calls[body["sid"]]
    assert call.wait(10)
    form = stub.to("/callback")[0].form
    assert (form["Direction"], form["CallStatus"]) == ("outbound-api", "in-progress")
    assert call.said() == ["This is the helpline calling you back"]
    assert rest(emu, "GET", f"Calls/{call.sid}.json").json()["status"] == "completed"


def test_status_callbacks_for_rest_call(stub, emu):
    """StatusCallbackEvent events arrive in order, RFC 2822 Timestamp, SequenceNumber from 0."""
    emu.add_party("client:alice", Party(answer_after=1, talk_for=2))
    stub.on("/agent", '<Pause length="10"/>')
    stub.on("/status", "")
    data = [
        ("To", "client:alice"),
        ("From", HELPLINE_NUMBER),
        ("Url", stub.url + "/agent"),
        ("StatusCallback", stub.url + "/status"),
        ("StatusCallbackEvent", "initiated"),
        ("StatusCallbackEvent", "ringing"),
        ("StatusCallbackEvent", "answered"),
        ("StatusCallbackEvent", "completed"),
    ]
    sid = rest(emu, "POST", "Calls.json", data).json()["sid"]
    assert emu.calls[sid].wait(10)
    forms = [h.form for h in stub.to("/status")]
    assert [f["CallStatus"] for f in forms] == ["initiated", "ringing", "in-progress", "completed"]
    assert [f["SequenceNumber"] for f in forms] == ["0", "1", "2", "3"]
    for form in forms:
        assert email.utils.parsedate_to_datetime(form["Timestamp"]).tzinfo is not None
        assert form["CallbackSource"] == "call-progress-events"
    assert int(forms[-1]["CallDuration"]) >= 2


def test_create_call_to_unknown_number_is_no_answer(stub, emu):
    """Nobody answers an unregistered number: the call ends no-answer after Timeout."""
    stub.on("/status", "")
    sid = rest(
        emu,
        "POST",
        "Calls.json",
        {
            "To": "+447700900555",
            "From": HELPLINE_NUMBER,
            "Url": stub.url + "/never",
            "Timeout": "3",
            "StatusCallback": stub.url + "/status",
        },
    ).json()["sid"]
    assert emu.calls[sid].wait(10)
    assert emu.calls[sid].status == "no-answer"
    assert stub.to("/never") == []
    assert stub.to("/status")[0].form["CallStatus"] == "no-answer"


def test_machine_detection_reports_answered_by(stub, emu):
    """MachineDetection adds AnsweredBy to the first webhook per the party."""
    emu.add_party(CALLER, Party(answer_after=1, talk_for=10, machine=True))
    stub.on("/callback", "")
    rest(
        emu,
        "POST",
        "Calls.json",
        {
            "To": CALLER,
            "From": HELPLINE_NUMBER,
            "Url": stub.url + "/callback",
            "MachineDetection": "Enable",
        },
    )
    hit = wait_until(lambda: stub.to("/callback"))
    assert hit[0].form["AnsweredBy"] == "machine_start"


def test_redirect_live_call_with_twiml(stub, emu):
    """Updating a live call with Twiml replaces what it is doing."""
    stub.on("/voice/incoming", '<Pause length="100"/>')
    call = emu.dial(from_=CALLER)
    wait_until(lambda: call.answered_at is not None)
    resp = rest(
        emu,
        "POST",
        f"Calls/{call.sid}.json",
        {"Twiml": "<Response><Say>Redirected</Say></Response>"},
    )
    assert resp.status_code == 200
    assert call.wait(10)
    assert call.said() == ["Redirected"]


def test_hang_up_live_call(stub, emu):
    """Status=completed hangs up a live call."""
    stub.on("/voice/incoming", '<Pause length="100"/>')
    call = emu.dial(from_=CALLER)
    wait_until(lambda: call.answered_at is not None)
    assert rest(emu, "POST", f"Calls/{call.sid}.json", {"Status": "completed"}).status_code == 200
    assert call.wait(10)
    assert call.status == "completed"


def test_redirect_ended_call_is_21220(stub, emu, client):
    """Redirecting a call that has ended fails with 21220, raised by twilio-python."""
    stub.on("/voice/incoming", "<Hangup/>")
    call = emu.dial(from_=CALLER)
    assert call.wait(10)
    with pytest.raises(TwilioRestException) as caught:
        client.calls(call.sid).update(url=stub.url + "/new")
    assert (caught.value.status, caught.value.code) == (400, 21220)


def test_unknown_call_is_404(emu, client):
    """Fetching an unknown call raises TwilioRestException 20404."""
    with pytest.raises(TwilioRestException) as caught:
        client.calls("CA" + "f" * 32).fetch()
    assert (caught.value.status, caught.value.code) == (404, 20404)


def test_bad_auth_is_401(emu):
    """Wrong credentials get 401 with Twilio's error JSON."""
    resp = rest(emu, "GET", "Queues.json", auth=(ACCOUNT_SID, "wrong"))
    assert resp.status_code == 401
    assert resp.json()["code"] == 20003
    assert {"code", "message", "more_info", "status"} <= resp.json().keys()


def test_messages_create(emu, client):
    """Messages.json stores the SMS and answers 201 with an SM sid, status queued."""
    message = client.messages.create(to=CALLER, from_=HELPLINE_NUMBER, body="Your case ref 42")
    assert re.fullmatch(r"SM[0-9a-f]{32}", message.sid)
    assert message.status == "queued"
    assert [(m["to"], m["body"]) for m in emu.messages] == [(CALLER, "Your case ref 42")]


def test_queues_through_client(stub, emu, client):
    """Queues created by <Enqueue> are listed; members are listed front first."""
    stub.on("/voice/incoming", "<Enqueue>support</Enqueue>")
    call = emu.dial(from_=CALLER, caller=Caller.scripted(hangup_in_queue_after=50))
    wait_until(lambda: call.queue_sid)
    queues = client.queues.list()
    assert [(q.friendly_name, q.current_size) for q in queues] == [("support", 1)]
    members = client.queues(queues[0].sid).members.list()
    assert [m.call_sid for m in members] == [call.sid]
    created = client.queues.create(friendly_name="callbacks")
    assert client.queues(created.sid).fetch().friendly_name == "callbacks"


def test_rest_log_records_requests(emu):
    """Every REST request is logged with method, path, params and status."""
    rest(emu, "POST", "Messages.json", {"To": CALLER, "From": HELPLINE_NUMBER, "Body": "hi"})
    entry = emu.rest_log[-1]
    assert (entry["method"], entry["status"]) == ("POST", 201)
    assert entry["path"].endswith("/Messages.json")
    assert entry["params"]["Body"] == "hi"


def test_openapi_rejects_calls_create_without_to(stub, spec_path):
    """A Calls create without To is a recorded openapi fault, and answered 400 21201."""
    emu = make_emulator(stub, openapi_spec=spec_path)
    emu.start()
    try:
        ok = rest(
            emu, "POST", "Messages.json", {"To": CALLER, "From": HELPLINE_NUMBER, "Body": "hi"}
        )
        assert ok.status_code == 201
        assert emu.faults.of_kind("openapi") == []
        resp = rest(emu, "POST", "Calls.json", {"From": HELPLINE_NUMBER, "Url": stub.url})
        assert (resp.status_code, resp.json()["code"]) == (400, 21201)
        assert len(emu.faults.of_kind("openapi")) == 1
    finally:
        emu.stop()


def test_openapi_skipped_without_spec(stub, monkeypatch):
    """Without a spec, validation is skipped and says so."""
    monkeypatch.delenv("TWILIO_OPENAPI_SPEC", raising=False)
    emu = make_emulator(stub)
    assert not emu.spec.enabled
    assert emu.spec.status.startswith("skipped")
