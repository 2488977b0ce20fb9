"""The callback offer conversation, one signed webhook at a time."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from flask import Flask
from sqlalchemy import select

from callbacks import prompts, queue_link
from callbacks.models import CallbackRequest
from calls.models import Call
from cases.models import Case
from core.clock import now
from devtools.demo import seed
from roster.models import OpeningHours
from tests.twilio_signing import TwilioSigner, voice_params
from tests.twiml_assert import parse, spoken, verbs

OWN = "+447700900123"


def sid() -> str:
    return "CA" + uuid.uuid4().hex


def make_call(app: Flask, caller: str | None = OWN, reference: str | None = None, **extra) -> str:
    """Create the Call row the IVR or ACD would have left, and return its SID."""
    call_sid = sid()
    with app.extensions["helpline.sessionmaker"]() as session:
        seed(session)
        case = (
            session.scalar(select(Case).where(Case.crime_reference == reference))
            if reference
            else None
        )
        session.add(
            Call(
                call_sid=call_sid,
                from_e164=caller,
                started_at=now() - dt.timedelta(minutes=3),
                authenticated=case is not None,
                case_id=case.id if case else None,
                **extra,
            )
        )
        session.commit()
    return call_sid


def post(twilio: TwilioSigner, path: str, call_sid: str, caller: str = OWN, **form: str):
    return twilio.post(path, voice_params(CallSid=call_sid, From=caller, Caller=caller, **form))


def requests(app: Flask) -> list[CallbackRequest]:
    with app.extensions["helpline.sessionmaker"]() as session:
        return list(session.scalars(select(CallbackRequest)).all())


def accept(twilio: TwilioSigner, call_sid: str, safe: str = "1", caller: str = OWN):
    """Walk the whole conversation: keep the own number, answer the safety question."""
    post(twilio, "/voice/callback/offer", call_sid, caller)
    post(twilio, "/voice/callback/choice", call_sid, caller, Digits="1")
    return parse(post(twilio, "/voice/callback/safe", call_sid, caller, Digits=safe).data)


def test_offer_reads_back_the_callers_own_number(app: Flask, twilio: TwilioSigner) -> None:
    """The offer reads the caller's number digit by digit and asks 1 to confirm or 2 for another."""
    root = parse(post(twilio, "/voice/callback/offer", make_call(app)).data)
    gather = root.find("Gather")
    assert gather is not None
    assert (gather.get("action"), gather.get("numDigits")) == ("/voice/callback/choice", "1")
    assert "0 7 7 0 0, 9 0 0 1 2 3" in spoken(root)
    assert verbs(root)[-1] == "Redirect"


def test_ivr_path_without_offer_suffix_works_too(app: Flask, twilio: TwilioSigner) -> None:
    """The IVR's default IVR_CALLBACK_URL (/voice/callback) starts the same conversation."""
    root = parse(post(twilio, "/voice/callback", make_call(app)).data)
    assert root.find("Gather").get("action") == "/voice/callback/choice"


@pytest.mark.parametrize("reason", ["closed", "queue_problem"])
def test_caller_who_did_not_ask_is_asked_first(
    app: Flask, twilio: TwilioSigner, reason: str
) -> None:
    """Sent by a closed desk or a failed queue, the offer asks yes or no before any number."""
    root = parse(post(twilio, f"/voice/callback/offer?reason={reason}", make_call(app)).data)
    gather = root.find("Gather")
    assert (gather.get("action"), gather.get("numDigits")) == ("/voice/callback/decide", "1")
    assert "0 7 7 0 0" not in spoken(root)
    assert verbs(root)[-1] == "Redirect"


def test_yes_to_the_closed_desk_offer_reads_the_number(app: Flask, twilio: TwilioSigner) -> None:
    """1 after the question goes on to the number confirmation."""
    call_sid = make_call(app)
    post(twilio, "/voice/callback/offer?reason=closed", call_sid)
    root = parse(post(twilio, "/voice/callback/decide", call_sid, Digits="1").data)
    assert root.find("Gather").get("action") == "/voice/callback/choice"
    assert "0 7 7 0 0, 9 0 0 1 2 3" in spoken(root)


@pytest.mark.parametrize("answers", [["2"], [None, None], ["9", None]])
def test_declining_the_offer_says_goodbye_and_records_it(
    app: Flask, twilio: TwilioSigner, answers: list[str | None]
) -> None:
    """2, two silences or wrong keys: a goodbye for someone who did not want a call; no request."""
    call_sid = make_call(app)
    post(twilio, "/voice/callback/offer?reason=closed", call_sid)
    for digits in answers:
        form = {"Digits": digits} if digits else {}
        root = parse(post(twilio, "/voice/callback/decide", call_sid, **form).data)
    assert verbs(root)[-1] == "Hangup"
    assert prompts.text("en-GB", "declined") in spoken(root)
    assert prompts.text("en-GB", "give_up") not in spoken(root)
    assert requests(app) == []
    with app.extensions["helpline.sessionmaker"]() as session:
        call = session.scalar(select(Call).where(Call.call_sid == call_sid))
        assert call.outcome == "closed"
        assert [e.kind for e in call.events][-1] == "callback_declined"


def test_one_silence_asks_again(app: Flask, twilio: TwilioSigner) -> None:
    """A single silence repeats the question rather than ending the call."""
    call_sid = make_call(app)
    post(twilio, "/voice/callback/offer?reason=closed", call_sid)
    root = parse(post(twilio, "/voice/callback/decide", call_sid).data)
    assert root.find("Gather").get("action") == "/voice/callback/decide"
    assert prompts.text("en-GB", "no_input") in spoken(root)


def test_withheld_number_must_be_keyed(app: Flask, twilio: TwilioSigner) -> None:
    """A withheld caller ID goes straight to keying a number, ended by #."""
    call_sid = make_call(app, caller=None)
    root = parse(post(twilio, "/voice/callback/offer", call_sid, caller="anonymous").data)
    gather = root.find("Gather")
    assert (gather.get("action"), gather.get("finishOnKey")) == ("/voice/callback/number", "#")
    assert "withheld" in spoken(root)


def test_keyed_number_is_read_back_and_used(app: Flask, twilio: TwilioSigner) -> None:
    """Pressing 2 then keying another number reads that number back; confirming uses it."""
    call_sid = make_call(app)
    post(twilio, "/voice/callback/offer", call_sid)
    root = parse(post(twilio, "/voice/callback/choice", call_sid, Digits="2").data)
    assert root.find("Gather").get("action") == "/voice/callback/number"
    root = parse(post(twilio, "/voice/callback/number", call_sid, Digits="02079460000").data)
    assert "0 2 0, 7 9 4 6, 0 0 0 0" in spoken(root)
    post(twilio, "/voice/callback/choice", call_sid, Digits="1")
    post(twilio, "/voice/callback/safe", call_sid, Digits="2")
    [request] = requests(app)
    assert request.phone_e164 == "+442079460000"
    assert request.safe_to_leave_message is False


def test_invalid_and_premium_numbers_are_refused_then_the_call_ends(
    app: Flask, twilio: TwilioSigner
) -> None:
    """Invalid and premium-rate numbers get a clear prompt and a retry; the third failure ends."""
    call_sid = make_call(app, caller=None)
    post(twilio, "/voice/callback/offer", call_sid, caller="anonymous")
    bad = parse(post(twilio, "/voice/callback/number", call_sid, "anonymous", Digits="123").data)
    assert "not a phone number we can call" in spoken(bad)
    assert bad.find("Gather").get("action") == "/voice/callback/number"
    premium = parse(
        post(twilio, "/voice/callback/number", call_sid, "anonymous", Digits="09098790000").data
    )
    assert "premium-rate" in spoken(premium)
    last = parse(post(twilio, "/voice/callback/number", call_sid, "anonymous", Digits="1").data)
    assert verbs(last)[-1] == "Hangup"
    assert "999" in spoken(last)
    assert requests(app) == []


def test_accepting_records_the_request_with_the_calls_place(
    app: Flask, twilio: TwilioSigner
) -> None:
    """The request inherits the call's priority and virtual start and enters the Redis queue."""
    start = now() - dt.timedelta(minutes=9)
    call_sid = make_call(app, reference="2345678/24", priority=10, virtual_start_at=start)
    root = accept(twilio, call_sid)
    assert verbs(root)[-1] == "Hangup"
    assert "kept your place" in spoken(root)
    [request] = requests(app)
    assert (request.priority, request.virtual_start_at) == (10, start)
    assert request.victim_key.startswith("case:")
    assert request.safe_to_leave_message is True
    assert queue_link.queued_ids(app) == {request.id}
    with app.extensions["helpline.sessionmaker"]() as session:
        call = session.scalar(select(Call).where(Call.call_sid == call_sid))
        assert call.outcome == "callback_requested"


def test_call_that_never_queued_gets_the_acd_priority(app: Flask, twilio: TwilioSigner) -> None:
    """Without a queue priority, the ACD's Enhanced Rights tier applies; the start is when asked."""
    asked = now() - dt.timedelta(minutes=2)
    call_sid = make_call(app, reference="2345678/24", wanted_agent_at=asked)
    accept(twilio, call_sid)
    [request] = requests(app)
    assert (request.priority, request.virtual_start_at) == (3, asked)


def test_second_request_updates_the_first(app: Flask, twilio: TwilioSigner) -> None:
    """A second request for the same case updates the open one and says so."""
    accept(twilio, make_call(app, reference="1234567/24"), safe="1")
    call_sid = make_call(app, reference="1234567/24")
    post(twilio, "/voice/callback/offer", call_sid)
    post(twilio, "/voice/callback/choice", call_sid, Digits="2")
    post(twilio, "/voice/callback/number", call_sid, Digits="02079460001")
    post(twilio, "/voice/callback/choice", call_sid, Digits="1")
    root = parse(post(twilio, "/voice/callback/safe", call_sid, Digits="2").data)
    assert "updated" in spoken(root)
    [request] = requests(app)
    assert (request.phone_e164, request.safe_to_leave_message) == ("+442079460001", False)


def test_closed_desk_schedules_for_the_next_opening(app: Flask, twilio: TwilioSigner) -> None:
    """When the desk is closed the request waits for the next opening, which is spoken."""
    call_sid = make_call(app)
    with app.extensions["helpline.sessionmaker"]() as session:
        tomorrow = (now() + dt.timedelta(days=1)).astimezone(dt.UTC)
        for weekday in range(7):
            session.merge(OpeningHours(weekday=weekday, opens=None, closes=None))
        session.merge(
            OpeningHours(weekday=tomorrow.weekday(), opens=dt.time(9, 30), closes=dt.time(10, 0))
        )
        session.commit()
    root = accept(twilio, call_sid)
    assert "closed now" in spoken(root)
    assert "tomorrow at 9:30 am" in spoken(root)
    [request] = requests(app)
    assert request.not_before > now()
    assert queue_link.queued_ids(app) == set()


def test_sms_confirmation_only_when_opted_in_and_safe(app: Flask, twilio: TwilioSigner) -> None:
    """The confirmation text is flagged only for an opted-in victim who said it is safe."""
    with app.extensions["helpline.sessionmaker"]() as session:
        seed(session)
        case = session.scalar(select(Case).where(Case.crime_reference == "3456789/24"))
        case.victim.sms_allowed = True
        session.commit()
    root = accept(twilio, make_call(app, reference="3456789/24"), safe="2")
    assert "text message" not in spoken(root)
    assert requests(app)[0].sms_confirmation is False
    root = accept(twilio, make_call(app, reference="3456789/24"), safe="1")
    assert "text message" in spoken(root)
    assert requests(app)[0].sms_confirmation is True


def test_silence_about_safety_means_no_message(app: Flask, twilio: TwilioSigner) -> None:
    """Two silences at the safety question record the request as not safe for a message."""
    call_sid = make_call(app)
    post(twilio, "/voice/callback/offer", call_sid)
    post(twilio, "/voice/callback/choice", call_sid, Digits="1")
    again = parse(post(twilio, "/voice/callback/safe", call_sid).data)
    assert again.find("Gather").get("action") == "/voice/callback/safe"
    post(twilio, "/voice/callback/safe", call_sid)
    assert requests(app)[0].safe_to_leave_message is False


def test_garbage_gets_valid_twiml(app: Flask, twilio: TwilioSigner) -> None:
    """Missing SIDs, odd keys and unknown attempts still get valid TwiML."""
    assert "Hangup" in verbs(parse(twilio.post("/voice/callback/offer", {"Digits": "x"}).data))
    call_sid = make_call(app)
    post(twilio, "/voice/callback/offer", call_sid)
    root = parse(post(twilio, "/voice/callback/choice", call_sid, Digits="9").data)
    assert root.find("Gather").get("action") == "/voice/callback/choice"
    root = parse(post(twilio, "/voice/callback/safe", make_call(app), Digits="1").data)
    assert root.find("Gather").get("action") == "/voice/callback/number"
    for path in ("/voice/callback/agent?attempt=999", "/voice/callback/victim?attempt=x"):
        assert verbs(parse(post(twilio, path, sid()).data)) == ["Hangup"]


def test_unsigned_is_refused_and_a_retry_is_a_no_op(app: Flask, twilio: TwilioSigner) -> None:
    """A tampered signature gets 403; a retried final step does not record twice."""
    call_sid = make_call(app)
    params = voice_params(CallSid=call_sid)
    assert twilio.post("/voice/callback/offer", params, signature="bad").status_code == 403
    post(twilio, "/voice/callback/offer", call_sid)
    post(twilio, "/voice/callback/choice", call_sid, Digits="1")
    params = voice_params(CallSid=call_sid, Digits="1")
    first = twilio.post("/voice/callback/safe", params, token="same-token")
    second = twilio.post("/voice/callback/safe", params, token="same-token")
    assert first.data == second.data
    assert len(requests(app)) == 1


def test_welsh_callers_hear_welsh(app: Flask, twilio: TwilioSigner) -> None:
    """A caller who chose Welsh hears the offer in Welsh, in the Welsh voice."""
    root = parse(post(twilio, "/voice/callback/offer", make_call(app, language="cy-GB")).data)
    say = root.find("Gather/Say")
    assert (say.get("language"), say.get("voice")) == ("cy-GB", "Polly.Gwyneth")
    assert "pwyswch 1" in say.text


ALL_ROUTES = (
    "/voice/callback/offer",
    "/voice/callback/choice",
    "/voice/callback/number",
    "/voice/callback/safe",
    "/voice/callback/agent?attempt=1",
    "/voice/callback/agent-status?attempt=1",
    "/voice/callback/victim?attempt=1",
    "/voice/callback/victim-status?attempt=1",
)


@pytest.mark.parametrize("path", ALL_ROUTES)
def test_every_route_refuses_unsigned_and_survives_garbage(
    app: Flask, twilio: TwilioSigner, path: str
) -> None:
    """Each callback webhook: a bad signature is 403; nonsense still gets valid TwiML."""
    garbage = {"CallSid": "nonsense", "Digits": "\x00*#", "CallStatus": "??", "AnsweredBy": "x"}
    assert twilio.post(path, garbage, signature="forged").status_code == 403
    reply = twilio.post(path, garbage)
    assert reply.status_code == 200
    assert reply.mimetype == "text/xml"
    parse(reply.data)
