"""The IVR's webhooks one at a time: menu, authentication, status, routing."""

from __future__ import annotations

import datetime as dt
import uuid
import xml.etree.ElementTree as ET

import pytest
from flask import Flask
from sqlalchemy import select

from calls.models import Call, CallEvent
from cases.models import Case
from core.demo import seed
from ivr import lockout, prompts
from roster.models import OpeningHours
from tests.twilio_signing import CALL_SID, TwilioSigner, voice_params
from tests.twiml_assert import parse, spoken, verbs

REF, DOB = "1234567*24", "01021980"
ENHANCED_REF, ENHANCED_DOB = "2345678*24", "25121975"


@pytest.fixture
def seeded(app: Flask) -> Flask:
    """Demo cases loaded and the desk open around the clock."""
    with app.extensions["helpline.sessionmaker"]() as session:
        seed(session)
        session.commit()
    return app


def post(twilio: TwilioSigner, path: str, sid: str = CALL_SID, **params: str) -> ET.Element:
    """Post a signed voice webhook for one call and parse the TwiML answer."""
    response = twilio.post(path, voice_params(CallSid=sid, CallStatus="in-progress", **params))
    assert response.status_code == 200
    assert response.mimetype == "text/xml"
    return parse(response.data)


def new_sid() -> str:
    """A fresh, well-formed CallSid."""
    return "CA" + uuid.uuid4().hex


def authenticate(
    twilio: TwilioSigner, ref: str, dob: str, sid: str = CALL_SID, **params: str
) -> ET.Element:
    """Choose self-service, then key a reference and a date of birth."""
    post(twilio, "/voice/ivr/menu", sid, Digits="1", **params)
    post(twilio, "/voice/ivr/reference", sid, Digits=ref, **params)
    return post(twilio, "/voice/ivr/date-of-birth", sid, Digits=dob, **params)


def call_row(app: Flask, sid: str = CALL_SID) -> Call:
    """Load the call with this SID."""
    with app.extensions["helpline.sessionmaker"]() as session:
        call = session.scalar(select(Call).where(Call.call_sid == sid))
        assert call is not None
        return call


def event_kinds(app: Flask, sid: str = CALL_SID) -> list[str]:
    """Return the kinds of the call's journey events, in order."""
    with app.extensions["helpline.sessionmaker"]() as session:
        call = session.scalar(select(Call).where(Call.call_sid == sid))
        assert call is not None
        return [e.kind for e in session.scalars(select(CallEvent).where(CallEvent.call == call))]


def redirect_target(root: ET.Element) -> str:
    """Return the URL of the document's final <Redirect>."""
    assert verbs(root)[-1] == "Redirect"
    return (root[-1].text or "").strip()


def test_greeting_gives_999_first_then_the_menu(twilio: TwilioSigner) -> None:
    """The first words are the welcome and the 999 line; then a one-key menu that hears speech."""
    root = post(twilio, "/voice/incoming")
    assert verbs(root) == ["Say", "Gather", "Redirect"]
    assert "999" in root[0].text
    gather = root.find("Gather")
    assert gather.get("action") == "/voice/ivr/menu"
    assert gather.get("input") == "dtmf speech"
    assert gather.get("numDigits") == "1"
    assert redirect_target(root) == "/voice/ivr/menu?silent=1"


def test_status_choice_asks_for_the_reference(twilio: TwilioSigner) -> None:
    """Pressing 1 asks for the crime reference, keyed, with a generous timeout."""
    root = post(twilio, "/voice/ivr/menu", Digits="1")
    gather = root.find("Gather")
    assert gather.get("action") == "/voice/ivr/reference"
    assert gather.get("input") == "dtmf"
    assert int(gather.get("timeout")) >= 10
    assert "star key" in spoken(root)


def test_authenticated_caller_hears_their_status(twilio: TwilioSigner, seeded: Flask) -> None:
    """The right reference and date of birth read the case status and detail, and are recorded."""
    root = authenticate(twilio, REF, DOB)
    text = spoken(root)
    assert prompts.STATUS_WORDS["UNDER_INVESTIGATION"] in text
    assert "reviewing CCTV" in text
    assert root.find("Gather").get("action") == "/voice/ivr/after-status"
    assert verbs(root)[-1] == "Hangup"
    call = call_row(seeded)
    assert call.authenticated and call.case_id is not None
    assert call.status_heard_at is not None
    assert event_kinds(seeded)[-2:] == ["authenticated", "status_heard"]


def test_reference_keyed_with_spaces_or_dashes_still_matches(
    twilio: TwilioSigner, seeded: Flask
) -> None:
    """Keypad star means slash; the reference is normalised before lookup."""
    post(twilio, "/voice/ivr/menu", Digits="1")
    post(twilio, "/voice/ivr/reference", Digits="1234567*24")
    post(twilio, "/voice/ivr/date-of-birth", Digits=DOB)
    assert call_row(seeded).authenticated


def test_wrong_date_and_unknown_reference_sound_identical(
    twilio: TwilioSigner, seeded: Flask
) -> None:
    """A wrong date of birth and a reference that does not exist get the very same words."""
    wrong_date = authenticate(twilio, REF, "02021980", sid=new_sid())
    unknown_ref = authenticate(twilio, "7654321*24", DOB, sid=new_sid())
    assert ET.tostring(wrong_date) == ET.tostring(unknown_ref)
    assert prompts.NOT_MATCHED in spoken(wrong_date)
    assert wrong_date.find("Gather").get("action") == "/voice/ivr/reference"


def test_impossible_date_is_just_a_mismatch(twilio: TwilioSigner, seeded: Flask) -> None:
    """A date like 31 February counts as a failed try, not an error."""
    root = authenticate(twilio, REF, "31021980")
    assert prompts.NOT_MATCHED in spoken(root)
    assert event_kinds(seeded).count("auth_failed") == 1


def test_badly_formed_reference_says_so_and_counts(twilio: TwilioSigner, seeded: Flask) -> None:
    """A reference in no accepted format is explained (it reveals nothing) and uses a try."""
    post(twilio, "/voice/ivr/menu", Digits="1")
    root = post(twilio, "/voice/ivr/reference", Digits="12*3")
    assert prompts.REFERENCE_FORMAT in spoken(root)
    assert root.find("Gather").get("action") == "/voice/ivr/reference"
    assert event_kinds(seeded).count("auth_failed") == 1


def test_third_failure_in_a_call_offers_a_person(twilio: TwilioSigner, seeded: Flask) -> None:
    """After three failed tries the caller is told, and kept on the line for a person."""
    for _ in range(2):
        root = authenticate(twilio, REF, "11111111")
        assert root.find("Gather") is not None
    post(twilio, "/voice/ivr/reference", Digits=REF)
    root = post(twilio, "/voice/ivr/date-of-birth", Digits="11111111")
    assert prompts.CANNOT_CHECK in spoken(root)
    assert root.find("Gather").get("action") == "/voice/ivr/person"
    assert redirect_target(root) == "/voice/ivr/person"
    assert not call_row(seeded).authenticated


def test_reference_locks_after_five_failures_across_calls(
    app: Flask, twilio: TwilioSigner, seeded: Flask
) -> None:
    """Five failures on one reference from different numbers lock it, even for the right date."""
    for n in range(5):
        authenticate(twilio, REF, "11111111", sid=new_sid(), From=f"+44770090010{n}")
    sid = new_sid()
    post(twilio, "/voice/ivr/menu", sid, Digits="1", From="+447700900199")
    root = post(twilio, "/voice/ivr/reference", sid, Digits=REF, From="+447700900199")
    assert prompts.CANNOT_CHECK in spoken(root)
    assert redirect_target(root) == "/voice/ivr/person"
    post(twilio, "/voice/ivr/date-of-birth", sid, Digits=DOB, From="+447700900199")
    assert not call_row(app, sid).authenticated
    policy = lockout.Policy.from_config(app.config)
    ttl = app.extensions["helpline.redis"].ttl(lockout.keys(policy, "1234567/24", None)[1])
    assert 1790 <= ttl <= 1800


def test_unknown_reference_locks_like_a_real_one(
    app: Flask, twilio: TwilioSigner, seeded: Flask
) -> None:
    """Locks do not depend on the reference existing, so they reveal nothing either."""
    for n in range(5):
        authenticate(twilio, "7654321*24", DOB, sid=new_sid(), From=f"+44770090010{n}")
    policy = lockout.Policy.from_config(app.config)
    assert app.extensions["helpline.redis"].exists(lockout.keys(policy, "7654321/24", None)[1])


def test_caller_number_locks_after_ten_failures(twilio: TwilioSigner, seeded: Flask) -> None:
    """Ten failures from one number lock it: self-service then goes straight to a person."""
    for n in range(10):
        authenticate(twilio, f"{n}234567*24", "11111111", sid=new_sid())
    root = post(twilio, "/voice/ivr/menu", new_sid(), Digits="1")
    assert prompts.CANNOT_CHECK in spoken(root)
    assert redirect_target(root) == "/voice/ivr/person"


def test_withheld_numbers_are_never_locked_together(
    app: Flask, twilio: TwilioSigner, seeded: Flask
) -> None:
    """Failures from withheld numbers do not lock out every withheld caller."""
    for n in range(10):
        authenticate(twilio, f"{n}234567*24", "11111111", sid=new_sid(), From="anonymous")
    root = authenticate(twilio, REF, DOB, sid=new_sid(), From="anonymous")
    assert prompts.STATUS_WORDS["UNDER_INVESTIGATION"] in spoken(root)
    assert app.extensions["helpline.redis"].keys("hl:{ivr}:*num:*") == []


def test_date_of_birth_without_a_reference_asks_for_the_reference(twilio: TwilioSigner) -> None:
    """If the held reference has expired, the caller is asked for it again, not failed."""
    root = post(twilio, "/voice/ivr/date-of-birth", Digits=DOB)
    assert root.find("Gather").get("action") == "/voice/ivr/reference"


@pytest.mark.parametrize(
    "path", ["/voice/ivr/menu", "/voice/ivr/reference", "/voice/ivr/date-of-birth"]
)
def test_silence_reprompts_then_reaches_a_person(
    twilio: TwilioSigner, seeded: Flask, path: str
) -> None:
    """One silence asks again; the second puts the caller through to a person."""
    again = post(twilio, f"{path}?silent=1")
    assert again.find("Gather") is not None
    assert redirect_target(again) == f"{path}?silent=2"
    through = post(twilio, f"{path}?silent=2")
    assert redirect_target(through) == "/voice/queue"
    assert call_row(seeded).wanted_agent_at is not None


def test_other_keys_are_not_an_option(twilio: TwilioSigner) -> None:
    """An unused key says so and offers the menu again."""
    root = post(twilio, "/voice/ivr/menu", Digits="7")
    assert prompts.NOT_AN_OPTION in spoken(root)
    assert root.find("Gather").get("action") == "/voice/ivr/menu"


@pytest.mark.parametrize("speech", ["I want to speak to someone", "a person please"])
def test_spoken_request_for_a_person(twilio: TwilioSigner, seeded: Flask, speech: str) -> None:
    """Saying you want a person works as well as pressing 2."""
    root = post(twilio, "/voice/ivr/menu", SpeechResult=speech, Confidence="0.9")
    assert redirect_target(root) == "/voice/queue"


def test_person_when_open_goes_to_the_queue(twilio: TwilioSigner, seeded: Flask) -> None:
    """Pressing 2 marks when the caller asked for a person and redirects to the queue."""
    post(twilio, "/voice/incoming")
    root = post(twilio, "/voice/ivr/menu", Digits="2")
    assert redirect_target(root) == "/voice/queue"
    call = call_row(seeded)
    assert call.wanted_agent_at is not None
    assert call.priority is None and call.virtual_start_at is None  # the queue's to set
    assert not call.authenticated


def test_authenticated_caller_reaches_the_queue_with_their_case(
    twilio: TwilioSigner, seeded: Flask
) -> None:
    """After hearing the status, 2 hands over a call that carries its case (for priority)."""
    authenticate(twilio, ENHANCED_REF, ENHANCED_DOB)
    root = post(twilio, "/voice/ivr/after-status", Digits="2")
    assert redirect_target(root) == "/voice/queue"
    call = call_row(seeded)
    assert call.authenticated and call.case_id is not None
    assert call.wanted_agent_at is not None and call.status_heard_at is not None


def test_queue_url_is_configurable(app: Flask, twilio: TwilioSigner, seeded: Flask) -> None:
    """The queue hand-off follows IVR_QUEUE_URL."""
    app.config["IVR_QUEUE_URL"] = "/voice/acd/enter"
    assert redirect_target(post(twilio, "/voice/ivr/person")) == "/voice/acd/enter"


def test_after_status_repeats_or_says_goodbye(twilio: TwilioSigner, seeded: Flask) -> None:
    """1 reads the update again; silence ends the call kindly and counts as self-served."""
    authenticate(twilio, REF, DOB)
    again = post(twilio, "/voice/ivr/after-status", Digits="1")
    assert prompts.STATUS_WORDS["UNDER_INVESTIGATION"] in spoken(again)
    bye = post(twilio, "/voice/ivr/after-status")
    assert verbs(bye) == ["Say", "Hangup"]
    assert call_row(seeded).wanted_agent_at is None


def test_repeat_without_authentication_reveals_nothing(twilio: TwilioSigner, seeded: Flask) -> None:
    """Posting straight to the repeat option without authenticating reads no case."""
    root = post(twilio, "/voice/ivr/after-status", Digits="1")
    assert prompts.UNKNOWN_STATUS in spoken(root)
    assert call_row(seeded).status_heard_at is None


def close_desk(app: Flask) -> None:
    """Set opening hours that never include now: only 00:00-00:01 on every day."""
    with app.extensions["helpline.sessionmaker"]() as session:
        for weekday in range(7):
            session.merge(OpeningHours(weekday=weekday, opens=dt.time(0, 0), closes=dt.time(0, 1)))
        session.commit()


def test_closed_desk_says_when_it_opens_and_offers_a_callback(
    app: Flask, twilio: TwilioSigner, seeded: Flask
) -> None:
    """Outside hours a person request hears the reopening time and a callback offer."""
    close_desk(app)
    root = post(twilio, "/voice/ivr/menu", Digits="2")
    assert prompts.CLOSED in spoken(root)
    assert "We open again at 12 am" in spoken(root)
    gather = root.find("Gather")
    assert gather.get("action") == "/voice/ivr/closed"
    assert gather.get("actionOnEmptyResult") == "true"
    assert verbs(root)[-1] == "Hangup"


def test_closed_desk_callback_choice_hands_over(
    app: Flask, twilio: TwilioSigner, seeded: Flask
) -> None:
    """Pressing 1 at a closed desk redirects to the callback feature."""
    close_desk(app)
    post(twilio, "/voice/ivr/menu", Digits="2")
    root = post(twilio, "/voice/ivr/closed", Digits="1")
    assert redirect_target(root) == "/voice/callback"
    assert "callback_offer_accepted" in event_kinds(seeded)


def test_closed_desk_declined_ends_as_closed(
    app: Flask, twilio: TwilioSigner, seeded: Flask
) -> None:
    """Declining the callback says goodbye and records the outcome as closed."""
    close_desk(app)
    post(twilio, "/voice/ivr/menu", Digits="2")
    root = post(twilio, "/voice/ivr/closed")
    assert verbs(root) == ["Say", "Hangup"]
    assert call_row(seeded).outcome == "closed"


def test_status_is_read_even_when_the_desk_is_closed(
    app: Flask, twilio: TwilioSigner, seeded: Flask
) -> None:
    """Self-service works around the clock."""
    close_desk(app)
    root = authenticate(twilio, REF, DOB)
    assert prompts.STATUS_WORDS["UNDER_INVESTIGATION"] in spoken(root)


def test_overdue_update_is_acknowledged(app: Flask, twilio: TwilioSigner, seeded: Flask) -> None:
    """When the next update is past due the caller is told and pointed to a person."""
    with app.extensions["helpline.sessionmaker"]() as session:
        case = session.scalar(select(Case).where(Case.reference_key == "1234567/24"))
        case.next_update_due = dt.date(2020, 1, 6)
        session.commit()
    root = authenticate(twilio, REF, DOB)
    assert "An update was due by Monday 6 January" in spoken(root)


IVR_PATHS = (
    "/voice/ivr/menu",
    "/voice/ivr/reference",
    "/voice/ivr/date-of-birth",
    "/voice/ivr/after-status",
    "/voice/ivr/person",
    "/voice/ivr/closed",
)


@pytest.mark.parametrize("path", IVR_PATHS)
def test_every_ivr_route_refuses_unsigned_requests(app: Flask, path: str) -> None:
    """No signature, no answer: 403."""
    response = app.test_client().post(path, data=voice_params(Digits="1"))
    assert response.status_code == 403


@pytest.mark.parametrize("path", IVR_PATHS)
def test_every_ivr_route_answers_garbage_with_twiml(twilio: TwilioSigner, path: str) -> None:
    """Missing, overlong and nonsense fields still get valid TwiML."""
    for params in (
        {},
        {"CallSid": "x" * 5000, "Digits": "9" * 10_000, "From": "\x00"},
        {"CallSid": CALL_SID, "Digits": "*#*#" * 100, "SpeechResult": "\x00" * 50},
    ):
        response = twilio.post(f"{path}?silent=banana", params)
        assert response.status_code == 200
        parse(response.data)


def test_retried_failure_is_counted_once(twilio: TwilioSigner, seeded: Flask) -> None:
    """A retried date-of-birth webhook replays the answer without a second failure."""
    post(twilio, "/voice/ivr/menu", Digits="1")
    post(twilio, "/voice/ivr/reference", Digits=REF)
    params = voice_params(CallStatus="in-progress", Digits="11111111")
    first = twilio.post("/voice/ivr/date-of-birth", params, token="dob-retry")
    second = twilio.post("/voice/ivr/date-of-birth", params, token="dob-retry")
    assert first.data == second.data
    assert event_kinds(seeded).count("auth_failed") == 1
