"""The queue's Twilio webhooks, one endpoint at a time (signed like Twilio)."""

from __future__ import annotations

from urllib.parse import parse_qs, urlencode, urlsplit

from flask import Flask

from queueing.desk import desk_for
from tests.acd_helpers import (
    RecordingPort,
    add_agent,
    add_call,
    call_row,
    make_available,
    open_desk,
)
from tests.twilio_signing import TwilioSigner, voice_params
from tests.twiml_assert import parse, spoken, verbs


def post(twilio: TwilioSigner, path: str, call_sid: str, **extra: str) -> object:
    """POST a signed in-progress voice webhook for the call; return the parsed TwiML."""
    response = twilio.post(path, voice_params(CallSid=call_sid, CallStatus="in-progress", **extra))
    assert response.status_code == 200
    assert response.mimetype == "text/xml"
    return parse(response.data)


def test_join_enqueues_and_records_the_place(app: Flask, twilio: TwilioSigner) -> None:
    """An authenticated Enhanced Rights caller is enqueued at the top tier with its start time."""
    open_desk(app)
    add_agent(app, "alice")
    sid = add_call(app, 1, authenticated=True, enhanced=True, offence="Domestic abuse")
    root = post(twilio, "/voice/queue/join", sid)
    assert verbs(root) == ["Say", "Enqueue"]
    enqueue = root.find("Enqueue")
    assert enqueue is not None and enqueue.text == "helpline"
    assert urlsplit(enqueue.get("waitUrl")).path == "/voice/queue/wait"
    assert urlsplit(enqueue.get("action")).path == "/voice/queue/left"
    call = call_row(app, sid)
    assert call.queued_at is not None and call.priority == 3
    assert call.virtual_start_at == call.wanted_agent_at
    entry = desk_for(app).acd.entry(f"call:{sid}")
    assert entry["class"] == "en-GB|domestic_abuse" and entry["state"] == "waiting"


def test_join_when_closed_says_so_and_offers_callback(app: Flask, twilio: TwilioSigner) -> None:
    """A closed desk is not hidden: the caller hears when it opens, then the callback offer."""
    open_desk(app, hours=None)
    add_agent(app, "alice")
    sid = add_call(app, 1)
    root = post(twilio, "/voice/queue/join", sid)
    assert verbs(root) == ["Say", "Say", "Say", "Redirect"]
    offer = urlsplit(root.find("Redirect").text)
    # The caller did not ask for a callback: the offer must ask before taking a number.
    assert (offer.path, offer.query) == ("/voice/callback/offer", "reason=closed")
    assert "We are closed now" in spoken(root)
    assert "We open again" in spoken(root) or "cannot yet say" in spoken(root)
    assert desk_for(app).acd.waiting_count() == 0


def test_join_with_nobody_on_shift_offers_callback(app: Flask, twilio: TwilioSigner) -> None:
    """An open desk with no rostered agent does not queue the caller."""
    open_desk(app)
    add_agent(app, "alice", on_shift=False)
    sid = add_call(app, 1)
    root = post(twilio, "/voice/queue/join", sid)
    assert verbs(root)[-1] == "Redirect"
    assert [e.kind for e in call_row(app, sid).events] == ["queue_unavailable"]


def test_retried_join_is_a_no_op(app: Flask, twilio: TwilioSigner) -> None:
    """A webhook retried with the same idempotency token does not queue twice."""
    open_desk(app)
    add_agent(app, "alice")
    sid = add_call(app, 1)
    params = voice_params(CallSid=sid, CallStatus="in-progress")
    first = twilio.post("/voice/queue/join", params, token="same")
    second = twilio.post("/voice/queue/join", params, token="same")
    assert first.data == second.data
    assert [e.kind for e in call_row(app, sid).events] == ["queued"]


def test_unsigned_requests_are_refused(app: Flask, twilio: TwilioSigner) -> None:
    """Every queue endpoint needs Twilio's signature."""
    for path in ("join", "wait", "keypress", "left", "connect", "whisper", "dialled"):
        response = twilio.post(f"/voice/queue/{path}", voice_params(), signature="bogus")
        assert response.status_code == 403


def test_garbage_still_gets_valid_twiml(app: Flask, twilio: TwilioSigner) -> None:
    """Unknown calls and malformed offers still get TwiML a caller can live with."""
    for path in ("join", "wait", "keypress", "left", "connect", "whisper", "dialled"):
        root = post(twilio, f"/voice/queue/{path}?entry=x&agent=y&token=z", "nonsense", Digits="9")
        assert root.tag == "Response"


def test_wait_announces_position_then_holds(app: Flask, twilio: TwilioSigner) -> None:
    """The first cycle says position, estimate and press 1; the next only a hold line."""
    open_desk(app)
    add_agent(app, "alice")
    first, second = add_call(app, 1), add_call(app, 2)
    post(twilio, "/voice/queue/join", first)
    post(twilio, "/voice/queue/join", second)
    root = post(twilio, "/voice/queue/wait", second)
    gather = root.find("Gather")
    assert gather is not None and gather.get("numDigits") == "1"
    assert urlsplit(gather.get("action")).path == "/voice/queue/keypress"
    words = spoken(root)
    assert "number 2 in the queue" in words and "Press 1" in words
    # On shift but not logged in: no estimate, the truth instead.
    assert "We are open, but nobody is available to take your call right now." in words
    again = spoken(post(twilio, "/voice/queue/wait", second))
    assert "number" not in again and "Thank you for waiting" in again


def test_position_that_went_up_is_not_announced(app: Flask, twilio: TwilioSigner) -> None:
    """A caller overtaken by a higher tier is not told a worse position."""
    app.config["ACD_ANNOUNCE_SECONDS"] = 0
    open_desk(app)
    add_agent(app, "alice")
    plain = add_call(app, 1)
    post(twilio, "/voice/queue/join", plain)
    assert "number 1 in" in spoken(post(twilio, "/voice/queue/wait", plain))
    post(twilio, "/voice/queue/join", add_call(app, 2, authenticated=True, enhanced=True))
    assert "in the queue" not in spoken(post(twilio, "/voice/queue/wait", plain))


def test_press_1_leaves_keeping_the_place(app: Flask, twilio: TwilioSigner) -> None:
    """Key 1 takes the caller out with their tier and start time, then to the callback offer."""
    open_desk(app)
    add_agent(app, "alice")
    sid = add_call(app, 1, authenticated=True)
    post(twilio, "/voice/queue/join", sid)
    assert verbs(post(twilio, "/voice/queue/keypress", sid, Digits="1")) == ["Leave"]
    root = post(twilio, "/voice/queue/left", sid, QueueResult="leave")
    assert urlsplit(root.find("Redirect").text).path == "/voice/callback/offer"
    call = call_row(app, sid)
    assert call.priority == 2 and call.left_queue_at is not None
    # The queue keeps milliseconds.
    assert abs((call.virtual_start_at - call.wanted_agent_at).total_seconds()) < 0.001
    assert desk_for(app).acd.waiting_count() == 0


def test_a_failed_twilio_queue_apologises_and_asks_about_a_callback(
    app: Flask, twilio: TwilioSigner
) -> None:
    """queue-full or error: the caller hears why, keeps their place, and is asked (not assumed)."""
    open_desk(app)
    add_agent(app, "alice")
    sid = add_call(app, 1, authenticated=True)
    post(twilio, "/voice/queue/join", sid)
    root = post(twilio, "/voice/queue/left", sid, QueueResult="queue-full")
    assert verbs(root) == ["Say", "Redirect"]
    assert "could not keep you in the queue" in spoken(root)
    target = urlsplit(root.find("Redirect").text)
    assert (target.path, target.query) == ("/voice/callback/offer", "reason=queue_problem")
    assert call_row(app, sid).left_queue_at is not None
    assert desk_for(app).acd.waiting_count() == 0


def test_other_keys_keep_holding(app: Flask, twilio: TwilioSigner) -> None:
    """Any key but 1 goes back to the hold loop, still queued."""
    open_desk(app)
    add_agent(app, "alice")
    sid = add_call(app, 1)
    post(twilio, "/voice/queue/join", sid)
    root = post(twilio, "/voice/queue/keypress", sid, Digits="5")
    assert urlsplit(root.find("Redirect").text).path == "/voice/queue/wait"
    assert desk_for(app).acd.position(f"call:{sid}") == 1


def test_hangup_in_queue_is_an_abandon(app: Flask, twilio: TwilioSigner) -> None:
    """QueueResult=hangup records the abandon with its position and wait."""
    open_desk(app)
    add_agent(app, "alice")
    first, second = add_call(app, 1), add_call(app, 2)
    post(twilio, "/voice/queue/join", first)
    post(twilio, "/voice/queue/join", second)
    post(twilio, "/voice/queue/left", second, QueueResult="hangup")
    call = call_row(app, second)
    assert call.outcome == "abandoned" and call.abandon_position == 2
    assert call.wait_seconds is not None and call.abandoned_at is not None


def test_system_error_is_an_abandon_not_a_live_caller(app: Flask, twilio: TwilioSigner) -> None:
    """QueueResult=system-error (hung up while being enqueued) is an abandon, with no offer."""
    open_desk(app)
    add_agent(app, "alice")
    sid = add_call(app, 1)
    post(twilio, "/voice/queue/join", sid)
    root = post(twilio, "/voice/queue/left", sid, QueueResult="system-error")
    assert verbs(root) == []
    call = call_row(app, sid)
    assert call.outcome == "abandoned" and call.left_queue_at is None
    assert desk_for(app).acd.entry(f"call:{sid}") == {}


def offered(port: RecordingPort) -> dict[str, str]:
    """Return the query of the last connect URL the caller was redirected to."""
    _sid, url = port.redirects[-1]
    assert urlsplit(url).path == "/voice/queue/connect"
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


def test_offer_whisper_answer_and_wrap_up(
    app: Flask, twilio: TwilioSigner, port: RecordingPort
) -> None:
    """The caller is redirected to a Dial with a whisper; answered, then the agent wraps up."""
    open_desk(app)
    agent = add_agent(app, "alice", skills=["domestic_abuse"])
    sid = add_call(app, 1, authenticated=True, enhanced=True, offence="Domestic abuse")
    post(twilio, "/voice/queue/join", sid)
    make_available(app, agent)
    query = offered(port)
    assert query["agent"] == str(agent)
    path = "?" + urlencode(query)
    dial = post(twilio, "/voice/queue/connect" + path, sid).find("Dial")
    client = dial.find("Client")
    assert client.text == "alice" and urlsplit(client.get("url")).path == "/voice/queue/whisper"
    whisper = spoken(post(twilio, "/voice/queue/whisper" + path, "CA" + "b" * 32))
    assert "Enhanced rights" in whisper and "Domestic abuse" in whisper
    assert "1 0 0 0 0 0 1 stroke 2 4" in whisper and "Identity checked" in whisper
    assert verbs(post(twilio, "/voice/queue/whisper" + path, "CA" + "c" * 32)) == ["Say", "Hangup"]
    bye = post(twilio, "/voice/queue/dialled" + path, sid, DialCallStatus="completed")
    assert verbs(bye) == ["Say", "Hangup"]
    assert desk_for(app).acd.agent(agent)["state"] == "wrap_up"
    call = call_row(app, sid)
    assert call.outcome == "answered" and call.agent_id == agent
    assert call.answered_at is not None and call.agent_ended_at is not None


def test_no_answer_goes_back_to_the_same_place(
    app: Flask, twilio: TwilioSigner, port: RecordingPort
) -> None:
    """An unanswered offer re-enqueues the caller ahead of later arrivals."""
    open_desk(app)
    agent = add_agent(app, "alice")
    sid = add_call(app, 1)
    post(twilio, "/voice/queue/join", sid)
    make_available(app, agent)
    query = offered(port)
    later = add_call(app, 2)
    post(twilio, "/voice/queue/join", later)
    path = "?" + urlencode(query)
    root = post(twilio, "/voice/queue/dialled" + path, sid, DialCallStatus="no-answer")
    assert verbs(root) == ["Say", "Enqueue"]
    acd = desk_for(app).acd
    assert acd.position(f"call:{sid}") == 1 and acd.position(f"call:{later}") == 2
    assert acd.agent(agent)["missed"] == "1"
    assert "no_answer" in [e.kind for e in call_row(app, sid).events]
