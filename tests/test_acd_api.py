"""The ACD's JSON API: agents' own state, roster management and the queue snapshot."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from accounts.models import AuditRecord
from api.auth import issue_token
from queueing.desk import desk_for
from roster import editing
from roster.models import Agent, Shift
from tests.acd_helpers import add_agent, add_call, open_desk
from tests.twilio_signing import voice_params


def bearer(app: Flask, role: str, agent_id: int | None = None) -> dict[str, str]:
    """Headers with a fresh token for the role (and agent)."""
    with app.extensions["helpline.sessionmaker"]() as session:
        secret = issue_token(session, f"test-{role}", role, agent_id)
        session.commit()
    return {"Authorization": f"Bearer {secret}"}


def test_every_endpoint_needs_a_token(client: FlaskClient) -> None:
    """No token: 401 with a reason, on every ACD endpoint."""
    for method, path in (
        ("get", "/api/agents/me"),
        ("post", "/api/agents/me/available"),
        ("post", "/api/agents/me/wrap-up/finish"),
        ("post", "/api/agents/1/state"),
        ("get", "/api/queue"),
        ("get", "/api/agents"),
        ("post", "/api/agents"),
        ("patch", "/api/agents/1"),
        ("post", "/api/agents/1/shifts"),
        ("delete", "/api/shifts/1"),
        ("get", "/api/skills"),
    ):
        response = getattr(client, method)(path, json={})
        assert response.status_code == 401, path
        assert response.get_json()["error"]


def test_roles_are_enforced(app: Flask, client: FlaskClient) -> None:
    """Agents cannot manage the roster; an agent token without an agent cannot act as one."""
    agent = add_agent(app, "alice")
    assert client.get("/api/agents", headers=bearer(app, "agent", agent)).status_code == 403
    assert client.get("/api/queue", headers=bearer(app, "agent", agent)).status_code == 403
    response = client.post("/api/agents/me/available", headers=bearer(app, "agent"))
    assert response.status_code == 403
    assert client.get("/api/agents/me", headers=bearer(app, "supervisor")).status_code == 403


def test_integration_tokens_have_no_roster_rights(app: Flask, client: FlaskClient) -> None:
    """A records-system token can neither read nor change agents and shifts (e.g. a phone)."""
    agent = add_agent(app, "alice")
    headers = bearer(app, "integration")
    for method, path, body in (
        ("get", "/api/agents", None),
        ("get", f"/api/agents/{agent}", None),
        ("patch", f"/api/agents/{agent}", {"phone": "+447700900999"}),
        ("post", "/api/agents", {"name": "mallory", "phone": "+447700900999"}),
        ("get", f"/api/agents/{agent}/shifts", None),
        ("post", f"/api/agents/{agent}/shifts", {"weekday": 0, "starts": "08:00", "ends": "12:00"}),
        ("delete", "/api/shifts/1", None),
        ("get", "/api/skills", None),
    ):
        response = getattr(client, method)(path, json=body, headers=headers)
        assert response.status_code == 403, (method, path)
    with app.extensions["helpline.sessionmaker"]() as session:
        assert session.get(Agent, agent).phone_e164 != "+447700900999"  # type: ignore[union-attr]


def test_supervisor_state_change_needs_a_known_string_action(
    app: Flask, client: FlaskClient
) -> None:
    """A non-string or unknown action is a 422 with a reason, never a 500."""
    agent = add_agent(app, "alice")
    headers = bearer(app, "supervisor")
    for action in (["available"], {"a": 1}, 3, None, "dance"):
        response = client.post(
            f"/api/agents/{agent}/state", json={"action": action}, headers=headers
        )
        assert response.status_code == 422, action
        assert response.get_json()["details"][0]["field"] == "action"


def test_agent_logs_in_breaks_and_logs_out(app: Flask, client: FlaskClient) -> None:
    """An agent changes only their own state, and sees it."""
    agent = add_agent(app, "alice")
    headers = bearer(app, "agent", agent)
    response = client.post("/api/agents/me/available", headers=headers)
    assert response.status_code == 200
    assert response.get_json()["state"] == "available" and response.get_json()["on_shift"]
    assert client.post("/api/agents/me/break", headers=headers).get_json()["state"] == "break"
    assert client.get("/api/agents/me", headers=headers).get_json()["state"] == "break"
    assert client.post("/api/agents/me/logout", headers=headers).get_json()["state"] == "logged_out"
    assert desk_for(app).acd.staffed() == 0


def test_off_shift_agent_cannot_go_available(app: Flask, client: FlaskClient) -> None:
    """Going available outside a shift is refused (409 with the reason); state is unchanged."""
    agent = add_agent(app, "olive", on_shift=False)
    headers = bearer(app, "agent", agent)
    response = client.post("/api/agents/me/available", headers=headers)
    assert response.status_code == 409
    assert "not on shift" in response.get_json()["error"]
    assert client.get("/api/agents/me", headers=headers).get_json()["state"] == "logged_out"
    assert desk_for(app).acd.staffed() == 0


def test_impossible_state_changes_get_409(app: Flask, client: FlaskClient) -> None:
    """Finishing a wrap-up that is not happening is a conflict with a reason."""
    agent = add_agent(app, "alice")
    headers = bearer(app, "agent", agent)
    client.post("/api/agents/me/available", headers=headers)
    response = client.post("/api/agents/me/wrap-up/finish", headers=headers)
    assert response.status_code == 409
    assert "available" in response.get_json()["error"]


def test_supervisor_manages_agents(app: Flask, client: FlaskClient) -> None:
    """Create, read and change an agent; the mirror follows skills and shifts."""
    headers = bearer(app, "supervisor")
    body = {
        "name": "Cara",
        "client_identity": "cara",
        "skills": ["hate_crime"],
        "languages": ["en-GB", "cy-GB"],
    }
    created = client.post("/api/agents", json=body, headers=headers)
    assert created.status_code == 201
    agent = created.get_json()["id"]
    assert created.get_json()["on_shift"] is False
    shift = {"weekday": 0, "starts": "08:00", "ends": "08:00"}
    assert (
        client.post(f"/api/agents/{agent}/shifts", json=shift, headers=headers).status_code == 422
    )
    for weekday in range(7):
        shift = {"weekday": weekday, "starts": "00:00", "ends": "00:00"}  # the whole day
        assert (
            client.post(f"/api/agents/{agent}/shifts", json=shift, headers=headers).status_code
            == 201
        )
    changed = client.patch(
        f"/api/agents/{agent}", json={"skills": ["domestic_abuse"]}, headers=headers
    )
    assert changed.status_code == 200 and changed.get_json()["skills"] == ["domestic_abuse"]
    caps = desk_for(app).acd.agent(agent)["caps"].split(",")
    assert "cy-GB|domestic_abuse" in caps and "en-GB|hate_crime" not in caps
    shifts = client.get(f"/api/agents/{agent}/shifts", headers=headers).get_json()["shifts"]
    assert len(shifts) == 7
    assert client.delete(f"/api/shifts/{shifts[0]['id']}", headers=headers).status_code == 204
    assert client.get(f"/api/agents/{agent}", headers=headers).get_json()["name"] == "Cara"
    assert "hate_crime" in client.get("/api/skills", headers=headers).get_json()["skills"]


def test_bad_agent_input_is_refused_with_reasons(app: Flask, client: FlaskClient) -> None:
    """Malformed bodies: 400; invalid values: 422 naming the field; duplicate: 409; unknown: 404."""
    headers = bearer(app, "supervisor")
    assert client.post("/api/agents", data="nope", headers=headers).status_code == 400
    unknown = client.post("/api/agents", json={"name": "X", "password": "p"}, headers=headers)
    assert unknown.status_code == 400 and "password" in unknown.get_json()["error"]
    bad = client.post(
        "/api/agents", json={"name": "", "phone": "123", "skills": "x"}, headers=headers
    )
    assert bad.status_code == 422
    assert {d["field"] for d in bad.get_json()["details"]} == {"name", "phone", "skills"}
    nowhere = client.post("/api/agents", json={"name": "X"}, headers=headers)
    assert nowhere.status_code == 422
    assert (
        client.post(
            "/api/agents", json={"name": "A", "client_identity": "a"}, headers=headers
        ).status_code
        == 201
    )
    dup = client.post("/api/agents", json={"name": "B", "client_identity": "a"}, headers=headers)
    assert dup.status_code == 409
    assert client.get("/api/agents/999", headers=headers).status_code == 404
    assert client.post("/api/agents/999/shifts", json={}, headers=headers).status_code == 404
    assert client.delete("/api/shifts/999", headers=headers).status_code == 404
    supervisor = bearer(app, "supervisor")
    assert (
        client.post("/api/agents/1/state", json={"action": "dance"}, headers=supervisor).status_code
        == 422
    )
    assert client.post("/api/agents/1/state", json=[], headers=supervisor).status_code == 400


def _agent_with_monday_morning(client: FlaskClient, headers: dict[str, str]) -> int:
    """Create an agent working Mondays 08:00-12:00 through the API; return their id."""
    created = client.post(
        "/api/agents", json={"name": "Dee", "client_identity": "dee"}, headers=headers
    )
    agent = int(created.get_json()["id"])
    morning = {"weekday": 0, "starts": "08:00", "ends": "12:00"}
    assert (
        client.post(f"/api/agents/{agent}/shifts", json=morning, headers=headers).status_code == 201
    )
    return agent


def test_shift_rules_match_the_console(app: Flask, client: FlaskClient) -> None:
    """End-before-start (no overnight shifts) and overlaps are refused with 422 and reasons."""
    headers = bearer(app, "supervisor")
    agent = _agent_with_monday_morning(client, headers)
    shifts = f"/api/agents/{agent}/shifts"
    overnight = client.post(
        shifts, json={"weekday": 1, "starts": "22:00", "ends": "06:00"}, headers=headers
    )
    assert overnight.status_code == 422
    assert overnight.get_json()["details"] == [
        {"field": "ends", "reason": "The shift must end after it starts (00:00 means midnight)."}
    ]
    overlap = client.post(
        shifts, json={"weekday": 0, "starts": "11:00", "ends": "15:00"}, headers=headers
    )
    assert overlap.status_code == 422
    assert overlap.get_json()["details"] == [
        {"field": "shift", "reason": "This overlaps the shift Monday 08:00-12:00."}
    ]
    adjacent = {"weekday": 0, "starts": "12:00", "ends": "16:00"}
    assert client.post(shifts, json=adjacent, headers=headers).status_code == 201
    leave = {"on_date": "2026-11-23", "kind": "leave", "starts": "09:00", "ends": "10:00"}
    assert client.post(shifts, json=leave, headers=headers).status_code == 201
    to_midnight = {"weekday": 2, "starts": "16:00", "ends": "00:00"}
    assert client.post(shifts, json=to_midnight, headers=headers).status_code == 201
    whole_day = {"weekday": 3, "starts": "00:00", "ends": "00:00"}
    assert client.post(shifts, json=whole_day, headers=headers).status_code == 201
    clash = {"weekday": 2, "starts": "23:00", "ends": "00:00"}
    assert client.post(shifts, json=clash, headers=headers).status_code == 422
    unreadable = client.post(shifts, json={"weekday": "Mon", "starts": "8am"}, headers=headers)
    assert {d["field"] for d in unreadable.get_json()["details"]} == {"weekday", "starts", "ends"}
    with app.extensions["helpline.sessionmaker"]() as session:
        assert len(session.scalars(select(Shift).where(Shift.agent_id == agent)).all()) == 5


def test_api_changes_are_audited_as_the_token(app: Flask, client: FlaskClient) -> None:
    """Creating and changing an agent and adding and removing a shift write api:<token> rows."""
    headers = bearer(app, "supervisor")
    agent = _agent_with_monday_morning(client, headers)
    client.patch(f"/api/agents/{agent}", json={"active": False}, headers=headers)
    [shift] = client.get(f"/api/agents/{agent}/shifts", headers=headers).get_json()["shifts"]
    assert client.delete(f"/api/shifts/{shift['id']}", headers=headers).status_code == 204
    refused = {"weekday": 2, "starts": "10:00", "ends": "09:00"}
    assert (
        client.post(f"/api/agents/{agent}/shifts", json=refused, headers=headers).status_code == 422
    )
    with app.extensions["helpline.sessionmaker"]() as session:
        rows = session.scalars(select(AuditRecord).order_by(AuditRecord.id)).all()
        trail = [(r.actor, r.action, r.entity) for r in rows]
        update = rows[2].detail
    assert trail == [
        ("api:test-supervisor", "create", "agent"),
        ("api:test-supervisor", "create", "shift"),
        ("api:test-supervisor", "update", "agent"),
        ("api:test-supervisor", "delete", "shift"),
    ]
    assert update["before"]["active"] is True and update["after"]["active"] is False


def test_api_changes_reach_the_router(
    app: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each saved API change refreshes routing once, after the commit; refused ones do not."""
    calls: list[int] = []
    monkeypatch.setattr(editing, "routing_changed", lambda *_: calls.append(1))
    headers = bearer(app, "supervisor")
    agent = _agent_with_monday_morning(client, headers)
    overlap = {"weekday": 0, "starts": "09:00", "ends": "10:00"}
    assert (
        client.post(f"/api/agents/{agent}/shifts", json=overlap, headers=headers).status_code == 422
    )
    assert len(calls) == 2


def test_queue_snapshot_shows_waiting_and_agents(app: Flask, client: FlaskClient, twilio) -> None:  # type: ignore[no-untyped-def]
    """The snapshot lists waiting entries with position and tier, and agents by state."""
    open_desk(app)
    agent = add_agent(app, "alice")
    client.post("/api/agents/me/break", headers=bearer(app, "agent", agent))
    client.post("/api/agents/me/available", headers=bearer(app, "agent", agent))
    client.post("/api/agents/me/break", headers=bearer(app, "agent", agent))
    for n, authenticated in ((1, False), (2, True)):
        sid = add_call(app, n, authenticated=authenticated)
        twilio.post("/voice/queue/join", voice_params(CallSid=sid, CallStatus="in-progress"))
    snapshot = client.get("/api/queue", headers=bearer(app, "supervisor")).get_json()
    assert [(w["position"], w["priority"]) for w in snapshot["waiting"]] == [(1, 2), (2, 1)]
    assert snapshot["agents_by_state"]["break"] == 1 and snapshot["staffed"] == 1
    assert snapshot["agents"][0]["seconds_in_state"] >= 0


def test_openapi_documents_the_acd(client: FlaskClient) -> None:
    """Every ACD endpoint is in /api/openapi.json with its error answers."""
    paths = client.get("/api/openapi.json").get_json()["paths"]
    for path in (
        "/api/agents/me/available",
        "/api/queue",
        "/api/agents",
        "/api/agents/{agent_id}/shifts",
    ):
        assert path in paths
    assert "409" in paths["/api/agents"]["post"]["responses"]
