"""The emulator's SMS side: Twilio's opt-out keywords, error 21610, inbound texts."""

from __future__ import annotations

import pytest
import requests
from twilio.base.exceptions import TwilioRestException
from twilio.rest import Client

from tests.emulator.conftest import ACCOUNT_SID, AUTH_TOKEN, HELPLINE_NUMBER

CALLER = "+447700900123"


@pytest.fixture
def client(emu):
    """A twilio-python Client whose API requests go to the emulator."""
    twilio = Client(ACCOUNT_SID, AUTH_TOKEN)
    twilio.api.base_url = emu.base_url
    return twilio


def send(client, body: str = "Your callback is booked"):
    return client.messages.create(to=CALLER, from_=HELPLINE_NUMBER, body=body)


@pytest.mark.parametrize("word", ["STOP", "stopall", "Unsubscribe", "CANCEL", "END", "quit"])
def test_stop_family_makes_later_messages_fail_with_21610(stub, emu, client, word):
    """After an opt-out keyword from a number, Messages to it answer 400 with code 21610."""
    stub.on("/sms/incoming", "<Response/>")
    emu.send_sms(CALLER, word)
    with pytest.raises(TwilioRestException) as caught:
        send(client)
    assert (caught.value.status, caught.value.code) == (400, 21610)
    assert emu.messages == []
    assert stub.to("/sms/incoming")[0].form["Body"] == word  # the app still hears it


@pytest.mark.parametrize("word", ["START", "yes", "UNSTOP"])
def test_start_family_opts_back_in(stub, emu, client, word):
    """An opt-in keyword lifts the block; the next message is accepted."""
    stub.on("/sms/incoming", "<Response/>")
    emu.send_sms(CALLER, "STOP")
    emu.send_sms(CALLER, word)
    assert send(client).status == "queued"
    assert [m["to"] for m in emu.messages] == [CALLER]


def test_help_and_sentences_change_nothing(stub, emu, client):
    """HELP gets Twilio's own reply; a sentence containing "stop" is not a keyword."""
    stub.on("/sms/incoming", "<Response/>")
    emu.send_sms(CALLER, "HELP")
    emu.send_sms(CALLER, "please stop")
    assert send(client).status == "queued"
    assert [r["to"] for r in emu.auto_replies] == [CALLER]


def test_twilio_replies_to_keywords_itself(stub, emu):
    """STOP, START and HELP each get Twilio's auto-reply, kept apart from the app's messages."""
    stub.on("/sms/incoming", "<Response/>")
    for word in ("STOP", "START", "HELP"):
        emu.send_sms(CALLER, word)
    assert len(emu.auto_replies) == 3
    assert emu.messages == []


def test_an_app_reply_to_an_opted_out_number_is_a_fault(stub, emu):
    """A <Message> answering STOP would be refused by Twilio: recorded as a fault, not sent."""
    stub.on("/sms/incoming", "<Response><Message>Sorry to see you go</Message></Response>")
    emu.send_sms(CALLER, "STOP")
    assert [f["kind"] for f in emu.faults] == ["sms-opted-out"]
    assert emu.messages == []
    emu.faults.clear()


def test_an_app_reply_is_delivered_otherwise(stub, emu):
    """The app's <Message> reply to an ordinary text reaches the sender."""
    stub.on("/sms/incoming", "<Response><Message>Thanks</Message></Response>")
    emu.send_sms(CALLER, "5")
    assert [(m["to"], m["body"], m["direction"]) for m in emu.messages] == [
        (CALLER, "Thanks", "reply")
    ]


def test_control_api_sends_a_signed_inbound_text(stub, emu, client):
    """POST /_emulator/sms texts the helpline from a number, as a softphone or a script would."""
    stub.on("/sms/incoming", "<Response/>")
    resp = requests.post(
        f"{emu.base_url}/_emulator/sms", json={"from": CALLER, "body": "STOP"}, timeout=15
    )
    assert resp.status_code == 201
    assert resp.json() == {"status": 200, "opted_out": True}
    assert stub.to("/sms/incoming")[0].form["From"] == CALLER
    assert requests.post(f"{emu.base_url}/_emulator/sms", json={}, timeout=15).status_code == 400
