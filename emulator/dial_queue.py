"""<Dial><Queue>: take the front caller out of a queue and bridge them to this call."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import TYPE_CHECKING

from emulator.bridge import Bridge
from emulator.dialing import DialOutcome, DialSpec
from emulator.engine import resolve
from emulator.signals import DequeueSignal, Target
from emulator.twiml import Document, text_of

if TYPE_CHECKING:
    from emulator.call import EmulatedCall
    from emulator.core import Emulator
    from emulator.queues import Queue

WHISPER_READY_SECONDS = 120.0


def dial_queue(
    emu: Emulator, call: EmulatedCall, noun: ET.Element, spec: DialSpec, doc: Document
) -> DialOutcome:
    """Bridge with the front member, waiting up to the Dial timeout for one to arrive."""
    queue = emu.queues.named(text_of(noun))
    if queue is None:
        return DialOutcome("failed")  # Twilio posts an error status when the queue does not exist
    bridge = _claim_front(emu, call, queue, noun, doc, spec.timeout)
    if bridge is None:
        return DialOutcome("no-answer" if call.poll() is None else "canceled")
    member = bridge.b
    if not bridge.wait_ready(WHISPER_READY_SECONDS):
        return DialOutcome("completed" if member.poll() else "failed", member.sid)
    call.log("answered", leg=member.sid)
    bridge.run()
    return DialOutcome("completed", member.sid, bridge.duration(), bridged=True)


def _claim_front(
    emu: Emulator,
    call: EmulatedCall,
    queue: Queue,
    noun: ET.Element,
    doc: Document,
    timeout: float,
) -> Bridge | None:
    """Wait for a member that can be dequeued and hand it a bridge; None on timeout."""
    until = emu.clock.now() + timeout
    with emu.cv:
        while call.poll() is None:
            member = next((m for m in queue.members if m.pending is None), None)
            if member is not None:
                bridge = Bridge(call, member)
                member.signal(
                    DequeueSignal(bridge, _whisper_target(emu, call, queue, member, noun, doc))
                )
                return bridge
            left = until - emu.clock.now()
            if left <= 0:
                return None
            emu.cv.wait(emu.clock.real(left) + 0.001)
    return None


def _whisper_target(
    emu: Emulator,
    call: EmulatedCall,
    queue: Queue,
    member: EmulatedCall,
    noun: ET.Element,
    doc: Document,
) -> Target | None:
    """Return the TwiML the dequeued caller hears before the bridge, if the noun has a url."""
    if not noun.get("url"):
        return None
    params = {
        "QueueSid": queue.sid,
        "QueueTime": str(emu.queues.wait_time(queue, member)),
        "DequeingCallSid": call.sid,
    }
    return Target(resolve(doc.url, noun.get("url")), noun.get("method", "POST").upper(), params)
