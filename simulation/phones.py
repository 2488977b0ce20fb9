"""The simulated people on the emulator's lines: victims who react to what they hear, agents.

A victim listens to the prompts (the texts of prompts/en-GB.json) and answers as their intent
says, so they notice when the desk does something unexpected instead of typing blindly.
"""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING

from emulator import Caller, Party
from emulator.people import Action
from prompts import catalogue
from simulation.model import Model, Victim, handle_time

if TYPE_CHECKING:
    from emulator.call import EmulatedCall

EN = catalogue("en-GB")


def _lead(key: str) -> str:
    """Return the fixed opening words of a prompt (before any {placeholder})."""
    return EN.text(key, **_blanks(key)).split("{")[0][:40]


def _blanks(key: str) -> dict[str, str]:
    names = ("helpline", "key", "number", "position", "estimate", "when", "date", "time")
    return dict.fromkeys(names, "{")


@dataclass(frozen=True)
class Heard:
    """Which question the caller is being asked, from the words they just heard."""

    words: str

    def asks(self, key: str) -> bool:
        """Tell whether the prompt `key` was among the words."""
        return _lead(key) in self.words


class VictimCaller(Caller):
    """A victim on one call: answers each <Gather> from what was just said."""

    def __init__(self, victim: Victim, helpline_policy: bool, patience: float) -> None:
        super().__init__(hangup_in_queue_after=patience, max_call_seconds=4 * 3600.0)
        self.victim, self.helpline_policy = victim, helpline_policy
        self.call: EmulatedCall | None = None
        self.attached = threading.Event()
        self.heard_upto = 0
        self.pressed_for_callback = False

    def attach(self, call: EmulatedCall) -> None:
        """Know the call this caller is on (dial returns it after the call thread starts)."""
        self.call = call
        self.attached.set()

    def next_action(self) -> Action:
        """Decide this <Gather>'s answer from the words said since the last one."""
        self.attached.wait(5)
        if self.call is None:
            return Caller.silence()
        said = [e for e in self.call.transcript[self.heard_upto :] if e["kind"] == "say"]
        self.heard_upto = len(self.call.transcript)
        return self.answer(Heard(" ".join(e["text"] for e in said)))

    def answer(self, heard: Heard) -> Action:
        """Return what this victim does after hearing `heard`."""
        victim, wants = self.victim, self._wants()
        if heard.asks("language.offer"):
            return Action("keys", "1")
        if heard.asks("after_status.menu"):
            return Action("keys", {"status": "5", "callback": "4"}.get(wants, "3"))
        if heard.asks("menu.main"):
            return Action("keys", "2" if wants == "person" else "1")
        if heard.asks("ask.reference"):
            return Action("keys", victim.keyed_reference)
        if heard.asks("ask.date_of_birth"):
            return Action("keys", victim.keyed_dob)
        return self._callback_answer(heard)

    def _wants(self) -> str:
        # A plain queue has no self-service and no callbacks: everyone asks for a person.
        return self.victim.intent if self.helpline_policy else "person"

    def _callback_answer(self, heard: Heard) -> Action:
        accepts = self.helpline_policy and (
            self.victim.accepts_callback or self.victim.intent == "callback"
        )
        if heard.asks("callback.confirm_number"):
            return Action("keys", "1")
        if heard.asks("callback.ask_safe"):
            return Action("keys", "1" if self.victim.safe_message else "2")
        if heard.asks("callback.ask_wanted"):
            return Action("keys", "1" if accepts else "2")
        if heard.asks("queue.long_wait_offer") and accepts and not self.pressed_for_callback:
            self.pressed_for_callback = True
            return Action("keys", "1")
        return Caller.silence()


class AgentPhone(Party):
    """An agent's softphone: answers after a few seconds, talks for a drawn handle time."""

    def __init__(self, model: Model, rng: random.Random) -> None:
        self._rng, self._model, self._lock = rng, model, threading.Lock()
        super().__init__(answer_after=model.agent_answer_after, talk_for=None)

    @property  # type: ignore[override]
    def talk_for(self) -> float | None:
        """Draw the next conversation's length (read once, when the agent's leg answers)."""
        with self._lock:
            return handle_time(self._model, self._rng)

    @talk_for.setter
    def talk_for(self, _value: float | None) -> None:
        """Ignore the fixed length Party's constructor sets; lengths are drawn per call."""


def victim_phone(victim: Victim) -> Party:
    """Return the victim's phone as a callback finds it: answered, voicemail or never."""
    if victim.callback_phone == "never":
        return Party(never_answer=True)
    return Party(answer_after=6.0, talk_for=None, machine=victim.callback_phone == "voicemail")
