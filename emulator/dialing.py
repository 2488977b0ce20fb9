"""The <Dial> verb: ring numbers and clients, whisper, bridge, and report DialCallStatus."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from typing import TYPE_CHECKING

from emulator.bridge import Bridge
from emulator.engine import resolve, run_chain
from emulator.ringing import ring
from emulator.signals import AppError, HangupSignal, RedirectSignal, Target
from emulator.status import StatusCallback
from emulator.twiml import Context, Document, text_of

if TYPE_CHECKING:
    from emulator.call import EmulatedCall
    from emulator.core import Emulator

DIAL_NOUNS = {"Number", "Client"}


@dataclass
class DialSpec:
    """The attributes of one <Dial>, with Twilio's defaults."""

    action: str | None
    method: str
    timeout: float
    time_limit: float
    caller_id: str | None

    @classmethod
    def from_element(cls, el: ET.Element, doc: Document) -> DialSpec:
        """Read a <Dial>."""
        action = el.get("action")
        return cls(
            action=resolve(doc.url, action) if action else None,
            method=el.get("method", "POST").upper(),
            timeout=float(el.get("timeout", "30")),
            time_limit=float(el.get("timeLimit", "14400")),
            caller_id=el.get("callerId"),
        )


@dataclass
class DialOutcome:
    """How a <Dial> ended, as reported to its action."""

    status: str
    leg_sid: str | None = None
    duration: int = 0
    bridged: bool = False

    def params(self) -> dict[str, str]:
        """Return the parameters of the Dial action request."""
        p = {"DialCallStatus": self.status, "DialBridged": str(self.bridged).lower()}
        if self.leg_sid:
            p.update(DialCallSid=self.leg_sid, DialCallDuration=str(self.duration))
        return p


def dial(emu: Emulator, call: EmulatedCall, el: ET.Element, doc: Document) -> Target | None:
    """Handle <Dial>; without an action the next verb runs once the dialled leg is done."""
    from emulator.conference import join_conference
    from emulator.dial_queue import dial_queue

    spec = DialSpec.from_element(el, doc)
    nouns = list(el) or [_text_number(el)]
    call.log("dial", targets=[_target_of(n) for n in nouns], timeout=spec.timeout)
    if nouns[0].tag == "Queue":
        outcome = dial_queue(emu, call, nouns[0], spec, doc)
    elif nouns[0].tag == "Conference":
        outcome = join_conference(emu, call, nouns[0], spec)
    else:
        outcome = dial_parties(emu, call, nouns, spec, doc)
    call.log("dial-result", **outcome.params())
    return _continue(emu, call, spec, outcome)


def _continue(
    emu: Emulator, call: EmulatedCall, spec: DialSpec, outcome: DialOutcome
) -> Target | None:
    """Go to the action (still requested, then ignored, if the caller has hung up)."""
    if isinstance(call.poll(), HangupSignal) and spec.action:
        params = {**call.params(), **outcome.params(), "CallStatus": "completed"}
        emu.webhooks.send(call, spec.action, spec.method, params)
    call.check()
    return Target(spec.action, spec.method, outcome.params()) if spec.action else None


def _text_number(el: ET.Element) -> ET.Element:
    """Treat <Dial>+447700900123</Dial> as a <Number> child."""
    number = ET.Element("Number")
    number.text = text_of(el)
    return number


def _target_of(noun: ET.Element) -> str:
    """Return the party key a noun rings: client:<identity> or the number itself."""
    identity = noun.findtext("Identity") if noun.tag == "Client" else None
    name = (identity or text_of(noun)).strip()
    return f"client:{name}" if noun.tag == "Client" and not name.startswith("client:") else name


def dial_parties(
    emu: Emulator, call: EmulatedCall, nouns: list[ET.Element], spec: DialSpec, doc: Document
) -> DialOutcome:
    """Ring Number/Client nouns together, whisper to whoever answers, then bridge."""
    legs = [_new_leg(emu, call, noun, spec, doc) for noun in nouns if noun.tag in DIAL_NOUNS]
    if not legs:
        emu.faults.record(call.sid, "unsupported-noun", f"<{nouns[0].tag}> is not emulated")
        return DialOutcome("failed")
    winner, status = ring(emu, call, legs, spec.timeout)
    if winner is None:
        return DialOutcome(status, legs[0].sid if len(legs) == 1 else None)
    _answer_leg(emu, call, winner)
    noun = nouns[legs.index(winner)]
    if noun.get("url") and not _whisper(emu, winner, noun, doc):
        emu.finish(winner)
        return DialOutcome("completed", winner.sid, 0, bridged=False)
    bridge = Bridge(call, winner, spec.time_limit)
    emu.party_event(winner.to, "connected", call_sid=winner.sid, **{"with": call.sid})
    bridge.run()
    _hang_up_leg(emu, winner)
    return DialOutcome("completed", winner.sid, winner.duration(), bridged=True)


def _new_leg(
    emu: Emulator, parent: EmulatedCall, noun: ET.Element, spec: DialSpec, doc: Document
) -> EmulatedCall:
    """Create the outbound-dial leg for one noun, with its own status callback."""
    to = _target_of(noun)
    from_ = spec.caller_id or parent.from_
    leg = emu.new_call(
        from_=from_,
        to=to,
        direction="outbound-dial",
        party=emu.parties.get(to),
        parent_sid=parent.sid,
    )
    cb = noun.get("statusCallback")
    leg.status_callback = StatusCallback.parse(
        resolve(doc.url, cb) if cb else None,
        noun.get("statusCallbackMethod"),
        [noun.get("statusCallbackEvent", "")],
    )
    return leg


def _answer_leg(emu: Emulator, parent: EmulatedCall, leg: EmulatedCall) -> None:
    """Mark the winning leg answered on both transcripts."""
    leg.answer()
    leg.log("answered")
    parent.log("answered", leg=leg.sid)
    emu.notify_status(leg, "answered")


def _whisper(emu: Emulator, leg: EmulatedCall, noun: ET.Element, doc: Document) -> bool:
    """Run the noun's url on the callee leg; False if the callee leg hung up during it."""
    target = Target(resolve(doc.url, noun.get("url")), noun.get("method", "POST").upper())
    try:
        run_chain(emu, leg, target, Context.WHISPER)
    except (HangupSignal, RedirectSignal, AppError) as exc:
        leg.log("hangup", reason=f"whisper:{type(exc).__name__}")
        return False
    texts = leg.said()
    if texts:
        emu.party_event(leg.to, "whisper", call_sid=leg.sid, text=" ".join(texts))
    return True


def _hang_up_leg(emu: Emulator, leg: EmulatedCall) -> None:
    """End the dialled leg once the bridge is over (whoever hung up first)."""
    leg.log("hangup", reason=getattr(leg.poll(), "reason", "bridge-ended"))
    emu.finish(leg)
