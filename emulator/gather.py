"""The <Gather> verb: prompts with barge-in, DTMF and speech collection, fall-through."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from emulator.engine import play_prompt, resolve
from emulator.people import Action
from emulator.signals import HangupSignal, Target

if TYPE_CHECKING:
    from emulator.call import EmulatedCall
    from emulator.core import Emulator
    from emulator.twiml import Document

KEY_SECONDS = 0.2  # how long a scripted caller takes per key press
CONFIDENCE = "0.9"


@dataclass
class GatherSpec:
    """The attributes of one <Gather>, with Twilio's defaults applied."""

    inputs: set[str]
    num_digits: int | None
    finish_on_key: str
    timeout: float
    action: str
    method: str
    on_empty: bool
    language: str

    @classmethod
    def from_element(cls, el: ET.Element, doc: Document) -> GatherSpec:
        """Read a <Gather>; a missing action posts back to the current document's URL."""
        return cls(
            inputs=set(el.get("input", "dtmf").split()),
            num_digits=int(el.get("numDigits", "0")) or None,
            finish_on_key=el.get("finishOnKey", "#"),
            timeout=float(el.get("timeout", "5")),
            action=resolve(doc.url, el.get("action")),
            method=el.get("method", "POST").upper(),
            on_empty=el.get("actionOnEmptyResult", "false") == "true",
            language=el.get("language", "en-US"),
        )


@dataclass
class Result:
    """What the caller gave a <Gather>."""

    digits: str = ""
    finished_on_key: str = ""
    speech: str | None = None
    done: bool = False
    pressed: list[str] = field(default_factory=list)

    def press(self, key: str, spec: GatherSpec) -> None:
        """Take one key the way Twilio does: finishOnKey ends input and is not kept."""
        if self.done:
            return
        if spec.finish_on_key and key == spec.finish_on_key:
            self.finished_on_key, self.done = key, True
        else:
            self.digits += key
            self.done = spec.num_digits is not None and len(self.digits) >= spec.num_digits

    @property
    def empty(self) -> bool:
        """Tell whether nothing usable was collected.

        A bare finishOnKey counts as no input: Twilio then continues with the next verb
        instead of requesting the action (https://www.twilio.com/docs/voice/twiml/gather).
        """
        return not self.digits and self.speech is None

    def params(self, spec: GatherSpec) -> dict[str, str]:
        """Return the parameters Twilio posts to the Gather action."""
        if self.speech is not None:
            return {
                "SpeechResult": self.speech,
                "Confidence": CONFIDENCE,
                "Language": spec.language,
            }
        return {"Digits": self.digits, "FinishedOnKey": self.finished_on_key}


def gather(emu: Emulator, call: EmulatedCall, el: ET.Element, doc: Document) -> Target | None:
    """Handle <Gather>; with no input fall through unless actionOnEmptyResult is true."""
    spec = GatherSpec.from_element(el, doc)
    call.log(
        "gather",
        input=" ".join(sorted(spec.inputs)),
        numDigits=spec.num_digits,
        finishOnKey=spec.finish_on_key,
        timeout=spec.timeout,
        action=spec.action,
    )
    for child in el:
        if play_prompt(call, child, doc, barge_in=call.caller.is_interactive):
            break
    result = (
        _listen_live(call, spec) if call.caller.is_interactive else _listen_scripted(call, spec)
    )
    if result.empty and not spec.on_empty:
        call.log("gather-timeout")
        return None
    call.log(
        "input", digits=result.digits, finishedOnKey=result.finished_on_key, speech=result.speech
    )
    return Target(spec.action, spec.method, result.params(spec))


def _listen_scripted(call: EmulatedCall, spec: GatherSpec) -> Result:
    """Apply the caller's next scripted action."""
    action = call.caller.next_action()
    result = Result()
    if action.kind == "hangup":
        call.signal(HangupSignal("caller"))
        call.check()
    if action.kind == "keys" and "dtmf" in spec.inputs:
        for key in action.value:
            result.press(key, spec)
        call.sleep(KEY_SECONDS * len(action.value))
    elif action.kind == "speech" and "speech" in spec.inputs:
        call.sleep(max(1.0, len(action.value.split()) * 0.4))
        result.speech, result.done = action.value, True
    if not result.done:
        call.sleep(spec.timeout)  # Twilio submits partial digits after timeout of silence
    return result


def _listen_live(call: EmulatedCall, spec: GatherSpec) -> Result:
    """Collect input typed by a person until done or timeout seconds of silence."""
    result = Result()
    while not result.done:
        if call.inputs.empty():
            call.sleep(spec.timeout, wake_on_input=True)
        if call.inputs.empty():
            break
        _apply_live(call.inputs.get(), result, spec)
        call.check()
    return result


def _apply_live(action: Action, result: Result, spec: GatherSpec) -> None:
    """Feed one interactive action into the result."""
    if action.kind == "keys" and "dtmf" in spec.inputs:
        for key in action.value:
            result.press(key, spec)
    elif action.kind == "speech" and "speech" in spec.inputs:
        result.speech, result.done = action.value, True
