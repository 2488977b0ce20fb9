"""The <Enqueue> verb: wait music loop, and every way a caller leaves a queue."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from typing import TYPE_CHECKING

from emulator.engine import execute, fetch, resolve, run_chain
from emulator.signals import (
    AppError,
    DequeueSignal,
    HangupSignal,
    LeaveSignal,
    RedirectSignal,
    Target,
)
from emulator.twiml import Context, Document, text_of

if TYPE_CHECKING:
    from emulator.call import EmulatedCall
    from emulator.core import Emulator
    from emulator.queues import Queue

MIN_CYCLE_SECONDS = 1.0  # a waitUrl loop never spins faster than this, whatever it returns
HOLD_MUSIC_SECONDS = 10.0


@dataclass
class EnqueueSpec:
    """The attributes of one <Enqueue>, resolved against its document."""

    name: str
    action: str | None
    method: str
    wait_url: str | None
    wait_method: str

    @classmethod
    def from_element(cls, el: ET.Element, doc: Document) -> EnqueueSpec:
        """Read an <Enqueue>."""
        action, wait = el.get("action"), el.get("waitUrl")
        return cls(
            name=text_of(el),
            action=resolve(doc.url, action) if action else None,
            method=el.get("method", "POST").upper(),
            wait_url=resolve(doc.url, wait) if wait else None,
            wait_method=el.get("waitUrlMethod", "POST").upper(),
        )


def enqueue(emu: Emulator, call: EmulatedCall, el: ET.Element, doc: Document) -> Target | None:
    """Handle <Enqueue>: wait until bridged, left, redirected or hung up."""
    spec = EnqueueSpec.from_element(el, doc)
    queue = emu.queues.get_or_create(spec.name)
    if not emu.queues.join(queue, call):
        return _after(call, spec, queue, "queue-full", 0)
    call.log("enqueued", queue=spec.name, queue_sid=queue.sid, position=queue.position(call))
    if call.caller.hangup_in_queue_after is not None:
        call.deadlines["hangup-in-queue"] = emu.clock.now() + call.caller.hangup_in_queue_after
    try:
        result = _wait(emu, call, queue, spec)
    except (HangupSignal, RedirectSignal) as sig:
        waited = emu.queues.remove(queue, call) or 0.0
        outcome = "hangup" if isinstance(sig, HangupSignal) else "redirected"
        call.log("dequeued", result=outcome)
        if spec.action:
            # The call has gone elsewhere, so the action's TwiML is requested but ignored.
            _post_ignored(emu, call, spec, queue, outcome, waited)
        raise
    finally:
        emu.queues.remove(queue, call)  # no-op unless an application error cut the wait short
        call.deadlines.pop("hangup-in-queue", None)
    outcome, waited = result
    call.log("dequeued", result=outcome)
    return _after(call, spec, queue, outcome, waited)


def _wait(emu: Emulator, call: EmulatedCall, queue: Queue, spec: EnqueueSpec) -> tuple[str, float]:
    """Play the wait loop until something takes the call out of the queue."""
    try:
        while True:
            started = emu.clock.now()
            try:
                _wait_cycle(emu, call, queue, spec)
            except AppError as exc:
                # A failing waitUrl ends the wait: Twilio requests the action with
                # QueueResult=error (or runs the next verb), not "an application error".
                call.log("wait-url-error", fault=exc.kind, detail=exc.detail)
                return "error", emu.queues.remove(queue, call) or 0.0
            spent = emu.clock.now() - started
            if spent < MIN_CYCLE_SECONDS:
                call.sleep(MIN_CYCLE_SECONDS - spent)
    except LeaveSignal:
        return "leave", emu.queues.remove(queue, call) or 0.0
    except DequeueSignal as dequeued:
        waited = emu.queues.remove(queue, call) or 0.0
        call.deadlines.pop("hangup-in-queue", None)  # patience only runs out while waiting
        _be_bridged(emu, call, dequeued)
        return "bridged", waited


def _wait_cycle(emu: Emulator, call: EmulatedCall, queue: Queue, spec: EnqueueSpec) -> None:
    """Run the waitUrl document (and its redirects) once, or some default hold music."""
    if spec.wait_url is None:
        call.log("play", url="default-hold-music", loop=1)
        call.sleep(HOLD_MUSIC_SECONDS)
        return
    params = {
        "QueuePosition": str(queue.position(call)),
        "QueueSid": queue.sid,
        "QueueTime": str(emu.queues.wait_time(queue, call)),
        "AvgQueueTime": str(queue.average_wait()),
        "CurrentQueueSize": str(len(queue.members)),
        "MaxQueueSize": str(queue.max_size),
    }
    run_chain(emu, call, Target(spec.wait_url, spec.wait_method, params), Context.WAIT)


def _be_bridged(emu: Emulator, call: EmulatedCall, dequeued: DequeueSignal) -> None:
    """Play the dequeuer's whisper to this caller, then stay on until the bridge ends."""
    bridge = dequeued.bridge
    if dequeued.whisper is not None:
        doc = fetch(emu, call, dequeued.whisper, Context.WHISPER)
        execute(emu, call, doc)
    with bridge.cv:
        bridge.ready = True
        bridge.cv.notify_all()
    bridge.wait_ended()
    call.check()


def _after(
    call: EmulatedCall, spec: EnqueueSpec, queue: Queue, outcome: str, waited: float
) -> Target | None:
    """Continue at the action (with QueueResult) or with the verb after <Enqueue>."""
    if spec.action is None:
        return None
    return Target(spec.action, spec.method, _result_params(queue, outcome, waited))


def _result_params(queue: Queue, outcome: str, waited: float) -> dict[str, str]:
    """Return the parameters of an <Enqueue> action request."""
    return {"QueueResult": outcome, "QueueSid": queue.sid, "QueueTime": str(int(waited))}


def _post_ignored(
    emu: Emulator,
    call: EmulatedCall,
    spec: EnqueueSpec,
    queue: Queue,
    outcome: str,
    waited: float,
) -> None:
    """Request the action for its side effects only."""
    assert spec.action is not None
    params = {**call.params(), **_result_params(queue, outcome, waited)}
    if outcome == "hangup":
        params["CallStatus"] = "completed"
    emu.webhooks.send(call, spec.action, spec.method, params)
