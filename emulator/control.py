"""Control API for softphones: start interactive calls, type keys, drive interactive parties."""

from __future__ import annotations

from importlib import resources
from typing import Any

from flask import Blueprint, Response, jsonify, request

from emulator.call import EmulatedCall
from emulator.people import Caller, Party
from emulator.rest_common import emulator, error
from emulator.signals import HangupSignal

bp = Blueprint("control", __name__, url_prefix="/_emulator")
page_bp = Blueprint("page", __name__)
LONG_POLL_SECONDS = 10.0


@page_bp.get("/")
def page() -> Response:
    """Serve the browser softphone (self-contained, no CDN)."""
    html = resources.files("emulator").joinpath("page.html").read_text(encoding="utf-8")
    return Response(html, mimetype="text/html")


@bp.post("/calls")
def start_call() -> Response | tuple[Response, int]:
    """Start an interactive inbound call to the helpline."""
    body = request.get_json(silent=True) or {}
    call = emulator().dial(body.get("from") or "+447700900123", caller=Caller.interactive())
    return jsonify(sid=call.sid), 201


@bp.post("/sms")
def send_sms() -> Response | tuple[Response, int]:
    """Text the helpline from a number (STOP, START and HELP are handled as Twilio does)."""
    body = request.get_json(silent=True) or {}
    if not body.get("from") or not isinstance(body.get("body"), str):
        return error(400, 21602, "from and body are required")
    reply = emulator().send_sms(str(body["from"]), body["body"])
    answered = reply.status if reply is not None else None
    return jsonify(
        status=answered,
        opted_out=emulator().sms_opt_outs.blocks(emulator().helpline_number, str(body["from"])),
    ), 201


@bp.post("/calls/<sid>/<action>")
def call_action(sid: str, action: str) -> Response:
    """Press keys, speak or hang up on an interactive call."""
    call = emulator().calls.get(sid)
    if call is None:
        return error(404, 20404, "No such call")
    body = request.get_json(silent=True) or {}
    if action == "keys":
        call.press(str(body.get("keys", "")))
    elif action == "speech":
        call.speak(str(body.get("text", "")))
    elif action == "hangup":
        call.hangup()
    else:
        return error(404, 20404, f"Unknown action {action}")
    return jsonify(ok=True)


@bp.get("/calls/<sid>/events")
def call_events(sid: str) -> Response:
    """Return transcript entries from index `after`, waiting up to ~10 s for new ones."""
    emu = emulator()
    call = emu.calls.get(sid)
    if call is None:
        return error(404, 20404, "No such call")
    after = request.args.get("after", 0, type=int)
    wait = min(request.args.get("wait", LONG_POLL_SECONDS, type=float), LONG_POLL_SECONDS)
    with emu.cv:
        emu.cv.wait_for(lambda: len(call.transcript) > after or call.ended, timeout=wait)
        events = [dict(e) for e in call.transcript[after:]]
    return jsonify(events=events, ended=call.ended and len(call.transcript) <= after + len(events))


@bp.post("/parties")
def add_party() -> Response | tuple[Response, int]:
    """Register an automatic or interactive party."""
    body = request.get_json(silent=True) or {}
    if not body.get("key"):
        return error(400, 20001, "key is required")
    party = (
        Party.interactive()
        if body.get("mode") == "interactive"
        else Party(
            answer_after=float(body.get("answer_after", 1)),
            talk_for=float(body["talk_for"]) if body.get("talk_for") is not None else None,
            machine=body.get("answers") == "voicemail",
            greeting_seconds=float(body.get("greeting_seconds", 8)),
            fax=body.get("answers") == "fax",
        )
    )
    emulator().add_party(body["key"], party)
    return jsonify(key=body["key"], mode=party.mode), 201


@bp.get("/parties/<path:key>/events")
def party_events(key: str) -> Response:
    """Return a party's events (ringing, whisper, connected, ended) from index `after`."""
    emu = emulator()
    party = emu.parties.get(key)
    if party is None:
        return error(404, 20404, "No such party")
    after = request.args.get("after", 0, type=int)
    wait = min(request.args.get("wait", LONG_POLL_SECONDS, type=float), LONG_POLL_SECONDS)
    with emu.cv:
        emu.cv.wait_for(lambda: len(party.events) > after, timeout=wait)
        events: list[dict[str, Any]] = [dict(e) for e in party.events[after:]]
    return jsonify(events=events)


@bp.post("/parties/<path:key>/<action>")
def party_action(key: str, action: str) -> Response:
    """Answer or reject the party's ringing call, or hang up its live one."""
    emu = emulator()
    with emu.cv:
        leg = _party_leg(list(emu.calls.values()), key, ringing=action != "hangup")
        if leg is None:
            return error(409, 20409, f"{key} has no call to {action}")
        if action in ("answer", "reject"):
            leg.ring_result = "answered" if action == "answer" else "busy"
            emu.cv.notify_all()
        elif action == "hangup":
            leg.signal(HangupSignal("party"))
        else:
            return error(404, 20404, f"Unknown action {action}")
    return jsonify(call_sid=leg.sid)


@bp.get("/state")
def state() -> Response:
    """Summarise calls, queues, faults and whether REST requests are spec-checked."""
    emu = emulator()
    return jsonify(
        calls=[
            {
                "sid": c.sid,
                "from": c.from_,
                "to": c.to,
                "status": c.status,
                "direction": c.direction,
            }
            for c in emu.calls.values()
        ],
        queues={q.name: [m.sid for m in q.members] for q in emu.queues.by_sid.values()},
        faults=list(emu.faults),
        openapi=emu.spec.status,
    )


def _party_leg(calls: list[EmulatedCall], key: str, *, ringing: bool) -> EmulatedCall | None:
    """Return the newest leg to this party that is ringing (or live, for hang-ups)."""
    for call in reversed(calls):
        waiting = call.status == "ringing" and call.ring_result is None
        if call.to == key and not call.ended and (waiting or not ringing):
            return call
    return None
