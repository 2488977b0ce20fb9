"""REST: Calls.json, create, fetch, redirect and hang up calls."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, request

from emulator import amd, rest_guard
from emulator.call import EmulatedCall
from emulator.core import Emulator
from emulator.rest_common import API, base_uri, call_json, emulator, error, page, params
from emulator.signals import HangupSignal, RedirectSignal, Target
from emulator.status import StatusCallback

bp = Blueprint("rest_calls", __name__)
rest_guard.install(bp)


@bp.post(f"{API}/Calls.json")
def create_call(account_sid: str) -> Response:
    """Place an outbound-api call to a registered party (or to nobody, who never answers)."""
    emu, form = emulator(), params()
    missing = [
        (n, c, m)
        for n, c, m in (
            ("To", 21201, "No 'To' number is specified"),
            ("From", 21213, "No 'From' number is specified"),
        )
        if not form.get(n)
    ]
    if missing:
        return error(400, missing[0][1], missing[0][2])
    if not form.get("Url") and not form.get("Twiml"):
        return error(400, 21205, "Url parameter is required.")
    try:
        detection = amd.Detection.parse(form)
    except amd.AmdError as exc:
        return error(400, amd.INVALID_VALUE, str(exc))
    amd.warn_missing_callback(emu, detection)
    target = _target(emu, form.get("Url"), form.get("Method"), form.get("Twiml"))
    callback = StatusCallback.parse(
        form.get("StatusCallback"),
        form.get("StatusCallbackMethod"),
        form.getlist("StatusCallbackEvent"),
    )
    call = emu.create_call(
        to=form["To"],
        from_=form["From"],
        target=target,
        status_callback=callback,
        timeout=float(form.get("Timeout", "60") or 60),
        detection=detection,
    )
    body = call_json(emu, call)
    body["status"] = "queued"  # the thread may already be ringing; the API answers queued
    resp = jsonify(body)
    resp.status_code = 201
    return resp


@bp.get(f"{API}/Calls.json")
def list_calls(account_sid: str) -> Response:
    """List calls, optionally filtered by Status, To or From."""
    emu, query = emulator(), params()
    calls = [
        c
        for c in emu.calls.values()
        if all(
            not query.get(k) or query[k] == v
            for k, v in (("Status", c.status), ("To", c.to), ("From", c.from_))
        )
    ]
    return jsonify(page("calls", [call_json(emu, c) for c in calls], f"{base_uri(emu)}/Calls.json"))


@bp.route(f"{API}/Calls/<call_sid>.json", methods=["GET", "POST", "DELETE"])
def call_instance(account_sid: str, call_sid: str) -> Response:
    """Fetch, update (redirect or hang up) or delete one call."""
    emu = emulator()
    call = emu.calls.get(call_sid)
    if call is None:
        return error(
            404,
            20404,
            f"The requested resource {base_uri(emu)}/Calls/{call_sid}.json was not found",
        )
    form = params()
    if form.get("Status") in ("completed", "canceled"):
        _hang_up(call, form["Status"])
    elif form.get("Url") or form.get("Twiml"):
        if not call.live or call.answered_at is None:
            return error(400, 21220, "Call is not in-progress. Cannot redirect.")
        redirect(emu, call, _target(emu, form.get("Url"), form.get("Method"), form.get("Twiml")))
    if request.method == "DELETE":
        emu.calls.pop(call_sid, None)
        return Response(status=204)
    return jsonify(call_json(emu, call))


def redirect(emu: Emulator, call: EmulatedCall, target: Target) -> None:
    """Take a call out of any queue and make it run new TwiML."""
    queue = emu.queues.by_sid.get(call.queue_sid or "")
    if queue is not None:
        emu.queues.remove(queue, call)
    call.signal(RedirectSignal(target))


def _hang_up(call: EmulatedCall, status: str) -> None:
    """End a call from the API: canceled only stops calls that have not been answered."""
    if not call.live or (status == "canceled" and call.answered_at is not None):
        return
    if call.answered_at is None:
        call.end_status = "canceled"
    call.signal(HangupSignal("rest"))


def _target(emu: Emulator, url: str | None, method: str | None, twiml: str | None) -> Target:
    """Turn Url/Method/Twiml API parameters into where the call's TwiML comes from."""
    if twiml:
        return Target(url or emu.helpline_url + "/", "POST", twiml=twiml)
    return Target(url or "", (method or "POST").upper())
