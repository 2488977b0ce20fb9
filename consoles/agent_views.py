"""The agent console: state buttons, the softphone, the screen pop and wrap-up."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from werkzeug.wrappers import Response as WerkzeugResponse

from cases.models import Case
from consoles import agent_desk, auth, softphone
from consoles.screen_pop import case_card
from core.clock import now
from core.db import get_session
from queueing.agents import agent_status
from queueing.desk import Desk, desk_for
from roster.models import Agent

bp = Blueprint("console_agent", __name__, url_prefix="/console/agent")
agent_only = auth.login_required("agent")
ACTIONS = ("available", "break", "logout", "finish_wrap")
# The real SDK talks to Twilio's edges and plays its ring tones from Twilio's CDN.
TWILIO_CSP = "connect-src 'self' https://*.twilio.com wss://*.twilio.com; media-src 'self' https://*.twilio.com"


@bp.after_request
def softphone_headers(response: Response) -> Response:
    """Let the agent page use the microphone and, with the real SDK, reach Twilio."""
    response.headers["Permissions-Policy"] = "camera=(), microphone=(self), geolocation=()"
    if softphone.mode(current_app.config) == "twilio":
        csp = response.headers.get("Content-Security-Policy", "")
        response.headers["Content-Security-Policy"] = csp.replace("connect-src 'self'", TWILIO_CSP)
    return response


# Registered after softphone_headers, so it runs first and softphone_headers adjusts its CSP.
auth.secure_blueprint(bp)


def _desk() -> Desk:
    return desk_for(current_app)  # type: ignore[arg-type]


def _me() -> Agent | None:
    """Return the roster agent the logged-in user is, if linked to one."""
    user = auth.current_user()
    agent_id = user.agent_id if user is not None else None
    return get_session().get(Agent, agent_id) if agent_id is not None else None


def _require_me() -> Agent:
    agent = _me()
    if agent is None:
        abort(403)
    return agent


@bp.get("/")
@agent_only
def desk() -> str:
    """Show the agent's state, softphone, screen pop and wrap-up form."""
    agent = _me()
    data = _state(agent) if agent is not None else None
    return render_template(
        "consoles/agent_desk.html",
        agent=agent,
        data=data,
        outcomes=agent_desk.WRAP_OUTCOMES,
        softphone_mode=softphone.mode(current_app.config),
        poll_ms=int(current_app.config["AGENT_POLL_SECONDS"] * 1000),
    )


@bp.get("/state.json")
@agent_only
def state() -> Response:
    """Return the agent's live state, screen pop and any wrap-up due, for the page to poll."""
    return jsonify(_state(_require_me()))


def _state(agent: Agent) -> dict[str, Any]:
    session, at = get_session(), now()
    status = agent_status(_desk(), agent.id, at)
    pop = agent_desk.current_pop(session, _desk(), agent.id, at)
    wrap = agent_desk.pending_wrap_up(session, agent.id, at)
    return {
        "agent": {"id": agent.id, "name": agent.name, "identity": agent.client_identity},
        "status": status,
        "pop": pop.as_json() if pop else None,
        "wrap_up": _wrap_json(wrap) if wrap else None,
        "generated_at": at.isoformat(),
    }


def _wrap_json(call: Any) -> dict[str, Any]:
    return {
        "call_id": call.id,
        "answered_at": call.answered_at.isoformat() if call.answered_at else None,
        "ended_at": call.agent_ended_at.isoformat() if call.agent_ended_at else None,
        "authenticated": call.authenticated,
    }


@bp.post("/state")
@agent_only
def change_state() -> WerkzeugResponse:
    """Go available, take a break, log out of calls or end wrap-up early."""
    agent, action = _require_me(), request.form.get("action", "")
    if action not in ACTIONS:
        abort(400, description="Unknown action.")
    change = agent_desk.change_state(get_session(), _desk(), agent, action)
    get_session().commit()
    flash(change.message, "status" if change.done else "refused")
    return redirect(url_for("console_agent.desk"))


@bp.get("/case/<id:case_id>")
@agent_only
def case(case_id: int) -> Response | tuple[Response, int]:
    """Show a case, but only the verified case of the agent's current call."""
    agent, session = _require_me(), get_session()
    if not agent_desk.may_open_case(session, _desk(), agent.id, case_id):
        return jsonify(error="That case is not on your current call."), 403
    found = session.get(Case, case_id)
    return jsonify(case=asdict(case_card(found, now()))) if found else abort(404)


@bp.post("/wrap-up")
@agent_only
def wrap_up() -> WerkzeugResponse:
    """File the outcome and notes of the last call, with an optional follow-up callback."""
    agent, session, form = _require_me(), get_session(), request.form
    wrap = agent_desk.WrapUp(
        call_id=form.get("call_id", type=int) or 0,
        outcome=form.get("outcome", ""),
        notes=form.get("notes", ""),
        follow_up=form.get("follow_up") == "on",
        follow_up_number=form.get("follow_up_number") or None,
        safe_to_leave_message=form.get("safe_to_leave_message") == "on",
    )
    try:
        agent_desk.file_wrap_up(session, _desk(), agent.id, wrap, now(), current_app.config)
    except agent_desk.WrapUpError as exc:
        session.rollback()
        flash(f"The wrap-up was not saved: {exc}", "refused")
        return redirect(url_for("console_agent.desk"))
    session.commit()
    flash("Wrap-up saved. You are available for the next call.", "status")
    return redirect(url_for("console_agent.desk"))


@bp.post("/token")
@agent_only
def token() -> Response | tuple[Response, int]:
    """Issue a Twilio Voice access token for the agent's Client identity."""
    agent = _require_me()
    if not agent.client_identity:
        return jsonify(error="You have no softphone identity in the roster."), 409
    config = current_app.config
    try:
        jwt = softphone.access_token(config, agent.client_identity)
    except softphone.SoftphoneUnavailable as exc:
        return jsonify(error=str(exc)), 503
    return jsonify(token=jwt, identity=agent.client_identity, ttl=config["AGENT_TOKEN_TTL"])


def _relay() -> softphone.EmulatorRelay:
    agent = _require_me()
    identity = agent.client_identity or ""
    # Hand the database connection back before waiting on the emulator (a long poll).
    get_session().close()
    try:
        return softphone.EmulatorRelay(current_app.config, identity)
    except softphone.SoftphoneUnavailable:
        abort(404)


@bp.post("/softphone/register")
@agent_only
def softphone_register() -> Response:
    """Emulator mode: make this agent's Client identity an interactive party."""
    return jsonify(_relay().register())


@bp.get("/softphone/events")
@agent_only
def softphone_events() -> Response:
    """Emulator mode: relay the party's ringing/whisper/connected/ended events."""
    return jsonify(_relay().events(request.args.get("after", 0, type=int)))


@bp.post("/softphone/<any(answer, reject, hangup):action>")
@agent_only
def softphone_action(action: str) -> tuple[Response, int]:
    """Emulator mode: answer, reject or hang up the agent's call."""
    status, body = _relay().act(action)
    return jsonify(body), status
