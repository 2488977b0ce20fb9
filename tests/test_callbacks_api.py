"""The callbacks JSON API, and the database guards that stop a callback being taken twice."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from accounts.models import AuditRecord
from api.auth import issue_token
from callbacks import queue_link
from callbacks.attempts import AttemptRefused, claim
from callbacks.dialer import requeue
from callbacks.models import CallbackAttempt, CallbackRequest
from callbacks.service import Policy, request_callback
from calls.models import Call
from core.clock import now
from devtools.demo import seed
from roster.models import Agent

VICTIM = "+447700900123"


def token(app: Flask, role: str) -> dict[str, str]:
    with app.extensions["helpline.sessionmaker"]() as session:
        secret = issue_token(session, role, role)
        session.commit()
    return {"Authorization": f"Bearer {secret}"}


def pending(app: Flask, number: str = VICTIM) -> int:
    """Create a pending, unauthenticated callback for `number`."""
    with app.extensions["helpline.sessionmaker"]() as session:
        seed(session)
        call = Call(call_sid="CA" + number[-6:].rjust(32, "0"), from_e164=number, started_at=now())
        session.add(call)
        session.flush()
        request = request_callback(session, call, number, True, now(), Policy()).request
        session.commit()
        return request.id


def test_list_needs_a_token_and_a_role(app: Flask, client: FlaskClient) -> None:
    """No token is 401, an integration token is 403, an agent token lists callbacks."""
    callback_id = pending(app)
    assert client.get("/api/callbacks").status_code == 401
    assert client.get("/api/callbacks", headers=token(app, "integration")).status_code == 403
    body = client.get("/api/callbacks?state=pending", headers=token(app, "agent")).get_json()
    assert [c["id"] for c in body["callbacks"]] == [callback_id]
    assert body["callbacks"][0]["phone"].endswith("123")
    assert "+44" not in body["callbacks"][0]["phone"]


def test_list_refuses_an_unknown_state(app: Flask, client: FlaskClient) -> None:
    """A state filter outside the vocabulary is a 400 that says which states exist."""
    reply = client.get("/api/callbacks?state=lost", headers=token(app, "supervisor"))
    assert reply.status_code == 400
    assert "pending" in reply.get_json()["error"]


def test_reschedule_moves_the_earliest_time(app: Flask, client: FlaskClient) -> None:
    """Rescheduling sets not_before, leaves the queue until then, and is audited."""
    callback_id = pending(app)
    with app.app_context(), app.extensions["helpline.sessionmaker"]() as session:
        assert requeue(app, session, session.get(CallbackRequest, callback_id))
        session.commit()
    assert callback_id in queue_link.queued_ids(app)
    later = (now() + dt.timedelta(hours=2)).isoformat()
    reply = client.post(
        f"/api/callbacks/{callback_id}/reschedule",
        json={"not_before": later},
        headers=token(app, "supervisor"),
    )
    assert reply.status_code == 200, reply.get_json()
    assert dt.datetime.fromisoformat(reply.get_json()["not_before"]) > now()
    assert callback_id not in queue_link.queued_ids(app)
    with app.extensions["helpline.sessionmaker"]() as session:
        actions = session.scalars(select(AuditRecord.action)).all()
        assert "callback_rescheduled" in actions


def test_reschedule_bad_input_says_why(app: Flask, client: FlaskClient) -> None:
    """Missing, naive, unparseable or too-late times are 422; unknown ids 404."""
    callback_id = pending(app)
    headers = token(app, "agent")
    path = f"/api/callbacks/{callback_id}/reschedule"
    for body in ({}, {"not_before": "tomorrow"}, {"not_before": "2030-01-01T10:00:00"}):
        reply = client.post(path, json=body, headers=headers)
        assert reply.status_code == 422 and reply.get_json()["error"]
    too_late = (now() + dt.timedelta(days=30)).isoformat()
    assert client.post(path, json={"not_before": too_late}, headers=headers).status_code == 422
    assert client.post("/api/callbacks/999/reschedule", json={}, headers=headers).status_code == 404


def test_cancel_closes_and_a_second_cancel_conflicts(app: Flask, client: FlaskClient) -> None:
    """Cancel ends an open callback with a record; cancelling again is a 409."""
    callback_id = pending(app)
    headers = token(app, "supervisor")
    reply = client.post(f"/api/callbacks/{callback_id}/cancel", headers=headers)
    assert reply.status_code == 200
    assert reply.get_json()["state"] == "cancelled"
    again = client.post(f"/api/callbacks/{callback_id}/cancel", headers=headers)
    assert again.status_code == 409
    reschedule = client.post(
        f"/api/callbacks/{callback_id}/reschedule",
        json={"not_before": now().isoformat()},
        headers=headers,
    )
    assert reschedule.status_code == 409


def test_openapi_documents_the_callbacks_api(client: FlaskClient) -> None:
    """The OpenAPI document lists the three callback operations and the Callback schema."""
    document = client.get("/api/openapi.json").get_json()
    assert "get" in document["paths"]["/api/callbacks"]
    assert "post" in document["paths"]["/api/callbacks/{callback_id}/cancel"]
    assert "post" in document["paths"]["/api/callbacks/{callback_id}/reschedule"]
    assert "Callback" in document["components"]["schemas"]


def test_only_one_of_many_racing_workers_claims_a_callback(app: Flask) -> None:
    """Eight threads claiming the same callback at once: exactly one attempt is opened."""
    callback_id = pending(app)
    with app.extensions["helpline.sessionmaker"]() as session:
        agent_id = session.scalar(select(Agent.id).where(Agent.client_identity == "alice"))
    barrier = threading.Barrier(8)
    outcomes: list[Any] = []

    def race() -> None:
        with app.extensions["helpline.sessionmaker"]() as session:
            barrier.wait()
            try:
                claim(session, callback_id, agent_id, now())
                session.commit()
                outcomes.append("claimed")
            except AttemptRefused:
                session.rollback()
                outcomes.append("refused")
            except Exception as exc:
                outcomes.append(exc)

    threads = [threading.Thread(target=race) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["claimed"] + ["refused"] * 7
    with app.extensions["helpline.sessionmaker"]() as session:
        attempts = session.scalars(select(CallbackAttempt)).all()
        assert len(attempts) == 1
        assert session.get(CallbackRequest, callback_id).state == "in_progress"


def test_racing_requests_from_one_victim_leave_one_open_callback(app: Flask) -> None:
    """Six simultaneous requests for the same number end as one open callback, updated."""
    with app.extensions["helpline.sessionmaker"]() as session:
        seed(session)
        calls = [Call(call_sid=f"CA{n:032x}", from_e164=VICTIM, started_at=now()) for n in range(6)]
        session.add_all(calls)
        session.commit()
        ids = [c.id for c in calls]
    barrier = threading.Barrier(6)
    errors: list[BaseException] = []

    def request(call_id: int) -> None:
        try:
            with app.extensions["helpline.sessionmaker"]() as session:
                call = session.get(Call, call_id)
                barrier.wait()
                request_callback(session, call, VICTIM, False, now(), Policy())
                session.commit()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=request, args=(i,)) for i in ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    with app.extensions["helpline.sessionmaker"]() as session:
        rows = session.scalars(select(CallbackRequest)).all()
    assert (len(rows), errors) == (1, [])
