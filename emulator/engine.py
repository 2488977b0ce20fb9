"""Fetch TwiML documents and run their verbs for one call."""

from __future__ import annotations

import urllib.parse
import xml.etree.ElementTree as ET
from collections.abc import Callable
from typing import TYPE_CHECKING

from emulator.call import EmulatedCall
from emulator.signals import AppError, HangupSignal, LeaveSignal, RedirectSignal, Target
from emulator.twiml import Context, Document, parse, text_of

if TYPE_CHECKING:
    from emulator.core import Emulator

Handler = Callable[["Emulator", EmulatedCall, ET.Element, Document], Target | None]
APPLICATION_ERROR = "We're sorry, an application error has occurred. Goodbye."
TWIML_TYPES = ("text/xml", "application/xml", "text/html")
WORD_SECONDS = 0.4  # a steady text-to-speech pace
PLAY_SECONDS = 2.0  # what the emulator pretends every audio file lasts


def resolve(doc_url: str, url: str | None) -> str:
    """Resolve a TwiML URL against the document that named it, like a browser would."""
    return urllib.parse.urljoin(doc_url, url or doc_url)


def fetch(emu: Emulator, call: EmulatedCall, target: Target, context: Context) -> Document:
    """Request (or take inline) the next TwiML document; record and raise what Twilio rejects."""
    try:
        text = target.twiml if target.twiml is not None else _request(emu, call, target)
        doc, warnings = parse(text, target.url, context)
    except AppError as exc:
        if not exc.extra.get("recorded"):
            emu.faults.record(call.sid, exc.kind, exc.detail, url=target.url)
        raise
    for warning in warnings:
        emu.faults.record(call.sid, "twiml-warning", warning, url=target.url)
    call.current_url = target.url
    return doc


def _request(emu: Emulator, call: EmulatedCall, target: Target) -> str:
    """Send the webhook and return its TwiML body."""
    reply = emu.webhooks.send(call, target.url, target.method, {**call.params(), **target.params})
    if reply is None:
        raise AppError("no-reply", "no usable reply", recorded=True)
    if not 200 <= reply.status < 300:
        raise AppError("http-status", f"HTTP {reply.status}")
    if reply.content_type.split(";")[0].strip().lower() not in TWIML_TYPES:
        raise AppError("invalid-twiml", f"content type {reply.content_type!r} is not TwiML")
    return reply.body


def execute(emu: Emulator, call: EmulatedCall, doc: Document) -> Target | None:
    """Run a document's verbs in order; return where TwiML continues, or None when it runs out."""
    for verb in doc.verbs:
        call.check()
        nxt = emu.handlers[verb.tag](emu, call, verb, doc)
        if nxt is not None:
            return nxt
    return None


def run_chain(emu: Emulator, call: EmulatedCall, target: Target | None, context: Context) -> None:
    """Follow documents (actions, redirects) until one runs out of verbs."""
    while target is not None:
        doc = fetch(emu, call, target, context)
        if call.status in ("queued", "ringing") and call.direction == "inbound":
            _answer_inbound(call, doc)
        target = execute(emu, call, doc)


def _answer_inbound(call: EmulatedCall, doc: Document) -> None:
    """Answer an inbound call when its first TwiML does anything but <Reject>."""
    if doc.verbs and doc.verbs[0].tag == "Reject":
        return
    call.answer()
    call.log("answered")


def drive(emu: Emulator, call: EmulatedCall, target: Target | None) -> None:
    """Run a call's TwiML from target until it ends, then finish the call."""
    try:
        while target is not None:
            try:
                run_chain(emu, call, target, Context.MAIN)
                target = None
            except RedirectSignal as redirect:
                call.log("redirected", url=redirect.target.url)
                target = redirect.target
        call.log("hangup", reason="twiml-ended")
    except HangupSignal as hangup:
        _note_hangup(emu, call, hangup.reason)
    except AppError as exc:
        call.log("error", fault=exc.kind, detail=exc.detail)
        call.log("say", text=APPLICATION_ERROR, source="twilio", voice="", language="en-US")
    finally:
        emu.finish(call)


def _note_hangup(emu: Emulator, call: EmulatedCall, reason: str) -> None:
    """Record who ended the call; running past max_call_seconds is a fault."""
    call.log("hangup", reason=reason)
    if reason == "limit":
        emu.faults.record(
            call.sid,
            "call-did-not-end",
            f"still live after {call.caller.max_call_seconds} emulated seconds",
        )


# -- prompt verbs -----------------------------------------------------------------------------
def loops(el: ET.Element) -> int:
    """Return how many times to play; loop="0" means until interrupted (capped at 1000)."""
    n = int(el.get("loop", "1"))
    return n if n > 0 else 1000


def play_prompt(call: EmulatedCall, el: ET.Element, doc: Document, *, barge_in: bool) -> bool:
    """Play a Say/Play/Pause; return True if caller input interrupted it (barge-in)."""
    seconds = _log_prompt(call, el, doc)
    for _ in range(1 if el.tag == "Pause" else loops(el)):
        call.sleep(seconds, wake_on_input=barge_in)
        if barge_in and not call.inputs.empty():
            call.log("barge-in")
            return True
    return False


def _log_prompt(call: EmulatedCall, el: ET.Element, doc: Document) -> float:
    """Write the prompt to the transcript and return how long one loop lasts."""
    if el.tag == "Say":
        text = text_of(el)
        seconds = max(0.5, len(text.split()) * WORD_SECONDS)
        extra = {"voicemail": part} if (part := call.voicemail_part(seconds * loops(el))) else {}
        call.log(
            "say",
            text=text,
            voice=el.get("voice", ""),
            language=el.get("language", "en-US"),
            loop=loops(el),
            **extra,
        )
        return seconds
    if el.tag == "Play":
        if el.get("digits"):
            call.log("play", digits=el.get("digits"), loop=loops(el))
            return 0.5 * len(el.get("digits", ""))
        call.log("play", url=resolve(doc.url, text_of(el)), loop=loops(el))
        return PLAY_SECONDS
    length = float(el.get("length", "1"))
    call.log("pause", length=length)
    return length


def prompt(emu: Emulator, call: EmulatedCall, el: ET.Element, doc: Document) -> None:
    """Handle <Say>, <Play> and <Pause> at the top level of a document."""
    play_prompt(call, el, doc, barge_in=False)


def redirect(emu: Emulator, call: EmulatedCall, el: ET.Element, doc: Document) -> Target:
    """Handle <Redirect>: continue with the TwiML at its URL (POST unless told otherwise)."""
    url = resolve(doc.url, text_of(el))
    method = el.get("method", "POST").upper()
    call.log("redirect", url=url, method=method)
    return Target(url, method)


def hangup(emu: Emulator, call: EmulatedCall, el: ET.Element, doc: Document) -> None:
    """Handle <Hangup>."""
    raise HangupSignal("twiml")


def reject(emu: Emulator, call: EmulatedCall, el: ET.Element, doc: Document) -> None:
    """Handle <Reject>: refuse the call without answering it."""
    reason = el.get("reason", "rejected")
    call.log("reject", reason=reason)
    call.end_status = "busy" if reason == "busy" else "no-answer"
    raise HangupSignal("rejected")


def leave(emu: Emulator, call: EmulatedCall, el: ET.Element, doc: Document) -> None:
    """Handle <Leave>: only meaningful while waiting in a queue."""
    call.log("leave")
    if call.queue_sid is not None:
        raise LeaveSignal()
    emu.faults.record(call.sid, "twiml-warning", "<Leave> outside a queue is ignored")
