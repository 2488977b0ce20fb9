"""The IVR's webhooks one at a time: greeting, language, menu, authentication, routing."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from flask import Flask

from ivr import lockout, steps
from telephony.forms import VoiceEvent
from telephony.handoffs import CALLBACK_OFFER_URL, QUEUE_JOIN_URL
from tests.ivr_support import (
    CY,
    DOB,
    EN,
    ENHANCED_DOB,
    ENHANCED_REF,
    IVR_PATHS,
    REF,
    authenticate,
    call_row,
    close_desk,
    event_kinds,
    events,
    new_sid,
    post,
    redirect_target,
    said,
    seed_demo,
)
from tests.twilio_signing import CALL_SID, TwilioSigner, voice_params
from tests.twiml_assert import parse, spoken, verbs


@pytest.fixture
def seeded(app: Flask) -> Flask:
    """Demo cases loaded and the desk open around the clock."""
    return seed_demo(app)


def test_greeting_gives_999_first_then_the_language_choice(twilio: TwilioSigner) -> None:
    """The first words are the welcome and the 999 line; then each language offers itself."""
    root = post(twilio, "/voice/incoming")
    assert verbs(root) == ["Say", "Gather", "Redirect"]
    assert said(root)[0] == EN.text("greeting", helpline="the Victim Helpline")
    gather = root.find("Gather")
    assert gather.get("action") == "/voice/ivr/language"
    offers = gather.findall("Say")
    assert [s.get("voice") for s in offers] == ["Polly.Amy", "Polly.Gwyneth"]
    assert [s.get("language") for s in offers] == ["en-GB", "cy-GB"]
    assert offers[1].text == CY.text("language.offer", key=2)
    assert redirect_target(root) == "/voice/ivr/language"


def test_silence_at_the_language_choice_means_english(twilio: TwilioSigner, app: Flask) -> None:
    """No key press keeps the default language and offers the menu in it."""
    post(twilio, "/voice/incoming")
    root = post(twilio, "/voice/ivr/language")
    gather = root.find("Gather")
    assert gather.get("action") == "/voice/ivr/menu"
    assert gather.get("input") == "dtmf speech"
    assert gather.get("numDigits") == "1"
    assert gather.get("language") == "en-GB"
    assert redirect_target(root) == "/voice/ivr/menu?silent=1"
    assert call_row(app).language == "en-GB"
    assert event_kinds(app)[-1] == "language_chosen"


def test_pressing_2_chooses_welsh_for_the_whole_call(twilio: TwilioSigner, seeded: Flask) -> None:
    """Welsh is kept on the call row and every later prompt uses the Welsh voice and words."""
    root = post(twilio, "/voice/ivr/language", Digits="2")
    assert said(root)[0] == CY.text("greeting", helpline="the Victim Helpline")
    assert {s.get("voice") for s in root.iter("Say")} == {"Polly.Gwyneth"}
    assert call_row(seeded).language == "cy-GB"
    status = authenticate(twilio, REF, DOB)
    assert CY.text("status.UNDER_INVESTIGATION") in said(status)
    assert {s.get("language") for s in status.iter("Say")} == {"cy-GB"}


def test_only_one_language_skips_the_choice(app: Flask, twilio: TwilioSigner) -> None:
    """With a single configured language the greeting goes straight on to the menu."""
    app.config["IVR_LANGUAGES"] = ("en-GB",)
    root = post(twilio, "/voice/incoming")
    assert verbs(root) == ["Say", "Redirect"]
    assert redirect_target(root) == "/voice/ivr/language"


def test_status_choice_asks_for_the_reference(twilio: TwilioSigner) -> None:
    """Pressing 1 asks for the crime reference, keyed, with a generous timeout."""
    root = post(twilio, "/voice/ivr/menu", Digits="1")
    gather = root.find("Gather")
    assert gather.get("action") == "/voice/ivr/reference"
    assert gather.get("input") == "dtmf"
    assert int(gather.get("timeout")) >= 10
    assert EN.text("ask.reference") in said(root)


def test_saying_status_asks_for_the_reference(twilio: TwilioSigner) -> None:
    """Speech works at the main menu: "status" starts self-service."""
    root = post(twilio, "/voice/ivr/menu", SpeechResult="Status", Confidence="0.8")
    assert root.find("Gather").get("action") == "/voice/ivr/reference"


def test_authenticated_caller_hears_their_status(twilio: TwilioSigner, seeded: Flask) -> None:
    """The right reference and date of birth read the case status and detail, and are recorded."""
    root = authenticate(twilio, REF, DOB)
    lines = said(root)
    assert lines[:3] == [
        EN.text("status.UNDER_INVESTIGATION"),
        "An officer is reviewing CCTV from the area.",
        EN.text("status.officer", officer="Detective Constable Demo"),
    ]
    assert root.find("Gather").get("action") == "/voice/ivr/after-status"
    assert redirect_target(root) == "/voice/ivr/after-status?silent=1"
    call = call_row(seeded)
    assert call.authenticated and call.case_id is not None
    assert call.status_heard_at is not None
    assert event_kinds(seeded)[-2:] == ["authenticated", "status_heard"]


def test_wrong_date_and_unknown_reference_sound_identical(
    twilio: TwilioSigner, seeded: Flask
) -> None:
    """A wrong date of birth and a reference that does not exist get the very same words."""
    wrong_date = authenticate(twilio, REF, "02021980", sid=new_sid())
    unknown_ref = authenticate(twilio, "7654321*24", DOB, sid=new_sid())
    assert ET.tostring(wrong_date) == ET.tostring(unknown_ref)
    assert said(wrong_date)[0] == EN.text("auth.not_matched")
    assert wrong_date.find("Gather").get("action") == "/voice/ivr/reference"


def test_auth_failure_is_recorded_without_the_digits(twilio: TwilioSigner, seeded: Flask) -> None:
    """The journey says a try failed, never what was keyed."""
    authenticate(twilio, REF, "02021980")
    failed = [e for e in events(seeded) if e.kind == "auth_failed"]
    assert len(failed) == 1
    assert "1234567" not in str(failed[0].detail) and "0202" not in str(failed[0].detail)


def test_impossible_date_is_just_a_mismatch(twilio: TwilioSigner, seeded: Flask) -> None:
    """A date like 31 February counts as a failed try, not an error."""
    root = authenticate(twilio, REF, "31021980")
    assert said(root)[0] == EN.text("auth.not_matched")
    assert event_kinds(seeded).count("auth_failed") == 1


def test_badly_formed_reference_says_so_and_counts(twilio: TwilioSigner, seeded: Flask) -> None:
    """A reference in no accepted format is explained (it reveals nothing) and uses a try."""
    post(twilio, "/voice/ivr/menu", Digits="1")
    root = post(twilio, "/voice/ivr/reference", Digits="12*3")
    assert said(root)[0] == EN.text("reference.format")
    assert root.find("Gather").get("action") == "/voice/ivr/reference"
    assert event_kinds(seeded).count("auth_failed") == 1


def test_third_failure_in_a_call_offers_a_person(twilio: TwilioSigner, seeded: Flask) -> None:
    """After three failed tries the caller is told, and kept on the line for a person."""
    for _ in range(2):
        root = authenticate(twilio, REF, "11111111")
        assert root.find("Gather").get("action") == "/voice/ivr/reference"
    post(twilio, "/voice/ivr/reference", Digits=REF)
    root = post(twilio, "/voice/ivr/date-of-birth", Digits="11111111")
    assert said(root)[:2] == [EN.text("auth.not_matched"), EN.text("auth.cannot_check")]
    assert root.find("Gather").get("action") == "/voice/ivr/person"
    assert redirect_target(root) == "/voice/ivr/person"
    assert not call_row(seeded).authenticated


def test_locked_reference_refuses_the_right_details_with_the_usual_words(
    app: Flask, twilio: TwilioSigner, seeded: Flask
) -> None:
    """Five failures from different numbers lock a reference: even the right date is refused."""
    for n in range(5):
        authenticate(twilio, REF, "11111111", sid=new_sid(), From=f"+44770090010{n}")
    sid = new_sid()
    root = authenticate(twilio, REF, DOB, sid=sid, From="+447700900199")
    assert said(root)[:2] == [EN.text("auth.not_matched"), EN.text("auth.cannot_check")]
    assert redirect_target(root) == "/voice/ivr/person"
    assert not call_row(app, sid).authenticated
    assert "auth_locked" in event_kinds(app, sid)
    policy = lockout.Policy.from_config(app.config)
    ttl = app.extensions["helpline.redis"].ttl(lockout.keys(policy, "1234567/24", None)[1])
    assert 1790 <= ttl <= 1800


def test_locked_reference_is_accepted_again_once_the_lock_expires(
    app: Flask, twilio: TwilioSigner, seeded: Flask
) -> None:
    """When the lock key expires the right details work again."""
    for n in range(5):
        authenticate(twilio, REF, "11111111", sid=new_sid(), From=f"+44770090010{n}")
    policy = lockout.Policy.from_config(app.config)
    app.extensions["helpline.redis"].delete(lockout.keys(policy, "1234567/24", None)[1])
    sid = new_sid()
    root = authenticate(twilio, REF, DOB, sid=sid, From="+447700900199")
    assert said(root)[0] == EN.text("status.UNDER_INVESTIGATION")
    assert call_row(app, sid).authenticated


def test_unknown_reference_locks_like_a_real_one(
    app: Flask, twilio: TwilioSigner, seeded: Flask
) -> None:
    """Locks do not depend on the reference existing, so they reveal nothing either."""
    for n in range(5):
        authenticate(twilio, "7654321*24", DOB, sid=new_sid(), From=f"+44770090010{n}")
    policy = lockout.Policy.from_config(app.config)
    assert app.extensions["helpline.redis"].exists(lockout.keys(policy, "7654321/24", None)[1])


def test_caller_number_locks_after_ten_failures(twilio: TwilioSigner, seeded: Flask) -> None:
    """Ten failures from one number lock it: the right details then get the failure words."""
    for n in range(10):
        authenticate(twilio, f"{n}234567*24", "11111111", sid=new_sid())
    root = authenticate(twilio, REF, DOB, sid=new_sid())
    assert said(root)[:2] == [EN.text("auth.not_matched"), EN.text("auth.cannot_check")]
    assert redirect_target(root) == "/voice/ivr/person"


def test_withheld_numbers_are_never_locked_together(
    app: Flask, twilio: TwilioSigner, seeded: Flask
) -> None:
    """Failures from withheld numbers do not lock out every withheld caller."""
    for n in range(10):
        authenticate(twilio, f"{n}234567*24", "11111111", sid=new_sid(), From="anonymous")
    root = authenticate(twilio, REF, DOB, sid=new_sid(), From="anonymous")
    assert said(root)[0] == EN.text("status.UNDER_INVESTIGATION")
    assert app.extensions["helpline.redis"].keys("hl:{ivr}:*num:*") == []


def test_date_of_birth_without_a_reference_asks_for_the_reference(twilio: TwilioSigner) -> None:
    """Out of order, or the held reference expired: the caller is asked for it, not failed."""
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
    assert redirect_target(through) == "/voice/queue/join"
    assert call_row(seeded).wanted_agent_at is not None


def test_other_keys_are_not_an_option(twilio: TwilioSigner) -> None:
    """An unused key says so and offers the menu again."""
    root = post(twilio, "/voice/ivr/menu", Digits="7")
    assert said(root)[0] == EN.text("not_an_option")
    assert root.find("Gather").get("action") == "/voice/ivr/menu"


@pytest.mark.parametrize("speech", ["I want to speak to someone", "a person please"])
def test_spoken_request_for_a_person(twilio: TwilioSigner, seeded: Flask, speech: str) -> None:
    """Saying you want a person works as well as pressing 2."""
    root = post(twilio, "/voice/ivr/menu", SpeechResult=speech, Confidence="0.9")
    assert redirect_target(root) == "/voice/queue/join"


def test_person_when_open_goes_to_the_queue(twilio: TwilioSigner, seeded: Flask) -> None:
    """Pressing 2 marks when the caller asked for a person and redirects to the queue."""
    post(twilio, "/voice/incoming")
    post(twilio, "/voice/ivr/language", Digits="2")
    root = post(twilio, "/voice/ivr/menu", Digits="2")
    assert redirect_target(root) == "/voice/queue/join"
    call = call_row(seeded)
    assert call.wanted_agent_at is not None and call.language == "cy-GB"
    assert call.priority is None and call.virtual_start_at is None  # the queue's to set
    assert not call.authenticated


def test_authenticated_caller_reaches_the_queue_with_their_case(
    twilio: TwilioSigner, seeded: Flask
) -> None:
    """After hearing the status, 3 hands over a call that carries its case (for priority)."""
    authenticate(twilio, ENHANCED_REF, ENHANCED_DOB)
    root = post(twilio, "/voice/ivr/after-status", Digits="3")
    assert redirect_target(root) == "/voice/queue/join"
    call = call_row(seeded)
    assert call.authenticated and call.case_id is not None
    assert call.wanted_agent_at is not None and call.status_heard_at is not None


def test_hand_offs_land_on_the_queue_and_callback_webhooks(
    app: Flask, twilio: TwilioSigner, seeded: Flask
) -> None:
    """The IVR redirects to the URLs named in telephony.handoffs, which the app serves."""
    assert redirect_target(post(twilio, "/voice/ivr/person")) == QUEUE_JOIN_URL
    routes = app.url_map.bind("localhost")
    assert routes.match(QUEUE_JOIN_URL, method="POST")[0] == "queueing.join"
    assert routes.match(CALLBACK_OFFER_URL, method="POST")[0] == "callbacks.offer"


def test_closed_desk_says_when_it_opens_and_offers_a_callback(
    app: Flask, twilio: TwilioSigner, seeded: Flask
) -> None:
    """Outside hours a person request hears the reopening time and a callback offer."""
    close_desk(app)
    root = post(twilio, "/voice/ivr/menu", Digits="2")
    assert said(root)[0] == EN.text("closed")
    assert said(root)[1] in (
        EN.text("reopen.today", time="12 am"),
        EN.text("reopen.tomorrow", time="12 am"),
    )
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
    assert redirect_target(root) == CALLBACK_OFFER_URL
    assert "callback_wanted" in event_kinds(seeded)


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
    assert said(root)[0] == EN.text("status.UNDER_INVESTIGATION")


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
        assert verbs(parse(response.data))


def test_retried_failure_is_counted_once(twilio: TwilioSigner, seeded: Flask) -> None:
    """A retried date-of-birth webhook replays the answer without a second failure."""
    post(twilio, "/voice/ivr/menu", Digits="1")
    post(twilio, "/voice/ivr/reference", Digits=REF)
    params = voice_params(CallStatus="in-progress", Digits="11111111")
    first = twilio.post("/voice/ivr/date-of-birth", params, token="dob-retry")
    second = twilio.post("/voice/ivr/date-of-birth", params, token="dob-retry")
    assert first.data == second.data
    assert event_kinds(seeded).count("auth_failed") == 1
    assert spoken(parse(first.data)).startswith(EN.text("auth.not_matched"))


@pytest.mark.parametrize(
    ("speech", "meaning"),
    [
        ("please call me back", "callback"),
        ("can I speak to someone", "person"),
        ("text it to me", "text"),
        ("status", "status"),
        ("goodbye", "end"),
        ("I will attend the staircase", None),
    ],
)
def test_spoken_choices_match_whole_words(speech: str, meaning: str | None) -> None:
    """Speech is matched word by word, "call me back" before "someone"; no partial words."""
    event = VoiceEvent(CALL_SID, None, "in-progress", "inbound", None, speech, 0.9)
    assert steps.choice(event, steps.AFTER_STATUS_KEYS, EN) == meaning
