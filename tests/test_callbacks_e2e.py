"""Callbacks end to end through the Twilio emulator: agent first, retries, voicemail, durability."""

from __future__ import annotations

import contextlib
import datetime as dt
import itertools
import os
import signal
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
from flask import Flask
from sqlalchemy import select

from accounts.models import AuditRecord
from callbacks import prompts, queue_link
from callbacks.dialer import requeue as run_requeue
from callbacks.dialer import run_attempt
from callbacks.jobs import reconcile_now
from callbacks.models import CallbackAttempt, CallbackRequest
from callbacks.responses import OFFER_URL
from callbacks.service import Policy, request_callback
from calls.models import Call
from cases.models import Case
from core.clock import now
from devtools.demo import seed
from prompts import catalogue
from queueing.desk import desk_for
from roster.models import Agent
from tests.acd_helpers import make_available
from tests.conftest import shuffle_status_callbacks
from tests.live import LiveServer, WorkerProcess

emulator = pytest.importorskip("emulator")
Caller, Emulator, Party = emulator.Caller, emulator.Emulator, emulator.Party
pytestmark = pytest.mark.slow
VICTIM = "+447700900123"


@pytest.fixture
def config(config: dict[str, Any]) -> dict[str, Any]:
    """Scale the callback timings down so retries and sweeps happen within seconds."""
    return config | {
        "CALLBACK_RETRY_SECONDS": 2,
        "CALLBACK_RECONCILE_SECONDS": 1,
        "CALLBACK_STALE_ATTEMPT_SECONDS": 3,
        "CALLBACK_AGENT_RING_SECONDS": 30,
        "CALLBACK_VICTIM_RING_SECONDS": 30,
        "ACD_WRAP_UP_SECONDS": 0,
    }


@pytest.fixture
def offer_phone(app: Flask, live: LiveServer, request: pytest.FixtureRequest) -> Iterator[Any]:
    """An emulator whose inbound calls land on the offer URL, as the IVR's redirect does."""
    emu = Emulator(
        helpline_url=live.url,
        account_sid=app.config["TWILIO_ACCOUNT_SID"],
        auth_token=app.config["TWILIO_AUTH_TOKEN"],
        helpline_number=app.config["HELPLINE_NUMBER"],
        voice_path=OFFER_URL,
        time_scale=float(os.environ.get("HELPLINE_TEST_TIME_SCALE", "0.02")),
        shuffle_status_callbacks=shuffle_status_callbacks(request.node.nodeid),
    )
    emu.start()
    app.config["TWILIO_API_BASE_URL"] = emu.base_url
    app.extensions.pop("helpline.twilio", None)
    yield emu
    emu.stop()
    assert emu.faults == [], f"the emulator recorded faults: {emu.faults}"


def db(app: Flask) -> Any:
    return app.extensions["helpline.sessionmaker"]()


def agent_id(app: Flask, identity: str = "alice") -> int:
    with db(app) as session:
        return session.scalar(select(Agent.id).where(Agent.client_identity == identity))


def pending_callback(
    app: Flask, safe: bool = True, reference: str = "1234567/24", **overrides: Any
) -> int:
    """Create a pending callback for a demo case as the offer conversation would."""
    with db(app) as session:
        seed(session)
        case = session.scalar(select(Case).where(Case.crime_reference == reference))
        call = Call(
            call_sid="CA" + os.urandom(16).hex(),
            from_e164=VICTIM,
            started_at=now() - dt.timedelta(minutes=5),
            authenticated=True,
            case_id=case.id,
        )
        session.add(call)
        session.flush()
        request = request_callback(session, call, VICTIM, safe, now(), Policy()).request
        for name, value in overrides.items():
            setattr(request, name, value)
        session.commit()
        return request.id


def load(app: Flask, callback_id: int) -> CallbackRequest:
    with db(app) as session:
        return session.get(CallbackRequest, callback_id)


def attempts(app: Flask, callback_id: int) -> list[CallbackAttempt]:
    with db(app) as session:
        return list(
            session.scalars(
                select(CallbackAttempt)
                .where(CallbackAttempt.callback_id == callback_id)
                .order_by(CallbackAttempt.number)
            )
        )


def eventually(check: Callable[[], Any], timeout: float = 40.0) -> Any:
    """Poll until check() is truthy; fail with its last value."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value or time.monotonic() > deadline:
            assert value, "condition not met in time"
            return value
        time.sleep(0.05)


def calls_to(phone: Any, number: str) -> list[Any]:
    return [c for c in list(phone.calls.values()) if c.to == number]


def kill_hard(worker: WorkerProcess) -> None:
    """SIGKILL the worker and its RQ scheduler child, as a crashed machine would."""
    pid = worker.process.pid
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    worker.process.kill()
    worker.process.wait(timeout=10)
    for child in children:
        with contextlib.suppress(ProcessLookupError):
            os.kill(int(child), signal.SIGKILL)


def start(app: Flask, callback_id: int, identity: str = "alice") -> int | None:
    """Do what the ACD does on dispatch: hand the callback and a reserved agent to the seam."""
    with app.app_context(), db(app) as session:
        return run_attempt(app, session, callback_id, agent_id(app, identity), None)


def test_agent_is_called_first_with_a_whisper_then_the_victim(app: Flask, phone: Any) -> None:
    """The agent hears the case and the reason, then the victim is dialled and they meet."""
    callback_id = pending_callback(app)
    phone.add_party("client:alice", Party(answer_after=1, talk_for=600))
    phone.add_party(VICTIM, Party(answer_after=2, talk_for=60))
    start(app, callback_id)
    eventually(lambda: load(app, callback_id).state == "completed")
    [agent_leg] = calls_to(phone, "client:alice")
    assert any("1234567/24" in text for text in agent_leg.said())
    [victim_leg] = eventually(lambda: calls_to(phone, VICTIM))
    eventually(lambda: victim_leg.entries("bridged"))
    # Greeted at once in neutral words while detection runs, then told who is calling.
    assert victim_leg.said() == [
        prompts.text("en-GB", "victim_hold"),
        prompts.text("en-GB", "victim_intro", helpline=app.config["HELPLINE_NAME"]),
    ]
    creates = [e for e in phone.rest_log if e.get("method") == "POST" and "Calls.json" in e["path"]]
    assert [e["params"]["To"] for e in creates][:2] == ["client:alice", VICTIM]
    assert creates[1]["params"].get("MachineDetection") == "DetectMessageEnd"
    assert creates[1]["params"].get("AsyncAmd") == "true"
    [attempt] = attempts(app, callback_id)
    assert (attempt.result, attempt.answered_by) == ("connected", "human")
    assert load(app, callback_id).attempts == 1


def test_victim_is_never_dialled_if_the_agent_does_not_answer(app: Flask, phone: Any) -> None:
    """An agent who does not answer sends the callback back to its place, no attempt used."""
    callback_id = pending_callback(app)
    phone.add_party("client:alice", Party(never_answer=True))
    phone.add_party(VICTIM, Party(answer_after=1))
    start(app, callback_id)
    eventually(lambda: attempts(app, callback_id)[0].stage == "done")
    request = load(app, callback_id)
    assert (request.state, request.attempts, request.agent_id) == ("pending", 0, None)
    assert attempts(app, callback_id)[0].result == "agent_no-answer"
    assert calls_to(phone, VICTIM) == []


def note(key: str) -> str:
    return catalogue("en-GB").text(key)


def test_voicemail_with_permission_completes_the_callback(app: Flask, phone: Any) -> None:
    """A machine where a message is allowed: the neutral message is left; the callback is done."""
    callback_id = pending_callback(app, safe=True)
    phone.add_party("client:alice", Party(answer_after=1, talk_for=600))
    phone.add_party(VICTIM, Party(answer_after=1, talk_for=600, machine=True))
    start(app, callback_id)
    [victim_leg] = eventually(lambda: calls_to(phone, VICTIM))
    eventually(lambda: victim_leg.ended)
    # The neutral message is recorded whole, after the beep; nothing but the neutral hold line
    # (normally lost under the greeting) ever reaches the box.
    message, hold = prompts.text("en-GB", "voicemail"), prompts.text("en-GB", "victim_hold")
    assert victim_leg.voicemail()[-1:] == [message]
    assert set(victim_leg.voicemail()[:-1]) <= {hold}
    assert message not in victim_leg.said_over_greeting()
    request = eventually(lambda: (r := load(app, callback_id)).state == "completed" and r)
    assert (request.finish_reason, request.attempts, request.next_attempt_at) == (
        "voicemail",
        1,
        None,
    )
    assert (attempts(app, callback_id)[0].result, attempts(app, callback_id)[0].answered_by) == (
        "voicemail",
        "machine_end_beep",
    )
    with db(app) as session:
        actions = session.scalars(select(AuditRecord.action)).all()
        assert "callback_completed" in actions
    [agent_leg] = calls_to(phone, "client:alice")
    eventually(lambda: agent_leg.ended)
    # Told briefly and hung up, long before the 600 s the agent would have waited.
    assert agent_leg.said()[-1] == note("whisper.callback_voicemail")
    assert agent_leg.duration() < 120


def test_voicemail_without_permission_hangs_up_and_retries(app: Flask, phone: Any) -> None:
    """A machine, where no message is allowed: silence, an attempt used and a retry scheduled."""
    callback_id = pending_callback(app, safe=False)
    phone.add_party("client:alice", Party(answer_after=1, talk_for=600))
    phone.add_party(VICTIM, Party(answer_after=1, talk_for=600, machine=True))
    start(app, callback_id)
    [victim_leg] = eventually(lambda: calls_to(phone, VICTIM))
    eventually(lambda: victim_leg.ended)
    # No message: the only words are the neutral "one moment", said as the phone answered
    # (normally lost under the machine's own greeting).
    assert victim_leg.said() == [prompts.text("en-GB", "victim_hold")]
    request = eventually(lambda: (r := load(app, callback_id)).state == "pending" and r)
    assert (request.attempts, request.next_attempt_at is not None) == (1, True)
    [attempt] = attempts(app, callback_id)
    assert (attempt.result, attempt.answered_by) == ("machine", "machine_end_beep")
    [agent_leg] = calls_to(phone, "client:alice")
    eventually(lambda: agent_leg.ended)
    assert agent_leg.said()[-2:] == [
        note("whisper.callback_machine"),
        note("whisper.callback_retry"),
    ]
    assert agent_leg.duration() < 120


@pytest.mark.parametrize(
    ("party", "answered_by"),
    [
        (Party(answer_after=1, fax=True), "fax"),
        (Party(answer_after=1, talk_for=120, silent=True), "unknown"),
    ],
)
def test_fax_or_undecided_is_a_failed_attempt(
    app: Flask, phone: Any, party: Any, answered_by: str
) -> None:
    """A fax, or a result detection could not decide, uses the attempt: no message, a retry."""
    callback_id = pending_callback(app, safe=True)
    phone.add_party("client:alice", Party(answer_after=1, talk_for=600))
    phone.add_party(VICTIM, party)
    start(app, callback_id)
    [victim_leg] = eventually(lambda: calls_to(phone, VICTIM))
    eventually(lambda: victim_leg.ended)
    # At most the neutral greeting: a result that beats the leg's first request hangs up first.
    assert victim_leg.said() in ([], [prompts.text("en-GB", "victim_hold")])
    request = eventually(lambda: (r := load(app, callback_id)).state == "pending" and r)
    assert (request.attempts, request.next_attempt_at is not None) == (1, True)
    [attempt] = attempts(app, callback_id)
    assert (attempt.result, attempt.answered_by) == (answered_by, answered_by)
    [agent_leg] = calls_to(phone, "client:alice")
    eventually(lambda: agent_leg.ended)
    assert agent_leg.said()[-2:] == [
        note(f"whisper.callback_{answered_by}"),
        note("whisper.callback_retry"),
    ]


def test_voicemail_without_permission_is_retried_later(
    app: Flask, phone: Any, worker: WorkerProcess
) -> None:
    """Through the worker: a machine with no permission is called again after the retry gap."""
    phone.add_party("client:alice", Party(answer_after=1, talk_for=600))
    phone.add_party(VICTIM, Party(answer_after=1, talk_for=600, machine=True, greeting_seconds=4))
    callback_id = pending_callback(app, safe=False)
    make_available(app, agent_id(app))
    eventually(lambda: len(calls_to(phone, VICTIM)) >= 2, timeout=90)
    tries = eventually(lambda: [a for a in attempts(app, callback_id) if a.victim_dialled_at][:2])
    assert tries[0].result == "machine"
    gap = (tries[1].victim_dialled_at - tries[0].finished_at).total_seconds()
    assert gap >= app.config["CALLBACK_RETRY_SECONDS"] - 0.01
    message = prompts.text("en-GB", "voicemail")
    assert all(message not in leg.said() for leg in calls_to(phone, VICTIM))


def test_voicemail_without_permission_on_the_last_attempt_fails(app: Flask, phone: Any) -> None:
    """After the last retry a machine with no permission ends the callback as failed."""
    callback_id = pending_callback(app, safe=False, attempts=2)
    phone.add_party("client:alice", Party(answer_after=1, talk_for=600))
    phone.add_party(VICTIM, Party(answer_after=1, talk_for=600, machine=True))
    start(app, callback_id)
    request = eventually(lambda: (r := load(app, callback_id)).state == "failed" and r)
    assert request.attempts == 3
    [agent_leg] = calls_to(phone, "client:alice")
    eventually(lambda: agent_leg.ended)
    assert agent_leg.said()[-1] == note("whisper.callback_failed")


def test_agent_is_free_again_soon_after_a_voicemail(
    app: Flask, phone: Any, worker: WorkerProcess
) -> None:
    """Through the ACD: once the message is left the agent's offer settles; they are available."""
    phone.add_party("client:alice", Party(answer_after=1, talk_for=600))
    phone.add_party(VICTIM, Party(answer_after=1, talk_for=600, machine=True))
    callback_id = pending_callback(app, safe=True)
    alice = agent_id(app)
    make_available(app, alice)
    eventually(lambda: load(app, callback_id).state == "completed", timeout=30)
    [agent_leg] = eventually(lambda: calls_to(phone, "client:alice"))
    eventually(lambda: agent_leg.ended)
    eventually(lambda: desk_for(app).acd.agent(alice).get("state") == "available", timeout=10)
    assert agent_leg.duration() < 120


def test_agent_hanging_up_while_the_victim_rings_gives_the_attempt_back(
    app: Flask, phone: Any
) -> None:
    """The agent leaves before the victim answers: the ringing leg is cancelled, no try is used."""
    app.config["CALLBACK_VICTIM_RING_SECONDS"] = 120  # still ringing when the agent leaves
    callback_id = pending_callback(app)
    before = load(app, callback_id)
    phone.add_party("client:alice", Party(answer_after=1, talk_for=10))
    phone.add_party(VICTIM, Party(answer_after=600))
    start(app, callback_id)
    [victim_leg] = eventually(lambda: calls_to(phone, VICTIM))
    eventually(lambda: victim_leg.ended)
    assert victim_leg.status == "canceled"  # cancelled while ringing, never answered
    assert victim_leg.said() == []
    request = eventually(lambda: (r := load(app, callback_id)).state == "pending" and r)
    assert (request.attempts, request.next_attempt_at, request.agent_id) == (0, None, None)
    assert (request.priority, request.virtual_start_at) == (
        before.priority,
        before.virtual_start_at,
    )
    assert attempts(app, callback_id)[0].result == "agent_left"
    with app.app_context(), db(app) as session:
        assert run_requeue(app, session, session.get(CallbackRequest, callback_id))
        session.commit()
    assert desk_for(app).acd.position(queue_link.entry_id(callback_id)) == 1


def test_retries_are_spaced_and_then_the_callback_fails(
    app: Flask, phone: Any, worker: WorkerProcess
) -> None:
    """No answer: two retries at least CALLBACK_RETRY_SECONDS apart, then failed and audited."""
    phone.add_party("client:alice", Party(answer_after=1, talk_for=600))
    phone.add_party(VICTIM, Party(never_answer=True))
    callback_id = pending_callback(app)
    make_available(app, agent_id(app))
    eventually(lambda: load(app, callback_id).state == "failed", timeout=90)
    tries = [a for a in attempts(app, callback_id) if a.victim_dialled_at]
    assert [a.result for a in tries] == ["no-answer"] * 3
    gaps = [
        (b.victim_dialled_at - a.victim_dialled_at).total_seconds()
        for a, b in itertools.pairwise(tries)
    ]
    assert all(gap >= 2 for gap in gaps), gaps
    assert len(calls_to(phone, VICTIM)) == 3
    with db(app) as session:
        record = session.scalar(select(AuditRecord).where(AuditRecord.action == "callback_failed"))
        assert record is not None and record.entity_id == str(callback_id)


def finished_jobs(app: Flask, name: str) -> list[Any]:
    """Return the worker's finished RQ jobs running `name`, oldest first."""
    from rq.job import Job
    from rq.registry import FinishedJobRegistry

    from core.jobs import queue
    from core.redis_conn import get_raw_redis

    ids = FinishedJobRegistry(queue=queue(app)).get_job_ids()
    jobs = Job.fetch_many(ids, connection=get_raw_redis(app))
    found = [j for j in jobs if j is not None and j.func_name == name and j.enqueued_at]
    return sorted(found, key=lambda j: j.enqueued_at)


def utc(at: dt.datetime) -> dt.datetime:
    return at.replace(tzinfo=dt.UTC) if at.tzinfo is None else at


def test_retries_fire_on_time_without_the_reconcile_job(app: Flask, phone: Any) -> None:
    """With no reconcile pass to fall back on, each retry is back in the queue and offered to
    an agent within 2 s of falling due (RQ may run its scheduled job a second early).

    The offer is the moment the requeue job enqueued the attempt job; time the requeue job
    spent waiting behind other jobs for a busy worker is the machine's, not the schedule's,
    and is not counted.
    """
    app.config["CALLBACK_RECONCILE_SECONDS"] = 3600  # one pass at start-up, then none
    app.config["CALLBACK_RETRY_SECONDS"] = 3
    phone.add_party("client:alice", Party(answer_after=0.5, talk_for=600))
    phone.add_party(VICTIM, Party(never_answer=True))
    worker = WorkerProcess(dict(app.config))
    try:
        callback_id = pending_callback(app)
        make_available(app, agent_id(app))
        eventually(lambda: load(app, callback_id).state == "failed", timeout=90)
        eventually(lambda: len(finished_jobs(app, "callbacks.jobs.attempt")) == 3)
        offers = finished_jobs(app, "callbacks.jobs.attempt")
        requeues = finished_jobs(app, "callbacks.jobs.requeue")
    finally:
        worker.stop()
    tries = attempts(app, callback_id)
    for settled, offer in zip(tries[:2], offers[1:], strict=True):
        due = settled.finished_at + dt.timedelta(seconds=3)
        offered = utc(offer.enqueued_at)
        [job] = [j for j in requeues if utc(j.started_at) <= offered <= utc(j.ended_at)]
        waited_for_worker = (utc(job.started_at) - utc(job.enqueued_at)).total_seconds()
        late = (offered - due).total_seconds()
        assert late >= 0, late  # never before it is due
        assert late - max(waited_for_worker, 0) <= 2, (late, waited_for_worker)


def test_pending_callback_expires_with_a_record(app: Flask) -> None:
    """A callback still pending after its deadline is expired and leaves an audit record."""
    callback_id = pending_callback(app, expires_at=now() - dt.timedelta(seconds=1))
    with app.app_context():
        counts = reconcile_now(app)
    assert counts["expired"] == 1
    request = load(app, callback_id)
    assert (request.state, request.finished_at is not None) == ("expired", True)
    with db(app) as session:
        actions = session.scalars(select(AuditRecord.action)).all()
        assert "callback_expired" in actions
    assert queue_link.queued_ids(app) == set()


def test_flushed_redis_is_rebuilt_and_the_callback_happens_once(
    app: Flask, phone: Any, worker: WorkerProcess
) -> None:
    """With Redis flushed before any job ran, reconciliation re-queues and calls exactly once."""
    phone.add_party("client:alice", Party(answer_after=1, talk_for=600))
    phone.add_party(VICTIM, Party(answer_after=1, talk_for=60))
    callback_id = pending_callback(app)
    make_available(app, agent_id(app))
    redis.Redis.from_url(app.config["REDIS_URL"]).flushdb()
    make_available(app, agent_id(app))  # agents log in again after Redis is lost
    eventually(lambda: load(app, callback_id).state == "completed", timeout=30)
    time.sleep(2.5)  # a few more sweeps: none may dial again
    assert len(calls_to(phone, VICTIM)) == 1
    assert [a.result for a in attempts(app, callback_id)] == ["connected"]


def test_worker_killed_mid_attempt_and_redis_flushed(app: Flask, phone: Any) -> None:
    """Kill the worker while the agent rings and flush Redis: the callback happens exactly once."""
    app.config["CALLBACK_AGENT_RING_SECONDS"] = 600  # the agent answers after 150
    app.config["CALLBACK_STALE_ATTEMPT_SECONDS"] = 60
    phone.add_party("client:alice", Party(answer_after=150, talk_for=900))
    phone.add_party(VICTIM, Party(answer_after=1, talk_for=60))
    first = WorkerProcess(dict(app.config))
    try:
        callback_id = pending_callback(app)
        make_available(app, agent_id(app))
        eventually(lambda: (a := attempts(app, callback_id)) and a[0].agent_call_sid)
        kill_hard(first)
        assert attempts(app, callback_id)[0].stage == "agent_ringing"
    finally:
        first.stop()
    redis.Redis.from_url(app.config["REDIS_URL"]).flushdb()
    make_available(app, agent_id(app))  # agents log in again after Redis is lost
    second = WorkerProcess(dict(app.config))
    try:
        eventually(lambda: load(app, callback_id).state == "completed", timeout=30)
        time.sleep(2.5)
    finally:
        second.stop()
    assert len(calls_to(phone, VICTIM)) == 1
    assert [a.result for a in attempts(app, callback_id)] == ["connected"]


def test_lost_job_after_claim_is_released_and_retried(
    app: Flask, phone: Any, worker: WorkerProcess
) -> None:
    """A claim whose job died before ringing anyone is released by the sweep and served once."""
    phone.add_party("client:alice", Party(answer_after=1, talk_for=600))
    phone.add_party(VICTIM, Party(answer_after=1, talk_for=60))
    callback_id = pending_callback(app)
    make_available(app, agent_id(app))
    with db(app) as session:
        from callbacks.attempts import claim

        claim(session, callback_id, agent_id(app, "bob"), now() - dt.timedelta(seconds=10))
        session.commit()
    eventually(lambda: load(app, callback_id).state == "completed", timeout=30)
    results = [a.result for a in attempts(app, callback_id)]
    assert results == ["agent_lost", "connected"]
    assert len(calls_to(phone, VICTIM)) == 1


def test_offer_conversation_then_callback(
    app: Flask, offer_phone: Any, worker: WorkerProcess
) -> None:
    """A caller confirms their number and safety by keypad, hangs up, and is called back."""
    with db(app) as session:
        seed(session)
        session.commit()
    make_available(app, agent_id(app))
    offer_phone.add_party("client:alice", Party(answer_after=1, talk_for=600))
    offer_phone.add_party(VICTIM, Party(answer_after=1, talk_for=60))
    call = offer_phone.dial(from_=VICTIM, caller=Caller.scripted(["1", "2"]))
    assert call.wait(timeout=20)
    assert call.said()[-1] == prompts.text("en-GB", "goodbye")
    eventually(lambda: calls_to(offer_phone, VICTIM), timeout=20)
    with db(app) as session:
        request = eventually(lambda: session.scalar(select(CallbackRequest)))
    eventually(lambda: load(app, request.id).state == "completed", timeout=20)
    assert load(app, request.id).safe_to_leave_message is False


def test_callback_keeps_its_place_ahead_of_a_later_live_caller(
    app: Flask, phone: Any, worker: WorkerProcess
) -> None:
    """A callback asked for at minute 1 is served before a caller who joined at minute 2."""
    from tests.test_acd_e2e import dial, stand_in_ivr

    stand_in_ivr(app)
    callback_id = pending_callback(
        app,
        reference="3456789/24",
        priority=1,
        virtual_start_at=now() - dt.timedelta(minutes=1),
    )
    phone.add_party("client:alice", Party(answer_after=1, talk_for=60))
    phone.add_party(VICTIM, Party(answer_after=1, talk_for=60))
    live_caller = dial(phone, "+447700900001")  # unauthenticated: priority 1 as well
    desk = desk_for(app)
    entry = queue_link.entry_id(callback_id)
    eventually(lambda: desk.acd.position(entry) == 1 and desk.acd.waiting_count() == 2)
    assert desk.acd.position(f"call:{live_caller.sid}") == 2
    make_available(app, agent_id(app))
    eventually(lambda: load(app, callback_id).state == "completed")
    with db(app) as session:
        live = eventually(
            lambda: session.scalar(
                select(Call).where(Call.call_sid == live_caller.sid, Call.answered_at.is_not(None))
            ),
            timeout=30,
        )
        [attempt] = attempts(app, callback_id)
        assert attempt.started_at < live.answered_at
    first_for_alice = min(calls_to(phone, "client:alice"), key=lambda c: c.transcript[0]["t"])
    assert first_for_alice.direction == "outbound-api"  # the callback's agent-first leg


def test_key_1_in_the_queue_becomes_a_callback_at_the_same_place(app: Flask, phone: Any) -> None:
    """Pressing 1 while queued leads through the offer; the callback inherits the call's place."""
    from tests.acd_helpers import open_desk
    from tests.test_acd_e2e import stand_in_ivr

    stand_in_ivr(app)
    open_desk(app)
    app.config.update(ACD_ANNOUNCE_SECONDS=0, ACD_HOLD_PAUSE_SECONDS=5)
    with db(app) as session:
        seed(session)  # agents on shift, none logged in: the caller waits
        session.commit()
    phone.voice_path = "/test/ivr"
    call = phone.dial(from_="+447700900001", caller=Caller.scripted(["1", "1", "2"]))
    assert call.wait(timeout=30)
    assert call.said()[-1] == prompts.text("en-GB", "goodbye")
    with db(app) as session:
        row = session.scalar(select(Call).where(Call.call_sid == call.sid))
        request = session.scalar(select(CallbackRequest))
        assert request is not None and row.left_queue_at is not None
        assert (request.priority, request.virtual_start_at) == (row.priority, row.virtual_start_at)
        assert (request.phone_e164, request.safe_to_leave_message) == ("+447700900001", False)
    assert desk_for(app).acd.position(queue_link.entry_id(request.id)) == 1


def test_closed_desk_offers_a_callback_for_the_next_opening(app: Flask, phone: Any) -> None:
    """At a closed desk the queue hands over to the offer, which books the next opening."""
    from tests.acd_helpers import open_desk
    from tests.test_acd_e2e import stand_in_ivr

    stand_in_ivr(app)
    with db(app) as session:
        seed(session)
        session.commit()
    open_desk(app, hours=(dt.time(3, 0), dt.time(3, 1)))
    phone.voice_path = "/test/ivr"
    # Yes to the offer (the caller did not ask for it), this number, safe to leave a message.
    call = phone.dial(from_="+447700900001", caller=Caller.scripted(["1", "1", "1"]))
    assert call.wait(timeout=30)
    assert prompts.text("en-GB", "ask_wanted") in call.said()
    closing = [line for line in call.said() if "call you back after we open" in line]
    assert closing and " at 3 am" in closing[0]
    with db(app) as session:
        request = session.scalar(select(CallbackRequest))
        assert request is not None and request.not_before > now()
    assert queue_link.queued_ids(app) == set()


def test_ivr_menu_to_callback_with_sms_then_the_call(
    app: Flask, phone: Any, worker: WorkerProcess
) -> None:
    """Authenticate in the IVR, press 4 for a callback, confirm; a text, then the call."""
    with db(app) as session:
        seed(session)
        case = session.scalar(select(Case).where(Case.crime_reference == "1234567/24"))
        case.victim.sms_allowed = True
        session.commit()
    make_available(app, agent_id(app))
    phone.add_party("client:alice", Party(answer_after=1, talk_for=600))
    phone.add_party(VICTIM, Party(answer_after=1, talk_for=60))
    script = ["1", "1", "1234567*24#", "01021980#", "4", "1", "1"]
    call = phone.dial(from_=VICTIM, caller=Caller.scripted(script))
    assert call.wait(timeout=30)
    assert prompts.text("en-GB", "sms_follows") in call.said()
    with db(app) as session:
        request = eventually(lambda: session.scalar(select(CallbackRequest)))
        assert (request.victim_key, request.sms_confirmation) == (f"case:{case.id}", True)
    eventually(lambda: load(app, request.id).state == "completed", timeout=30)
    [text] = eventually(lambda: list(phone.messages))
    assert text["to"] == VICTIM and "123" in text["body"] and "1234567" not in text["body"]
