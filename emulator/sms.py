"""Twilio's side of SMS on a long code: opt-out keywords, the register, inbound webhooks.

Twilio handles STOP-family keywords itself: it replies, and refuses later messages from that
sender to that number with error 21610 until START-family opts back in. HELP gets Twilio's
own reply too. The inbound message still reaches the application's webhook.
"""

from __future__ import annotations

import threading
import xml.etree.ElementTree as ET
from typing import TYPE_CHECKING, Any

from emulator.ids import new_sid, rfc2822_now

if TYPE_CHECKING:
    from emulator.core import Emulator
    from emulator.webhooks import Reply

OPT_OUT = frozenset({"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE", "OPTOUT"})
OPT_IN = frozenset({"START", "YES", "UNSTOP"})
HELP = frozenset({"HELP", "INFO"})
AUTO_REPLIES = {
    "opt_out": "You have successfully been unsubscribed. You will not receive any more "
    "messages from this number. Reply START to resubscribe.",
    "opt_in": "You have successfully been re-subscribed to messages from this number. "
    "Reply HELP for help. Reply STOP to unsubscribe.",
    "help": "Reply STOP to unsubscribe. Msg&Data Rates May Apply.",
}


def keyword(body: str) -> str | None:
    """Return "opt_out", "opt_in" or "help" when the whole body is one of Twilio's keywords."""
    word = body.strip().strip(".!").strip().upper()
    for kind, words in (("opt_out", OPT_OUT), ("opt_in", OPT_IN), ("help", HELP)):
        if word in words:
            return kind
    return None


class OptOutRegister:
    """Pairs (our number, their number) that opted out, as Twilio keeps them per sender."""

    def __init__(self) -> None:
        self._pairs: set[tuple[str, str]] = set()
        self._lock = threading.Lock()

    def note(self, ours: str, theirs: str, kind: str | None) -> None:
        """Apply an inbound keyword from `theirs` to `ours`."""
        with self._lock:
            if kind == "opt_out":
                self._pairs.add((ours, theirs))
            elif kind == "opt_in":
                self._pairs.discard((ours, theirs))

    def blocks(self, ours: str, theirs: str) -> bool:
        """Say whether Twilio would refuse a message from `ours` to `theirs` (21610)."""
        with self._lock:
            return (ours, theirs) in self._pairs


def receive(emu: Emulator, from_: str, body: str, to: str | None = None) -> Reply | None:
    """A party texts the helpline: keep the register, auto-reply, post the signed webhook."""
    ours = to or emu.helpline_number
    kind = keyword(body)
    emu.sms_opt_outs.note(ours, from_, kind)
    if kind is not None:
        emu.auto_replies.append({"to": from_, "from": ours, "body": AUTO_REPLIES[kind]})
    params = {
        "MessageSid": new_sid("SM"),
        "From": from_,
        "To": ours,
        "Body": body,
        "NumMedia": "0",
        "NumSegments": "1",
        "SmsStatus": "received",
        "ApiVersion": "2010-04-01",
    }
    params["SmsSid"] = params["MessageSid"]
    reply = emu.webhooks.send(None, emu.helpline_url + emu.sms_path, "POST", params)
    if reply is not None:
        _deliver_replies(emu, reply, ours, from_)
    return reply


def _deliver_replies(emu: Emulator, reply: Reply, ours: str, theirs: str) -> None:
    """Send the <Message> verbs of the app's answer, refusing them as Twilio would."""
    try:
        root = ET.fromstring(reply.body)  # noqa: S314 (our own app's answer, in tests)
    except ET.ParseError:
        emu.faults.record(None, "invalid-twiml", "SMS reply is not XML", url=reply.url)
        return
    for node in root.iter("Message"):
        text = "".join(node.itertext()) if len(node) else (node.text or "")
        if emu.sms_opt_outs.blocks(ours, theirs):
            emu.faults.record(
                None, "sms-opted-out", "21610: reply to a number that opted out", url=reply.url
            )
            continue
        emu.messages.append(message(emu, theirs, ours, text, direction="reply"))


def message(emu: Emulator, to: str, from_: str | None, body: str, **extra: Any) -> dict[str, Any]:
    """Render a Message resource as Twilio's REST API does."""
    sid = new_sid("SM")
    base = f"/2010-04-01/Accounts/{emu.account_sid}"
    return {
        "sid": sid,
        "account_sid": emu.account_sid,
        "api_version": "2010-04-01",
        "to": to,
        "from": from_,
        "body": body,
        "messaging_service_sid": extra.get("messaging_service_sid"),
        "status": "queued",
        "direction": extra.get("direction", "outbound-api"),
        "num_segments": "1",
        "num_media": "0",
        "date_created": rfc2822_now(),
        "date_updated": rfc2822_now(),
        "date_sent": None,
        "price": None,
        "price_unit": "USD",
        "error_code": None,
        "error_message": None,
        "uri": f"{base}/Messages/{sid}.json",
        "subresource_uris": {"media": f"{base}/Messages/{sid}/Media.json"},
    }
