"""The humans on the line: callers who dial in and parties who get rung."""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Action:
    """One thing a caller does when a <Gather> listens: keys, speech, silence or hang up."""

    kind: str
    value: str = ""


class Caller:
    """Decide what a caller does at each <Gather> and when they give up."""

    def __init__(
        self,
        actions: Iterable[str | Action] = (),
        *,
        interactive: bool = False,
        hangup_after: float | None = None,
        hangup_in_queue_after: float | None = None,
        answer_callbacks: bool = False,
        max_call_seconds: float = 3600.0,
    ) -> None:
        self._actions = deque(_as_action(a) for a in actions)
        self._lock = threading.Lock()
        self.is_interactive = interactive
        self.hangup_after = hangup_after
        self.hangup_in_queue_after = hangup_in_queue_after
        self.answer_callbacks = answer_callbacks
        self.max_call_seconds = max_call_seconds

    @classmethod
    def scripted(cls, actions: Iterable[str | Action] = (), **options: Any) -> Caller:
        """Build a caller who plays one action per <Gather>, then stays silent."""
        return cls(actions, **options)

    @classmethod
    def interactive(cls, **options: Any) -> Caller:
        """Build a caller whose input arrives through call.press/speak/hangup."""
        return cls((), interactive=True, **options)

    @staticmethod
    def silence() -> Action:
        """Say nothing at this <Gather> so it times out."""
        return Action("silence")

    @staticmethod
    def speak(text: str) -> Action:
        """Answer this <Gather> with speech."""
        return Action("speech", text)

    @staticmethod
    def hangup() -> Action:
        """Hang up when this <Gather> starts listening."""
        return Action("hangup")

    def next_action(self) -> Action:
        """Return the scripted action for the next <Gather> (silence once the script is spent)."""
        with self._lock:
            return self._actions.popleft() if self._actions else Action("silence")


def _as_action(item: str | Action) -> Action:
    """Turn a bare string of keys into an Action."""
    return item if isinstance(item, Action) else Action("keys", item)


@dataclass
class Party:
    """Someone the emulator rings: an agent's softphone or a victim's phone.

    `machine` is a voicemail box whose greeting runs `greeting_seconds` and then ends with
    `message_end` ("beep", "silence" or "other"); it records only what is said after that.
    `fax` is a fax machine; `silent` answers and says nothing (detection gives "unknown").
    """

    answer_after: float = 1.0
    talk_for: float | None = 30.0
    machine: bool = False
    greeting_seconds: float = 8.0
    message_end: str = "beep"
    fax: bool = False
    silent: bool = False
    never_answer: bool = False
    busy: bool = False
    fail: bool = False
    inputs: list[str | Action] = field(default_factory=list)
    mode: str = "auto"
    events: list[dict[str, Any]] = field(default_factory=list, repr=False)

    @classmethod
    def interactive(cls) -> Party:
        """Build a party that answers, rejects and hangs up through the control API."""
        return cls(mode="interactive", talk_for=None)

    @property
    def is_interactive(self) -> bool:
        """Tell whether a person drives this party through the control API."""
        return self.mode == "interactive"

    def caller(self) -> Caller:
        """Return the input source for TwiML this party hears (whispers, outbound calls)."""
        return Caller.scripted(self.inputs, interactive=self.is_interactive)
