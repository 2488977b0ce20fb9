"""The victim's leg and the detection result agree, whichever reaches the app first."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from callbacks import prompts
from callbacks.attempts import claim, start_victim_leg
from callbacks.models import CallbackAttempt, CallbackRequest
from callbacks.responses import VICTIM_AMD_URL, VICTIM_NEXT_URL, VICTIM_URL
from core.clock import now
from roster.models import Agent
from tests.acd_helpers import RecordingPort
from tests.test_callbacks_e2e import VICTIM, pending_callback
from tests.twilio_signing import TwilioSigner, voice_params
from tests.twiml_assert import parse, spoken, verbs

LEG = "CA" + "b" * 32


def victim_ringing(app: Flask, *, safe: bool) -> int:
    """Create a callback whose attempt has just dialled the victim; return the attempt id."""
    callback_id = pending_callback(app, safe)
    with app.extensions["helpline.sessionmaker"]() as session:
        agent = session.scalar(select(Agent.id).where(Agent.client_identity == "alice"))
        attempt = claim(session, callback_id, agent, now())
        start_victim_leg(session, attempt.id, now())
        attempt.victim_call_sid = LEG
        session.commit()
        return attempt.id


def post(twilio: TwilioSigner, path: str, attempt_id: int, **form: str) -> Any:
    """Post a signed webhook about the victim's leg."""
    params = voice_params(
        CallSid=LEG, From="+442071838750", To=VICTIM, Direction="outbound-api", **form
    )
    return twilio.post(f"{path}?attempt={attempt_id}", params)


def attempt_of(app: Flask, attempt_id: int) -> tuple[CallbackAttempt, CallbackRequest]:
    with app.extensions["helpline.sessionmaker"]() as session:
        attempt = session.get(CallbackAttempt, attempt_id)
        return attempt, session.get(CallbackRequest, attempt.callback_id)


def test_result_after_the_greeting_redirects_the_leg(
    app: Flask, twilio: TwilioSigner, port: RecordingPort
) -> None:
    """AsyncAmd: the leg hears the neutral hold line; a human result moves it to the agent."""
    attempt_id = victim_ringing(app, safe=True)
    hold = parse(post(twilio, VICTIM_URL, attempt_id, CallStatus="in-progress").data)
    assert spoken(hold) == prompts.text("en-GB", "victim_hold")
    assert verbs(hold) == ["Say", "Pause", "Hangup"]
    post(twilio, VICTIM_AMD_URL, attempt_id, AnsweredBy="human")
    assert [(s, u.split("?")[0].endswith(VICTIM_NEXT_URL)) for s, u in port.redirects] == [
        (LEG, True)
    ]
    attempt, request = attempt_of(app, attempt_id)
    assert (attempt.result, attempt.answered_by, request.state) == (
        "connected",
        "human",
        "completed",
    )
    nxt = parse(post(twilio, VICTIM_NEXT_URL, attempt_id, CallStatus="in-progress").data)
    assert verbs(nxt) == ["Say", "Dial"]


def test_result_before_the_first_request_is_played_by_that_request(
    app: Flask, twilio: TwilioSigner, port: RecordingPort
) -> None:
    """Detection finished before the leg asked for TwiML: no redirect; the request plays it."""
    attempt_id = victim_ringing(app, safe=True)
    post(twilio, VICTIM_AMD_URL, attempt_id, AnsweredBy="machine_end_beep")
    assert port.redirects == [] and port.hung_up == []
    root = parse(post(twilio, VICTIM_URL, attempt_id, CallStatus="in-progress").data)
    assert spoken(root) == prompts.text("en-GB", "voicemail")
    assert verbs(root) == ["Say", "Hangup"]
    attempt, request = attempt_of(app, attempt_id)
    assert (attempt.result, request.state, request.finish_reason) == (
        "voicemail",
        "completed",
        "voicemail",
    )


@pytest.mark.parametrize(
    ("answered_by", "safe", "result"),
    [
        ("machine_end_silence", False, "machine"),
        ("machine_start", True, "machine"),  # greeting still playing: never a message
        ("fax", True, "fax"),
        ("unknown", True, "unknown"),
    ],
)
def test_no_message_results_hang_up_and_use_the_attempt(
    app: Flask,
    twilio: TwilioSigner,
    port: RecordingPort,
    answered_by: str,
    safe: bool,
    result: str,
) -> None:
    """No permission, no greeting end, a fax or no decision: hung up silently, retried later."""
    attempt_id = victim_ringing(app, safe=safe)
    post(twilio, VICTIM_URL, attempt_id, CallStatus="in-progress")
    post(twilio, VICTIM_AMD_URL, attempt_id, AnsweredBy=answered_by)
    assert (port.redirects, port.hung_up) == ([], [LEG])
    attempt, request = attempt_of(app, attempt_id)
    assert (attempt.result, attempt.answered_by) == (result, answered_by)
    assert (request.state, request.attempts) == ("pending", 1)
    assert request.next_attempt_at is not None and request.next_attempt_at > now()


def test_synchronous_answered_by_is_handled_in_the_first_request(
    app: Flask, twilio: TwilioSigner, port: RecordingPort
) -> None:
    """Without AsyncAmd the first request carries AnsweredBy: a machine with no permission
    gets only a hang-up."""
    attempt_id = victim_ringing(app, safe=False)
    root = parse(
        post(
            twilio, VICTIM_URL, attempt_id, CallStatus="in-progress", AnsweredBy="machine_end_beep"
        ).data
    )
    assert verbs(root) == ["Hangup"]
    attempt, request = attempt_of(app, attempt_id)
    assert (attempt.result, attempt.answered_by, request.state) == (
        "machine",
        "machine_end_beep",
        "pending",
    )


def test_a_repeated_result_changes_nothing(
    app: Flask, twilio: TwilioSigner, port: RecordingPort
) -> None:
    """A second detection result (a duplicate delivery) neither re-settles nor re-redirects."""
    attempt_id = victim_ringing(app, safe=True)
    post(twilio, VICTIM_URL, attempt_id, CallStatus="in-progress")
    post(twilio, VICTIM_AMD_URL, attempt_id, AnsweredBy="human")
    post(twilio, VICTIM_AMD_URL, attempt_id, AnsweredBy="machine_end_beep")
    attempt, request = attempt_of(app, attempt_id)
    assert (attempt.result, attempt.answered_by, request.state) == (
        "connected",
        "human",
        "completed",
    )
    assert len(port.redirects) == 1


def test_a_repeated_first_request_before_the_result_still_holds(
    app: Flask, twilio: TwilioSigner, port: RecordingPort
) -> None:
    """A second first request while detection runs greets again rather than hanging up."""
    attempt_id = victim_ringing(app, safe=True)
    post(twilio, VICTIM_URL, attempt_id, CallStatus="in-progress")
    again = parse(post(twilio, VICTIM_URL, attempt_id, CallStatus="in-progress").data)
    assert verbs(again) == ["Say", "Pause", "Hangup"]
    assert attempt_of(app, attempt_id)[0].stage == "victim_ringing"
