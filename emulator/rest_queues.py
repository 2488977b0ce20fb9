"""REST: Queues and queue Members (dequeue to a URL)."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, request

from emulator import rest_guard
from emulator.call import EmulatedCall
from emulator.queues import Queue
from emulator.rest_calls import redirect
from emulator.rest_common import (
    API,
    base_uri,
    emulator,
    error,
    member_json,
    page,
    params,
    queue_json,
)
from emulator.signals import Target

bp = Blueprint("rest_queues", __name__)
rest_guard.install(bp)


def _created(body: dict[str, object]) -> Response:
    """Answer 201 with a JSON resource."""
    resp = jsonify(body)
    resp.status_code = 201
    return resp


def _not_found(what: str) -> Response:
    """Answer Twilio's 404."""
    return error(404, 20404, f"The requested resource {what} was not found")


@bp.route(f"{API}/Queues.json", methods=["GET", "POST"])
def queues(account_sid: str) -> Response:
    """List queues, or create one from FriendlyName."""
    emu, form = emulator(), params()
    if request.method == "POST":
        if not form.get("FriendlyName"):
            return error(400, 20001, "Missing required parameter FriendlyName in the post body")
        with emu.cv:
            queue = emu.queues.create(form["FriendlyName"], int(form.get("MaxSize", "1000")))
        return _created(queue_json(emu, queue))
    items = [queue_json(emu, q) for q in emu.queues.by_sid.values()]
    return jsonify(page("queues", items, f"{base_uri(emu)}/Queues.json"))


@bp.route(f"{API}/Queues/<queue_sid>.json", methods=["GET", "POST", "DELETE"])
def queue_instance(account_sid: str, queue_sid: str) -> Response:
    """Fetch, update or delete a queue."""
    emu, form = emulator(), params()
    queue = emu.queues.by_sid.get(queue_sid)
    if queue is None:
        return _not_found(f"/Queues/{queue_sid}.json")
    if request.method == "DELETE":
        emu.queues.by_sid.pop(queue_sid, None)
        return Response(status=204)
    if form.get("FriendlyName"):
        queue.name = form["FriendlyName"]
    if form.get("MaxSize"):
        queue.max_size = int(form["MaxSize"])
    return jsonify(queue_json(emu, queue))


@bp.get(f"{API}/Queues/<queue_sid>/Members.json")
def members(account_sid: str, queue_sid: str) -> Response:
    """List a queue's waiting calls, front first."""
    emu = emulator()
    queue = emu.queues.by_sid.get(queue_sid)
    if queue is None:
        return _not_found(f"/Queues/{queue_sid}.json")
    items = [member_json(emu, queue, c) for c in list(queue.members)]
    return jsonify(page("queue_members", items, f"{base_uri(emu)}/Queues/{queue_sid}/Members.json"))


@bp.route(f"{API}/Queues/<queue_sid>/Members/<call_sid>.json", methods=["GET", "POST"])
def member(account_sid: str, queue_sid: str, call_sid: str) -> Response:
    """Fetch a member, or dequeue it to Url (a member no longer queued answers 400)."""
    emu, form = emulator(), params()
    queue = emu.queues.by_sid.get(queue_sid)
    if queue is None:
        return _not_found(f"/Queues/{queue_sid}.json")
    with emu.cv:
        call = _find_member(queue, call_sid)
        if call is None:
            return error(400 if request.method == "POST" else 404, 20404, "Call not in queue")
        body = member_json(emu, queue, call)
        if request.method == "POST":
            if not form.get("Url"):
                return error(400, 21205, "Url parameter is required.")
            redirect(emu, call, Target(form["Url"], form.get("Method", "POST").upper()))
    return jsonify(body)


def _find_member(queue: Queue, call_sid: str) -> EmulatedCall | None:
    """Return the member by sid, or the front member for "Front"."""
    if call_sid == "Front":
        return queue.members[0] if queue.members else None
    return next((c for c in queue.members if c.sid == call_sid), None)
