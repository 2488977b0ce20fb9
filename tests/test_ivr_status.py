"""After authentication: every status script, overdue updates, the after-status menu and SMS."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select
from twilio.base.exceptions import TwilioRestException

from accounts.models import AuditRecord
from cases import overdue
from cases.models import STATUS_CODES, Case
from core.clock import now
from roster.models import Closure
from tests.ivr_support import (
    DOB,
    EN,
    REF,
    authenticate,
    call_row,
    event_kinds,
    load_case,
    new_sid,
    post,
    redirect_target,
    said,
    seed_demo,
    update_case,
)
from tests.twilio_signing import TwilioSigner, voice_params
from tests.twiml_assert import parse, verbs


class FakePort:
    """Stands in for Twilio's Messages API in single-endpoint tests."""

    def __init__(self, fail: bool = False) -> None:
        self.sent: list[tuple[str, str]] = []
        self.fail = fail

    def send_sms(self, to: str, body: str) -> str:
        """Record the text, or fail like a REST error would."""
        if self.fail:
            raise TwilioRestException(503, "https://api.twilio.com/Messages.json", "busy")
        self.sent.append((to, body))
        return "SM" + "0" * 32


@pytest.fixture
def seeded(app: Flask) -> Flask:
    """Demo cases loaded and the desk open around the clock."""
    return seed_demo(app)


@pytest.fixture
def port(monkeypatch: pytest.MonkeyPatch) -> FakePort:
    """Catch texts the IVR sends."""
    fake = FakePort()
    monkeypatch.setattr("ivr.texting.get_port", lambda: fake)
    return fake


def fresh(app: Flask, **fields: Any) -> None:
    """Make the demo case up to date (so it is not overdue), with the given fields."""
    today = now().date()
    update_case(app, last_update=today, next_update_due=today + dt.timedelta(days=3), **fields)


@pytest.mark.parametrize("code", STATUS_CODES)
def test_every_status_code_is_read_with_its_script(
    app: Flask, twilio: TwilioSigner, seeded: Flask, code: str
) -> None:
    """Each status code gets its own sentence, then the detail, officer and dates."""
    fresh(app, status_code=code, status_detail="Written for you.", officer="DC Smith")
    lines = said(authenticate(twilio, REF, DOB))
    today = now().date()
    assert lines[:5] == [
        EN.text(f"status.{code}"),
        "Written for you.",
        EN.text("status.officer", officer="DC Smith"),
        EN.text("status.last_update", date=EN.date(today)),
        EN.text("status.next_update", date=EN.date(today + dt.timedelta(days=3))),
    ]


def test_nothing_but_the_victim_facing_fields_is_read(
    app: Flask, twilio: TwilioSigner, seeded: Flask
) -> None:
    """The offence, the victim's name and the reference are never spoken."""
    fresh(app, offence="Assault by John Suspect", victim_name="Alex Demo")
    text = " ".join(said(authenticate(twilio, REF, DOB)))
    for secret in ("John Suspect", "Assault", "Alex Demo", "1234567"):
        assert secret not in text


def test_working_days_skip_weekends_and_closures(app: Flask, seeded: Flask) -> None:
    """Five working days from Friday 20 November 2026, with a closure on the Monday."""
    with app.extensions["helpline.sessionmaker"]() as session:
        session.add(Closure(on_date=dt.date(2026, 11, 23), reason="test"))
        session.commit()
        holidays = overdue.closures(session, dt.date(2026, 11, 1), dt.date(2026, 12, 31))
    friday = dt.date(2026, 11, 20)
    assert overdue.add_working_days(friday, 5, frozenset()) == dt.date(2026, 11, 27)
    assert overdue.add_working_days(friday, 5, holidays) == dt.date(2026, 11, 30)
    assert overdue.add_working_days(friday, 1, holidays) == dt.date(2026, 11, 24)


@pytest.mark.parametrize(
    ("enhanced", "last_update", "late"),
    [
        (False, dt.date(2026, 11, 20), False),  # Friday to Friday: 5 working days
        (False, dt.date(2026, 11, 19), True),  # Thursday: 6
        (True, dt.date(2026, 11, 26), False),  # Enhanced Rights: 1
        (True, dt.date(2026, 11, 25), True),  # Enhanced Rights: 2
    ],
)
def test_overdue_follows_the_victims_code(
    app: Flask, seeded: Flask, enhanced: bool, last_update: dt.date, late: bool
) -> None:
    """5 working days since the last update, or 1 with Enhanced Rights, then it is overdue."""
    update_case(app, enhanced_rights=enhanced, last_update=last_update, next_update_due=None)
    with app.extensions["helpline.sessionmaker"]() as session:
        case = session.get(Case, load_case(app).id)
        assert case is not None
        assert overdue.is_overdue(session, case, dt.date(2026, 11, 27)) is late


def test_a_passed_due_date_is_overdue_and_recorded(
    app: Flask, twilio: TwilioSigner, seeded: Flask
) -> None:
    """The caller hears an apology; the case is flagged once, with an event and an audit row."""
    today = now().date()
    update_case(app, last_update=today, next_update_due=today - dt.timedelta(days=1))
    lines = said(authenticate(twilio, REF, DOB))
    assert EN.text("status.overdue", date=EN.date(today - dt.timedelta(days=1))) in lines
    case = load_case(app)
    assert case.overdue_flagged_at is not None
    assert "case_overdue" in event_kinds(app)
    post(twilio, "/voice/ivr/after-status", Digits="1")
    assert load_case(app).overdue_flagged_at == case.overdue_flagged_at
    with app.extensions["helpline.sessionmaker"]() as session:
        audits = session.scalars(select(AuditRecord).where(AuditRecord.action == "case_overdue"))
        assert [a.entity_id for a in audits] == [str(case.id)]
        assert [c.id for c in overdue.overdue_cases(session)] == [case.id]


def test_up_to_date_case_is_not_overdue(app: Flask, twilio: TwilioSigner, seeded: Flask) -> None:
    """A fresh case is not flagged, and supervisors see no overdue cases."""
    fresh(app)
    authenticate(twilio, REF, DOB)
    assert load_case(app).overdue_flagged_at is None
    with app.extensions["helpline.sessionmaker"]() as session:
        assert overdue.overdue_cases(session) == []


def test_after_status_repeat_and_goodbye(app: Flask, twilio: TwilioSigner, seeded: Flask) -> None:
    """1 reads the update again; 5 says goodbye and the call counts as self-served."""
    authenticate(twilio, REF, DOB)
    again = post(twilio, "/voice/ivr/after-status", Digits="1")
    assert said(again)[0] == EN.text("status.UNDER_INVESTIGATION")
    bye = post(twilio, "/voice/ivr/after-status", Digits="5")
    assert verbs(bye) == ["Say", "Hangup"]
    call = call_row(app)
    assert call.outcome == "self_served" and call.wanted_agent_at is None


def test_two_silences_after_the_status_say_goodbye(
    app: Flask, twilio: TwilioSigner, seeded: Flask
) -> None:
    """The first silence repeats the options; the second ends the call politely."""
    authenticate(twilio, REF, DOB)
    again = post(twilio, "/voice/ivr/after-status?silent=1")
    assert said(again) == [EN.text("no_input"), EN.text("after_status.menu")]
    assert redirect_target(again) == "/voice/ivr/after-status?silent=2"
    bye = post(twilio, "/voice/ivr/after-status?silent=2")
    assert said(bye) == [EN.text("goodbye")]
    assert verbs(bye)[-1] == "Hangup"


@pytest.mark.parametrize(
    ("speech", "target"),
    [
        ("can you call me back please", "/voice/callback/offer"),
        ("someone", "/voice/queue/join"),
    ],
)
def test_after_status_speech(
    app: Flask, twilio: TwilioSigner, seeded: Flask, speech: str, target: str
) -> None:
    """Saying "call me back" or "someone" after the status hands over like the keypad."""
    authenticate(twilio, REF, DOB)
    root = post(twilio, "/voice/ivr/after-status", SpeechResult=speech, Confidence="0.7")
    assert redirect_target(root) == target


def test_spoken_status_repeats_the_update(twilio: TwilioSigner, seeded: Flask) -> None:
    """Saying "status" after hearing it reads it again."""
    authenticate(twilio, REF, DOB)
    root = post(twilio, "/voice/ivr/after-status", SpeechResult="status", Confidence="0.7")
    assert said(root)[0] == EN.text("status.UNDER_INVESTIGATION")


def test_call_me_back_key_hands_over_with_the_case(
    app: Flask, twilio: TwilioSigner, seeded: Flask
) -> None:
    """4 redirects to the callback feature; the call row carries the case and language."""
    authenticate(twilio, REF, DOB)
    root = post(twilio, "/voice/ivr/after-status", Digits="4")
    assert redirect_target(root) == "/voice/callback/offer"
    call = call_row(app)
    assert call.authenticated and call.case_id == load_case(app).id
    assert event_kinds(app)[-1] == "callback_wanted"


def test_after_status_without_authentication_reveals_nothing(
    app: Flask, twilio: TwilioSigner, seeded: Flask
) -> None:
    """Posting straight to the after-status menu reads no case and sends no text."""
    root = post(twilio, "/voice/ivr/after-status", Digits="1")
    assert root.find("Gather").get("action") == "/voice/ivr/menu"
    assert call_row(app).status_heard_at is None


def test_text_me_this_when_opted_in(
    app: Flask, twilio: TwilioSigner, seeded: Flask, port: FakePort
) -> None:
    """2 texts the headline only, to the number on record, once per call."""
    update_case(app, victim_sms_allowed=True, victim_phone_e164="+447700900555")
    authenticate(twilio, REF, DOB, From="+447700900777")
    root = post(twilio, "/voice/ivr/after-status", Digits="2", From="+447700900777")
    assert said(root)[0] == EN.text("sms.sent")
    assert root.find("Gather").get("action") == "/voice/ivr/after-status"
    assert port.sent == [
        (
            "+447700900555",
            EN.text(
                "sms.body",
                helpline="the Victim Helpline",
                headline=EN.text("status.UNDER_INVESTIGATION"),
            ),
        )
    ]
    assert "CCTV" not in port.sent[0][1]
    again = post(twilio, "/voice/ivr/after-status", Digits="2", From="+447700900777")
    assert said(again)[0] == EN.text("sms.already_sent")
    assert len(port.sent) == 1
    assert event_kinds(app).count("sms_sent") == 1


@pytest.mark.parametrize(
    "victim",
    [{"victim_sms_allowed": False}, {"victim_sms_allowed": True, "victim_phone_e164": None}],
)
def test_no_text_without_opt_in_or_a_number(
    app: Flask, twilio: TwilioSigner, seeded: Flask, port: FakePort, victim: dict[str, Any]
) -> None:
    """Opted out (or no number on record): nothing is sent and the caller hears how to change it."""
    update_case(app, **victim)
    authenticate(twilio, REF, DOB)
    root = post(twilio, "/voice/ivr/after-status", Digits="2")
    assert said(root)[0] == EN.text("sms.not_available")
    assert port.sent == []
    assert "sms_refused" in event_kinds(app)


def test_a_failed_text_is_owned_up_to(
    app: Flask, twilio: TwilioSigner, seeded: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A REST failure is said kindly and the menu carries on."""
    monkeypatch.setattr("ivr.texting.get_port", lambda: FakePort(fail=True))
    update_case(app, victim_sms_allowed=True)
    authenticate(twilio, REF, DOB)
    root = post(twilio, "/voice/ivr/after-status", Digits="2")
    assert said(root)[0] == EN.text("sms.failed")
    assert "sms_failed" in event_kinds(app)


def test_no_case_detail_is_kept_in_redis_after_a_status_call(
    app: Flask, twilio: TwilioSigner, seeded: Flask
) -> None:
    """The idempotency cache holds the status answer sealed: no detail, officer or name in clear."""
    sid = new_sid()
    root = authenticate(twilio, REF, DOB, sid=sid)
    assert "CCTV" in " ".join(said(root))
    r = app.extensions["helpline.redis"]
    dumped = " ".join(_redis_text(r, key) for key in r.scan_iter("*"))
    for detail in ("CCTV", "Detective Constable", "Demo", "01021980", "1980-02-01", "1234567"):
        assert detail not in dumped, detail


def test_a_retried_status_request_replays_the_same_answer(
    twilio: TwilioSigner, seeded: Flask
) -> None:
    """A retry with the same idempotency token hears the sealed first answer, unchanged."""
    sid = new_sid()
    post(twilio, "/voice/ivr/menu", sid, Digits="1")
    post(twilio, "/voice/ivr/reference", sid, Digits=REF)
    params = voice_params(CallSid=sid, CallStatus="in-progress", Digits=DOB)
    first = twilio.post("/voice/ivr/date-of-birth", params, token="retry-me")
    again = twilio.post("/voice/ivr/date-of-birth", params, token="retry-me")
    assert again.status_code == 200 and again.data == first.data
    assert "CCTV" in " ".join(said(parse(again.data)))


def _redis_text(r: Any, key: str) -> str:
    """Return a key's name and value as text, whatever its type."""
    kind = r.type(key)
    if kind == "string":
        value: object = r.get(key)
    elif kind == "hash":
        value = r.hgetall(key)
    elif kind == "list":
        value = r.lrange(key, 0, -1)
    elif kind == "set":
        value = r.smembers(key)
    elif kind == "zset":
        value = r.zrange(key, 0, -1)
    else:
        value = kind
    return f"{key} {value}"
