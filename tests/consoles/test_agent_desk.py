"""The agent console over HTTP: state buttons, token, screen pop, case access, wrap-up."""

from __future__ import annotations

import datetime as dt
import time
from html.parser import HTMLParser
from typing import Any

import jwt
import pytest
from flask import Flask
from sqlalchemy import select

from callbacks.models import CallbackRequest
from calls.journey import find_call
from calls.models import Call, CallEvent
from cases.models import Case
from consoles.agent_desk import OFF_SHIFT
from consoles.auth import create_user
from consoles.screen_pop import VERIFY_WARNING
from core.clock import now
from queueing import service
from queueing.acd import Offer
from queueing.desk import desk_for
from queueing.service import ms
from tests.acd_helpers import RecordingPort, add_agent, add_call, open_desk
from tests.consoles.conftest import PASSWORD, Console

API_KEY, API_SECRET, APP_SID = "SK" + "2" * 32, "s" * 32, "AP" + "3" * 32


@pytest.fixture
def alice(app: Flask, port: RecordingPort) -> int:
    """Alice: an agent rostered around the clock at an open desk, with a console login."""
    open_desk(app)
    agent_id = add_agent(app, "alice")
    _login_for(app, "alice", agent_id)
    return agent_id


def _login_for(app: Flask, username: str, agent_id: int) -> None:
    with app.extensions["helpline.sessionmaker"]() as session:
        create_user(session, username, PASSWORD, "agent", agent_id=agent_id)
        session.commit()


@pytest.fixture
def desk(console: Console, alice: int) -> Console:
    """A console client logged in as Alice."""
    assert console.login("alice").status_code == 302
    return console


def _state(desk: Console) -> dict[str, Any]:
    response = desk.get("/console/agent/state.json")
    assert response.status_code == 200
    return dict(response.get_json())


def _queue(app: Flask, sid: str) -> None:
    """Queue a recorded call through the ACD (as /voice/queue/join does)."""
    with app.app_context(), app.extensions["helpline.sessionmaker"]() as session:
        call = find_call(session, sid)
        assert call is not None
        assert service.join_queue(session, desk_for(app), call, now()).queued
        session.commit()


def _offer(app: Flask, agent_id: int) -> Offer:
    fields = desk_for(app).acd.agent(agent_id)
    return Offer(fields["entry"], agent_id, fields["token"])


def _answer_and_end(app: Flask, agent_id: int) -> None:
    """The agent answers the offered call, talks, and the agent's leg ends."""
    offer = _offer(app, agent_id)
    with app.app_context(), app.extensions["helpline.sessionmaker"]() as session:
        assert service.accept_offer(session, desk_for(app), offer, now())
        assert service.settle_offer(session, desk_for(app), offer, now()) == "finished"
        session.commit()


class _Page(HTMLParser):
    """Collect a console page's alert texts and table rows (cell texts)."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.alerts: list[str] = []
        self.rows: list[list[str]] = []
        self._alert = False
        self._cell: list[str] | None = None
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if ("role", "alert") in attrs:
            self._alert = True
            self.alerts.append("")
        if tag == "tr":
            self.rows.append([])
        if tag == "td":
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "td" and self._cell is not None:
            self.rows[-1].append("".join(self._cell).strip())
            self._cell = None
        if tag == "p":
            self._alert = False

    def handle_data(self, data: str) -> None:
        if self._alert:
            self.alerts[-1] += data
        if self._cell is not None:
            self._cell.append(data)


def test_off_shift_agent_cannot_go_available(app: Flask, console: Console, port: Any) -> None:
    """An agent with no shift now is refused 'available' with a clear alert; the ACD agrees."""
    open_desk(app)
    agent_id = add_agent(app, "olive", on_shift=False)
    _login_for(app, "olive", agent_id)
    console.login("olive")
    response = console.post("/console/agent/state", {"action": "available"})
    assert response.status_code == 302
    page = _Page(console.get("/console/agent/").get_data(as_text=True))
    assert page.alerts == [OFF_SHIFT]
    assert desk_for(app).acd.agent(agent_id)["state"] == "logged_out"
    assert _state(console)["status"]["on_shift"] is False


def test_state_buttons_move_the_agent(app: Flask, desk: Console, alice: int) -> None:
    """Go available, take a break, log out: each lands in the ACD and shows in state.json."""
    for action, state in (("available", "available"), ("break", "break"), ("logout", "logged_out")):
        assert desk.post("/console/agent/state", {"action": action}).status_code == 302
        assert desk_for(app).acd.agent(alice)["state"] == state
        status = _state(desk)["status"]
        assert status["state"] == state and status["seconds_in_state"] >= 0
    refused = desk.post("/console/agent/state", {"action": "finish_wrap"})
    assert refused.status_code == 302
    assert desk_for(app).acd.agent(alice)["state"] == "logged_out"
    assert desk.post("/console/agent/state", {"action": "fly"}).status_code == 400


def test_state_change_needs_the_csrf_token(desk: Console, app: Flask, alice: int) -> None:
    """A POST without the session's token is refused and changes nothing."""
    response = desk.client.post("/console/agent/state", data={"action": "available"})
    assert response.status_code == 400
    assert desk_for(app).acd.agent(alice).get("state", "logged_out") == "logged_out"


def test_token_carries_the_voice_grant_and_identity(app: Flask, desk: Console) -> None:
    """The access token names the agent's Client identity and grants incoming + the TwiML app."""
    app.config.update(TWILIO_API_KEY=API_KEY, TWILIO_API_SECRET=API_SECRET)
    app.config.update(TWILIO_TWIML_APP_SID=APP_SID, AGENT_TOKEN_TTL=600)
    response = desk.post("/console/agent/token", {})
    assert response.status_code == 200
    body = response.get_json()
    claims = jwt.decode(body["token"], API_SECRET, algorithms=["HS256"])
    assert claims["iss"] == API_KEY and claims["sub"] == app.config["TWILIO_ACCOUNT_SID"]
    assert claims["grants"]["identity"] == "alice" == body["identity"]
    voice = claims["grants"]["voice"]
    assert voice["incoming"] == {"allow": True}
    assert voice["outgoing"]["application_sid"] == APP_SID
    assert 590 <= claims["exp"] - time.time() <= 601


def test_token_refused_without_settings_or_agent(app: Flask, console: Console, alice: int) -> None:
    """No API key configured is a 503; a login not linked to an agent gets 403."""
    console.login("alice")
    assert console.post("/console/agent/token", {}).status_code == 503
    console.client.post("/console/logout", data={"csrf_token": console.token()})
    console.login("alan")  # an agent login with no roster agent
    assert console.post("/console/agent/token", {}).status_code == 403
    assert console.get("/console/agent/state.json").status_code == 403


def test_screen_pop_shows_the_verified_callers_case(app: Flask, desk: Console, alice: int) -> None:
    """Offered an authenticated caller, the pop shows the case; answered, it says connected."""
    sid = add_call(app, 1, authenticated=True, enhanced=True, offence="Burglary")
    with app.extensions["helpline.sessionmaker"]() as session:
        call = find_call(session, sid)
        assert call is not None and call.case_id is not None
        case_id = call.case_id
        session.get(Case, case_id).officer = "DC Jones"  # type: ignore[union-attr]
        session.commit()
    _queue(app, sid)
    desk.post("/console/agent/state", {"action": "available"})
    pop = _state(desk)["pop"]
    assert pop["entry"] == f"call:{sid}" and pop["phase"] == "offered" and pop["kind"] == "call"
    assert pop["authenticated"] is True and pop["warning"] is None
    assert pop["waited_seconds"] >= 0
    case = pop["case"]
    assert case["id"] == case_id and case["crime_reference"] == "1000001/24"
    assert case["status_code"] == "REPORTED" and case["priority_tier"] == "Enhanced Rights"
    assert case["overdue"] is False and case["language"] == "en-GB"
    assert case["officer"] == "DC Jones"
    offer = _offer(app, alice)
    with app.app_context(), app.extensions["helpline.sessionmaker"]() as session:
        assert service.accept_offer(session, desk_for(app), offer, now())
        session.commit()
    assert _state(desk)["pop"]["phase"] == "connected"
    assert desk.get(f"/console/agent/case/{case_id}").get_json()["case"]["id"] == case_id


def test_agent_cannot_open_a_case_not_on_their_call(app: Flask, desk: Console, alice: int) -> None:
    """Any case other than the current call's is 403, and so is every case when idle."""
    mine = add_call(app, 1, authenticated=True)
    other = add_call(app, 2, authenticated=True)
    with app.extensions["helpline.sessionmaker"]() as session:
        mine_case = find_call(session, mine).case_id  # type: ignore[union-attr]
        other_case = find_call(session, other).case_id  # type: ignore[union-attr]
    assert desk.get(f"/console/agent/case/{mine_case}").status_code == 403
    _queue(app, mine)
    desk.post("/console/agent/state", {"action": "available"})
    assert desk.get(f"/console/agent/case/{mine_case}").status_code == 200
    assert desk.get(f"/console/agent/case/{other_case}").status_code == 403
    assert desk.get("/console/agent/case/999999").status_code == 403


def test_unauthenticated_caller_is_flagged_and_shows_no_case(
    app: Flask, desk: Console, alice: int
) -> None:
    """A caller who did not authenticate pops with the verify-first warning and no case."""
    sid = add_call(app, 3)
    with app.extensions["helpline.sessionmaker"]() as session:
        # Even a case id on the row (a half-finished IVR journey) must not be disclosed.
        verified = find_call(session, add_call(app, 4, authenticated=True))
        find_call(session, sid).case_id = verified.case_id  # type: ignore[union-attr]
        leaked = verified.case_id  # type: ignore[union-attr]
        session.commit()
    _queue(app, sid)
    desk.post("/console/agent/state", {"action": "available"})
    pop = _state(desk)["pop"]
    assert pop["entry"] == f"call:{sid}"
    assert pop["authenticated"] is False and pop["case"] is None
    assert pop["warning"] == VERIFY_WARNING
    assert desk.get(f"/console/agent/case/{leaked}").status_code == 403


def test_callback_offer_pops_the_chosen_number_and_message_flag(
    app: Flask, desk: Console, alice: int
) -> None:
    """A `cb:<id>` entry shows the victim's chosen number and whether a message is safe."""
    verified = add_call(app, 5, authenticated=True)
    at = now()
    with app.extensions["helpline.sessionmaker"]() as session:
        origin = find_call(session, verified)
        request = CallbackRequest(
            victim_key=f"case:{origin.case_id}",  # type: ignore[union-attr]
            case_id=origin.case_id,  # type: ignore[union-attr]
            origin_call_id=origin.id,  # type: ignore[union-attr]
            phone_e164="+447700900456",
            safe_to_leave_message=False,
            priority=2,
            virtual_start_at=at - dt.timedelta(minutes=5),
            requested_at=at - dt.timedelta(minutes=5),
            not_before=at,
            expires_at=at + dt.timedelta(days=7),
        )
        session.add(request)
        session.commit()
        entry = f"cb:{request.id}"
    desk.post("/console/agent/state", {"action": "available"})
    acd = desk_for(app).acd
    acd.enqueue(entry, 2, ms(at), "en-GB|", ms(at), 120_000)
    offer = acd.dispatch(ms(now()), 90_000, 30_000)
    assert offer is not None and offer.entry == entry and offer.agent == alice
    pop = _state(desk)["pop"]
    assert pop["kind"] == "callback" and pop["phase"] == "offered"
    assert pop["callback_number"] == "+447700900456"
    assert pop["safe_to_leave_message"] is False
    assert pop["case"]["crime_reference"] == "1000005/24"
    assert pop["waited_seconds"] >= 300


def test_wrap_up_is_stored_and_makes_the_agent_available(
    app: Flask, desk: Console, alice: int
) -> None:
    """The outcome and notes land on the call row, then the agent is available again."""
    app.config.update(ACD_WRAP_UP_SECONDS=300)
    sid = add_call(app, 6, authenticated=True)
    _queue(app, sid)
    desk.post("/console/agent/state", {"action": "available"})
    _answer_and_end(app, alice)
    assert desk_for(app).acd.agent(alice)["state"] == "wrap_up"
    wrap = _state(desk)["wrap_up"]
    with app.extensions["helpline.sessionmaker"]() as session:
        call_id = find_call(session, sid).id  # type: ignore[union-attr]
    assert wrap["call_id"] == call_id
    response = desk.post(
        "/console/agent/wrap-up",
        {"call_id": str(call_id), "outcome": "update_given", "notes": "Told them about CCTV."},
    )
    assert response.status_code == 302
    with app.extensions["helpline.sessionmaker"]() as session:
        call = session.get(Call, call_id)
        assert call is not None
        assert (call.wrap_outcome, call.wrap_notes) == ("update_given", "Told them about CCTV.")
        kinds = session.scalars(select(CallEvent.kind).where(CallEvent.call_id == call_id)).all()
        assert "wrap_up" in kinds
        assert session.scalar(select(CallbackRequest)) is None
    assert desk_for(app).acd.agent(alice)["state"] == "available"
    assert _state(desk)["wrap_up"] is None


def test_wrap_up_with_a_follow_up_callback(app: Flask, desk: Console, alice: int) -> None:
    """Asking for a follow-up files a pending callback to the given number with the flag."""
    sid = add_call(app, 7, authenticated=True)
    _queue(app, sid)
    desk.post("/console/agent/state", {"action": "available"})
    _answer_and_end(app, alice)
    with app.extensions["helpline.sessionmaker"]() as session:
        call = find_call(session, sid)
        call_id, case_id = call.id, call.case_id  # type: ignore[union-attr]
    form = {
        "call_id": str(call_id),
        "outcome": "message_for_officer",
        "notes": "Officer to ring back.",
        "follow_up": "on",
        "follow_up_number": "07700 900789",
        "safe_to_leave_message": "on",
    }
    assert desk.post("/console/agent/wrap-up", form).status_code == 302
    with app.extensions["helpline.sessionmaker"]() as session:
        request = session.scalars(select(CallbackRequest)).one()
        assert request.phone_e164 == "+447700900789" and request.safe_to_leave_message
        assert request.case_id == case_id and request.state == "pending"
        assert session.get(Call, call_id).outcome == "answered"  # type: ignore[union-attr]


def test_wrap_up_refuses_someone_elses_call_and_bad_outcomes(
    app: Flask, desk: Console, alice: int
) -> None:
    """An agent cannot wrap up another agent's call, nor file an outcome off the list."""
    bob = add_agent(app, "bob")
    sid = add_call(app, 8, authenticated=True)
    with app.extensions["helpline.sessionmaker"]() as session:
        call = find_call(session, sid)
        call.agent_id, call.agent_ended_at = bob, now()  # type: ignore[union-attr]
        call_id = call.id  # type: ignore[union-attr]
        session.commit()
    form = {"call_id": str(call_id), "outcome": "update_given", "notes": "x"}
    desk.post("/console/agent/wrap-up", form)
    page = _Page(desk.get("/console/agent/").get_data(as_text=True))
    assert page.alerts == ["The wrap-up was not saved: That call is not one of yours."]
    with app.extensions["helpline.sessionmaker"]() as session:
        assert session.get(Call, call_id).wrap_outcome is None  # type: ignore[union-attr]
        session.get(Call, call_id).agent_id = alice  # type: ignore[union-attr]
        session.commit()
    desk.post("/console/agent/wrap-up", form | {"outcome": "made_up"})
    page = _Page(desk.get("/console/agent/").get_data(as_text=True))
    assert page.alerts == ["The wrap-up was not saved: Choose an outcome from the list."]
    with app.extensions["helpline.sessionmaker"]() as session:
        assert session.get(Call, call_id).wrap_outcome is None  # type: ignore[union-attr]


def test_supervisor_sees_wrap_ups(app: Flask, console: Console, alice: int) -> None:
    """Filed outcomes and notes are listed for supervisors, and agents may not read the list."""
    sid = add_call(app, 9, authenticated=True)
    with app.extensions["helpline.sessionmaker"]() as session:
        call = find_call(session, sid)
        call.agent_id, call.agent_ended_at = alice, now()  # type: ignore[union-attr]
        call.wrap_outcome, call.wrap_notes = "no_news", "Nothing new since Monday."  # type: ignore[union-attr]
        session.commit()
    console.login("alice")
    assert console.get("/console/wrap-ups").status_code == 403
    console.client.post("/console/logout", data={"csrf_token": console.token()})
    console.login("sue")
    page = console.get("/console/wrap-ups")
    assert page.status_code == 200
    rows = [row[1:] for row in _Page(page.get_data(as_text=True)).rows if row]
    wanted = ["Alice", "1000009/24", "yes", "No new information to give"]
    assert rows == [[*wanted, "Nothing new since Monday."]]


def test_agent_page_headers_allow_the_microphone(app: Flask, desk: Console) -> None:
    """The agent page may use the microphone; with the real SDK the CSP lets it reach Twilio."""
    app.config["AGENT_SOFTPHONE"] = "twilio"
    response = desk.get("/console/agent/")
    assert "microphone=(self)" in response.headers["Permissions-Policy"]
    csp = response.headers["Content-Security-Policy"]
    assert "wss://*.twilio.com" in csp and "script-src 'self'" in csp
    app.config["AGENT_SOFTPHONE"] = "emulator"
    csp = desk.get("/console/agent/").headers["Content-Security-Policy"]
    assert "connect-src 'self';" in csp
    assert desk.get("/console/wallboard").status_code == 403


def test_agents_land_on_their_desk(desk: Console) -> None:
    """An agent linked to the roster goes from the console's front door to the desk."""
    response = desk.get("/console/")
    assert response.status_code == 302 and response.location.endswith("/console/agent/")
