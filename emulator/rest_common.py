"""Shared pieces of the REST API: auth, Twilio-shaped errors and JSON resources."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flask import Response, current_app, jsonify, request

if TYPE_CHECKING:
    from emulator.call import EmulatedCall
    from emulator.core import Emulator
    from emulator.queues import Queue

API = "/2010-04-01/Accounts/<account_sid>"


def emulator() -> Emulator:
    """Return the Emulator this app serves."""
    return current_app.extensions["emulator"]  # type: ignore[no-any-return]


def error(status: int, code: int, message: str) -> Response:
    """Answer with Twilio's error JSON, which twilio-python turns into TwilioRestException."""
    resp = jsonify(
        code=code,
        message=message,
        status=status,
        more_info=f"https://www.twilio.com/docs/errors/{code}",
    )
    resp.status_code = status
    return resp


def authorized(emu: Emulator, account_sid: str) -> bool:
    """Check HTTP Basic credentials and that they own the account in the path."""
    auth = request.authorization
    return (
        auth is not None
        and auth.username == emu.account_sid
        and auth.password == emu.auth_token
        and account_sid == emu.account_sid
    )


def params() -> Any:
    """Return the request's parameters (form body for POST, query string otherwise)."""
    return request.form if request.method == "POST" else request.args


def base_uri(emu: Emulator) -> str:
    """Return the account's URI prefix."""
    return f"/2010-04-01/Accounts/{emu.account_sid}"


def call_json(emu: Emulator, call: EmulatedCall) -> dict[str, Any]:
    """Render a call like Twilio's Call resource."""
    uri = f"{base_uri(emu)}/Calls/{call.sid}"
    subs = (
        "notifications",
        "recordings",
        "payments",
        "events",
        "siprec",
        "streams",
        "transcriptions",
        "user_defined_message_subscriptions",
        "user_defined_messages",
    )
    return {
        "sid": call.sid,
        "account_sid": emu.account_sid,
        "api_version": "2010-04-01",
        "to": call.to,
        "to_formatted": call.to,
        "from": call.from_,
        "from_formatted": call.from_,
        "status": call.status,
        "direction": call.direction,
        "parent_call_sid": call.parent_sid,
        "answered_by": call.answered_by,
        "duration": str(call.duration()) if call.ended else None,
        "start_time": None,
        "end_time": None,
        "date_created": None,
        "date_updated": None,
        "price": None,
        "price_unit": "USD",
        "caller_name": None,
        "forwarded_from": None,
        "group_sid": None,
        "phone_number_sid": None,
        "trunk_sid": None,
        "annotation": None,
        "queue_time": "0",
        "uri": uri + ".json",
        "subresource_uris": {name: f"{uri}/{_camel(name)}.json" for name in subs},
    }


def queue_json(emu: Emulator, queue: Queue) -> dict[str, Any]:
    """Render a queue like Twilio's Queue resource."""
    uri = f"{base_uri(emu)}/Queues/{queue.sid}"
    return {
        "sid": queue.sid,
        "account_sid": emu.account_sid,
        "friendly_name": queue.name,
        "current_size": len(queue.members),
        "max_size": queue.max_size,
        "average_wait_time": queue.average_wait(),
        "date_created": queue.created,
        "date_updated": queue.created,
        "uri": uri + ".json",
        "subresource_uris": {"members": uri + "/Members.json"},
    }


def member_json(emu: Emulator, queue: Queue, call: EmulatedCall) -> dict[str, Any]:
    """Render a queued call like Twilio's Member resource."""
    return {
        "call_sid": call.sid,
        "queue_sid": queue.sid,
        "position": queue.position(call),
        "wait_time": emu.queues.wait_time(queue, call),
        "date_enqueued": queue.created,
        "uri": f"{base_uri(emu)}/Queues/{queue.sid}/Members/{call.sid}.json",
    }


def page(key: str, items: list[dict[str, Any]], uri: str) -> dict[str, Any]:
    """Wrap a list in Twilio's (single) page envelope."""
    return {
        key: items,
        "start": 0,
        "end": max(len(items) - 1, 0),
        "page": 0,
        "page_size": max(len(items), 50),
        "uri": uri,
        "first_page_uri": uri,
        "next_page_uri": None,
        "previous_page_uri": None,
    }


def _camel(name: str) -> str:
    """Turn user_defined_messages into UserDefinedMessages."""
    return "".join(part.capitalize() for part in name.split("_"))
