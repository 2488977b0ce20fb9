"""The SMS opt-out register: Twilio's keywords, error 21610, and the one door for texts."""

from __future__ import annotations

import time
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from calls.models import CallEvent, Feedback
from messaging.models import SmsOptOut
from messaging.optouts import is_opted_out, keyword, record_opt_out
from messaging.sending import send_text
from telephony.twilio_port import get_port
from tests.ivr_support import EN, update_case
from tests.test_ivr_e2e import AUTHENTICATE, dial
from tests.test_ivr_e2e import app as ivr_app  # noqa: F401 (demo data and hand-off stand-ins)
from tests.test_ivr_e2e import config as ivr_config  # noqa: F401
from tests.test_sms import answered_call, sms
from tests.twilio_signing import TwilioSigner
from tests.twiml_assert import parse

VICTIM = "+447700900555"


def register(app: Flask) -> list[tuple[str, str]]:
    with app.extensions["helpline.sessionmaker"]() as session:
        rows = session.scalars(select(SmsOptOut)).all()
        return [(row.number_e164, row.source) for row in rows]


@pytest.mark.parametrize("body", ["STOP", "stopall", " Unsubscribe ", "CANCEL", "end", "Quit."])
def test_stop_family_records_the_opt_out_and_says_nothing(
    app: Flask, twilio: TwilioSigner, body: str
) -> None:
    """Each opt-out keyword records the number; Twilio replies itself, so we answer nothing."""
    reply = parse(twilio.post("/sms/incoming", sms(body, VICTIM)).data)
    assert reply.tag == "Response" and list(reply) == []
    assert register(app) == [(VICTIM, "keyword")]


@pytest.mark.parametrize("body", ["START", "yes", "Unstop"])
def test_start_family_removes_the_opt_out(app: Flask, twilio: TwilioSigner, body: str) -> None:
    """Each opt-in keyword takes the number off the register, again with no reply of ours."""
    twilio.post("/sms/incoming", sms("STOP", VICTIM))
    reply = parse(twilio.post("/sms/incoming", sms(body, VICTIM)).data)
    assert list(reply) == []
    assert register(app) == []


def test_help_is_left_to_twilio_and_changes_nothing(app: Flask, twilio: TwilioSigner) -> None:
    """HELP gets Twilio's own answer: no second reply from us, and the register is untouched."""
    reply = parse(twilio.post("/sms/incoming", sms("HELP", VICTIM)).data)
    assert list(reply) == []
    assert register(app) == []


def test_a_sentence_with_stop_in_it_is_not_a_keyword(app: Flask, twilio: TwilioSigner) -> None:
    """Twilio matches the whole message: "please stop calling me" opts nobody out."""
    reply = parse(twilio.post("/sms/incoming", sms("please stop calling me", VICTIM)).data)
    assert "999" in reply.find("Message").text
    assert register(app) == []
    assert (keyword("STOP!"), keyword("stop it"), keyword("")) == ("opt_out", None, None)


def test_an_opted_out_number_gets_no_reply_of_ours(app: Flask, twilio: TwilioSigner) -> None:
    """After STOP, a score is still stored but answered with nothing (Twilio: 21610)."""
    answered_call(app)
    twilio.post("/sms/incoming", sms("STOP"))
    for body in ("hello", "5 thank you"):
        assert list(parse(twilio.post("/sms/incoming", sms(body)).data)) == []
    with app.extensions["helpline.sessionmaker"]() as session:
        assert [f.score for f in session.scalars(select(Feedback))] == [5]


def test_send_text_attempts_nothing_to_an_opted_out_number(app: Flask, phone: Any) -> None:
    """The one door refuses before Twilio is asked: no REST request at all."""
    with app.app_context(), app.extensions["helpline.sessionmaker"]() as session:
        record_opt_out(session, VICTIM, "keyword", _now())
        sent = send_text(session, get_port(app), VICTIM, "hello")
    assert sent.outcome == "opted_out"
    assert [r for r in phone.rest_log if r["path"].endswith("/Messages.json")] == []


def test_twilio_21610_is_recorded_and_never_retried(app: Flask, phone: Any) -> None:
    """Twilio's 21610 (we missed the STOP) records the opt-out; the next text is not attempted."""
    phone.sms_opt_outs.note(app.config["HELPLINE_NUMBER"], VICTIM, "opt_out")
    with app.app_context(), app.extensions["helpline.sessionmaker"]() as session:
        first = send_text(session, get_port(app), VICTIM, "hello")
        session.commit()
        second = send_text(session, get_port(app), VICTIM, "hello again")
        assert is_opted_out(session, VICTIM)
    assert (first.outcome, first.error, second.outcome) == ("opted_out", 21610, "opted_out")
    posts = [r for r in phone.rest_log if r["path"].endswith("/Messages.json")]
    assert [r["status"] for r in posts] == [400]
    assert register(app) == [(VICTIM, "twilio_21610")]


@pytest.mark.slow
def test_stop_from_the_victim_stops_the_status_text(ivr_app: Flask, phone: Any) -> None:  # noqa: F811
    """The victim texts STOP; later "text me this" sends nothing and says so, truthfully."""
    update_case(ivr_app, victim_sms_allowed=True, victim_phone_e164=VICTIM)
    assert phone.send_sms(VICTIM, "STOP").status == 200
    call = dial(phone, [*AUTHENTICATE, "2", "5"])
    spoken_number = "0 2 0, 7 1 8 3, 8 7 5 0"
    assert EN.text("sms.opted_out", number=spoken_number) in call.said()
    assert EN.text("sms.failed") not in call.said()
    assert phone.messages == []
    assert [r for r in phone.rest_log if r["path"].endswith("/Messages.json")] == []
    with ivr_app.extensions["helpline.sessionmaker"]() as session:
        kinds = session.scalars(select(CallEvent.kind)).all()
    assert "sms_opted_out" in kinds and "sms_sent" not in kinds


@pytest.mark.slow
def test_start_lets_the_status_text_through_again(ivr_app: Flask, phone: Any) -> None:  # noqa: F811
    """STOP then START: the status text is sent again (and Twilio accepts it)."""
    update_case(ivr_app, victim_sms_allowed=True, victim_phone_e164=VICTIM)
    phone.send_sms(VICTIM, "STOP")
    phone.send_sms(VICTIM, "START")
    call = dial(phone, [*AUTHENTICATE, "2", "5"])
    assert EN.text("sms.sent") in call.said()
    assert [m["to"] for m in phone.messages] == [VICTIM]


def _now() -> Any:
    from core.clock import now

    return now()


@pytest.mark.slow
def test_callback_confirmation_refused_by_twilio_is_recorded_not_raised(
    app: Flask, phone: Any, worker: Any
) -> None:
    """The worker's confirmation text meets 21610: the job ends cleanly and the opt-out is kept."""
    from core.jobs import queue
    from tests.test_callbacks_e2e import pending_callback

    callback_id = pending_callback(app, sms_confirmation=True)
    victim = "+447700900123"
    phone.sms_opt_outs.note(app.config["HELPLINE_NUMBER"], victim, "opt_out")
    job = queue(app).enqueue("callbacks.jobs.send_confirmation", callback_id)
    deadline = time.monotonic() + 30
    while (
        job.get_status(refresh=True) not in ("finished", "failed") and time.monotonic() < deadline
    ):
        time.sleep(0.1)
    assert (job.get_status(), job.return_value()) == ("finished", False)
    assert register(app) == [(victim, "twilio_21610")]
    assert phone.messages == []


@pytest.mark.parametrize("stopped", [False, True])
def test_no_confirmation_is_promised_to_an_opted_out_number(app: Flask, stopped: bool) -> None:
    """An opted-in victim is promised a confirmation text unless their number texted STOP."""
    import datetime as dt

    from callbacks.service import Policy, request_callback
    from calls.models import Call
    from cases.models import Case
    from devtools.demo import seed

    victim = "+447700900123"
    with app.extensions["helpline.sessionmaker"]() as session:
        seed(session)
        case = session.scalar(select(Case).where(Case.crime_reference == "1234567/24"))
        case.victim.sms_allowed = True
        if stopped:
            record_opt_out(session, victim, "keyword", _now())
        call = Call(
            call_sid="CA" + "e" * 32,
            from_e164=victim,
            started_at=_now() - dt.timedelta(minutes=5),
            authenticated=True,
            case_id=case.id,
        )
        session.add(call)
        session.flush()
        request = request_callback(session, call, victim, True, _now(), Policy()).request
        assert request.sms_confirmation is not stopped
