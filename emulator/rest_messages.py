"""REST: outbound Messages, refused with 21610 to a number that opted out."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, request

from emulator import rest_guard
from emulator.rest_common import API, base_uri, emulator, error, page, params
from emulator.sms import message

bp = Blueprint("rest_messages", __name__)
rest_guard.install(bp)


@bp.route(f"{API}/Messages.json", methods=["GET", "POST"])
def messages(account_sid: str) -> Response:
    """Accept an outbound SMS (stored in emu.messages) or list the ones sent."""
    emu, form = emulator(), params()
    if request.method != "POST":
        return jsonify(page("messages", list(emu.messages), f"{base_uri(emu)}/Messages.json"))
    problem = _refusal(form)
    if problem is not None:
        return problem
    sent = message(
        emu,
        form["To"],
        form.get("From"),
        form.get("Body", ""),
        messaging_service_sid=form.get("MessagingServiceSid"),
    )
    emu.messages.append(sent)
    resp = jsonify(sent)
    resp.status_code = 201
    return resp


def _refusal(form: dict[str, str]) -> Response | None:
    """Return Twilio's 400 for a message it would not send, else None."""
    if not form.get("To"):
        return error(400, 21604, "A 'To' phone number is required.")
    if not form.get("From") and not form.get("MessagingServiceSid"):
        return error(400, 21603, "A 'From' phone number is required.")
    if not form.get("Body") and not form.get("MediaUrl") and not form.get("ContentSid"):
        return error(400, 21602, "Message body is required.")
    ours = form.get("From") or emulator().helpline_number
    if emulator().sms_opt_outs.blocks(ours, form["To"]):
        return error(400, 21610, "Attempt to send to unsubscribed recipient")
    return None
