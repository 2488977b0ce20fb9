"""Call progress (status) callbacks: which events, their parameters and their order."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from emulator.ids import rfc2822_now

if TYPE_CHECKING:
    from emulator.call import EmulatedCall
    from emulator.webhooks import WebhookClient

FINAL_EVENT = "completed"
EVENT_STATUS = {"initiated": "initiated", "ringing": "ringing", "answered": "in-progress"}


@dataclass
class StatusCallback:
    """Where and for which events a call reports its progress."""

    url: str
    method: str = "POST"
    events: set[str] = field(default_factory=lambda: {FINAL_EVENT})

    @classmethod
    def parse(cls, url: str | None, method: str | None, events: list[str]) -> StatusCallback | None:
        """Build from API/TwiML values; events may be repeated or space-separated."""
        if not url:
            return None
        names = {name for value in events for name in value.split()} or {FINAL_EVENT}
        return cls(url, (method or "POST").upper(), names)


def emit(webhooks: WebhookClient, call: EmulatedCall, event: str, *, shuffle: bool = False) -> None:
    """Send one progress callback if the call asked for it; the final one is always sent.

    Twilio guarantees neither order nor single delivery. With `shuffle`, each progress
    callback is held back and delivered after the next one (so "in-progress" can arrive after
    "completed"), and the final one is delivered twice (each time with its own idempotency
    token, as two separate deliveries would be).
    """
    cb = call.status_callback
    if cb is None or (event not in cb.events and event != FINAL_EVENT):
        return
    params = _params(call, event)
    if not shuffle:
        _deliver(webhooks, call, cb, event, params)
        return
    held, call.held_callback = call.held_callback, None
    if held is None and event != FINAL_EVENT:
        call.held_callback = (event, params)
        return
    _deliver(webhooks, call, cb, event, params)
    if held is not None:
        _deliver(webhooks, call, cb, held[0], held[1], late=True)
    if event == FINAL_EVENT:
        _deliver(webhooks, call, cb, event, params, duplicate=True)


def _params(call: EmulatedCall, event: str) -> dict[str, str]:
    """Return a progress callback's parameters and count it in the call's sequence."""
    params = call.params()
    params["CallStatus"] = EVENT_STATUS.get(event, call.status)
    params.update(
        Timestamp=rfc2822_now(),
        SequenceNumber=str(call.sequence),
        CallbackSource="call-progress-events",
    )
    if event == FINAL_EVENT:
        params["CallDuration"] = str(call.duration())
        params["Duration"] = str(max(1, (call.duration() + 59) // 60)) if call.duration() else "0"
    if call.answered_by:
        params["AnsweredBy"] = call.answered_by
    call.sequence += 1
    return params


def _deliver(
    webhooks: WebhookClient,
    call: EmulatedCall,
    cb: StatusCallback,
    event: str,
    params: dict[str, str],
    **how: bool,
) -> None:
    """POST (or GET) one progress callback and note it on the call's transcript."""
    reply = webhooks.send(None, cb.url, cb.method, params)
    if reply is not None and not 200 <= reply.status < 300:
        webhooks.faults.record(call.sid, "status-callback", f"HTTP {reply.status}", url=cb.url)
    call.log(
        "status-callback",
        event=event,
        status=params["CallStatus"],
        sequence=int(params["SequenceNumber"]),
        **how,
    )
