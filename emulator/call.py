"""One call leg as the emulator sees it: state, transcript and pending interruptions."""

from __future__ import annotations

import queue
import threading
from typing import TYPE_CHECKING, Any

from emulator.people import Action, Caller, Party
from emulator.signals import CallSignal, HangupSignal

if TYPE_CHECKING:
    from emulator.clock import Clock
    from emulator.status import StatusCallback

LIVE_STATUSES = {"queued", "initiated", "ringing", "in-progress"}


class EmulatedCall:
    """A call leg; every leg shares the emulator's condition variable for wake-ups."""

    def __init__(
        self,
        *,
        sid: str,
        from_: str,
        to: str,
        direction: str,
        clock: Clock,
        cv: threading.Condition,
        caller: Caller | None = None,
        party: Party | None = None,
        parent_sid: str | None = None,
    ) -> None:
        self.sid, self.from_, self.to, self.direction = sid, from_, to, direction
        self.parent_sid = parent_sid
        self.caller = caller or (party.caller() if party else Caller.scripted())
        self.party = party
        self.clock, self.cv = clock, cv
        self.status = "queued"
        self.transcript: list[dict[str, Any]] = []
        self.inputs: queue.Queue[Action] = queue.Queue()
        self.pending: CallSignal | None = None
        self.deadlines: dict[str, float] = {}
        self.created_at = clock.now()
        self.answered_at: float | None = None
        self.ended_at: float | None = None
        self.answered_by: str | None = None
        self.status_callback: StatusCallback | None = None
        self.sequence = 0
        # A progress callback held back to be delivered out of order (shuffled callbacks).
        self.held_callback: tuple[str, dict[str, str]] | None = None
        self.queue_sid: str | None = None
        self.current_url: str | None = None
        self.end_status: str | None = None
        self.ring_result: str | None = None
        self._ended = threading.Event()

    # -- transcript ---------------------------------------------------------------------------
    def log(self, kind: str, /, **data: Any) -> dict[str, Any]:
        """Append a transcript entry stamped with emulated time and wake any long-polls."""
        with self.cv:
            entry = {"index": len(self.transcript), "t": round(self.clock.now(), 3), "kind": kind}
            entry.update(data)
            self.transcript.append(entry)
            self.cv.notify_all()
        return entry

    def said(self) -> list[str]:
        """Return every text the caller heard spoken, in order."""
        return [e["text"] for e in self.transcript if e["kind"] == "say"]

    def voicemail(self) -> list[str]:
        """Return what a voicemail box recorded: texts spoken wholly after its greeting."""
        return [e["text"] for e in self.entries("say") if e.get("voicemail") == "left"]

    def said_over_greeting(self) -> list[str]:
        """Return texts spoken (wholly or partly) while a voicemail greeting still played."""
        return [e["text"] for e in self.entries("say") if e.get("voicemail") in ("lost", "clipped")]

    def voicemail_part(self, seconds: float) -> str | None:
        """Say where speech starting now and lasting `seconds` lands on a voicemail box.

        "lost" ends before the greeting does, "clipped" straddles its end (the box keeps only
        the tail), "left" is recorded whole; None when no voicemail box answered.
        """
        if self.party is None or not self.party.machine or self.answered_at is None:
            return None
        greeting_ends = self.answered_at + self.party.greeting_seconds
        start = self.clock.now()
        if start + seconds <= greeting_ends:
            return "lost"
        return "left" if start >= greeting_ends else "clipped"

    def entries(self, kind: str) -> list[dict[str, Any]]:
        """Return the transcript entries of one kind."""
        return [e for e in self.transcript if e["kind"] == kind]

    # -- lifecycle ----------------------------------------------------------------------------
    @property
    def live(self) -> bool:
        """Tell whether the call can still be redirected or hung up."""
        return self.status in LIVE_STATUSES and not self._ended.is_set()

    @property
    def ended(self) -> bool:
        """Tell whether the call has finished (status callbacks included)."""
        return self._ended.is_set()

    def wait(self, timeout: float = 30) -> bool:
        """Block until the call has ended; return False on timeout."""
        return self._ended.wait(timeout)

    def mark_ended(self) -> None:
        """Release everyone waiting for this call to end."""
        with self.cv:
            self._ended.set()
            self.cv.notify_all()

    def duration(self) -> int:
        """Return whole seconds from answer to end, as Twilio bills them."""
        if self.answered_at is None:
            return 0
        end = self.ended_at if self.ended_at is not None else self.clock.now()
        return int(end - self.answered_at)

    def answer(self) -> None:
        """Mark the leg answered and start the caller's or party's hang-up clocks."""
        self.status = "in-progress"
        self.answered_at = self.clock.now()
        talk = self.caller.hangup_after
        if talk is None and self.party is not None:
            talk = self.party.talk_for
        if talk is not None:
            self.deadlines["hangup"] = self.answered_at + talk
        self.deadlines["limit"] = self.created_at + self.caller.max_call_seconds

    # -- interruptions ------------------------------------------------------------------------
    def signal(self, sig: CallSignal) -> None:
        """Deliver an interruption; a hang-up always wins over anything pending."""
        with self.cv:
            if self.pending is None or isinstance(sig, HangupSignal):
                self.pending = sig
            self.cv.notify_all()

    def poll(self) -> CallSignal | None:
        """Return the pending interruption, turning passed deadlines into hang-ups."""
        if self.pending is None:
            now = self.clock.now()
            for name, at in self.deadlines.items():
                if now >= at:
                    self.pending = HangupSignal(name)
                    break
        return self.pending

    def check(self) -> None:
        """Raise the pending interruption; hang-ups stay pending so every later check raises."""
        with self.cv:
            sig = self.poll()
            if sig is not None and not isinstance(sig, HangupSignal):
                self.pending = None
        if sig is not None:
            raise sig

    def next_deadline(self) -> float | None:
        """Return the earliest emulated time at which this call hangs up by itself."""
        return min(self.deadlines.values(), default=None)

    def sleep(self, seconds: float, *, wake_on_input: bool = False) -> None:
        """Let emulated seconds pass unless the call is interrupted (then raise)."""
        until = self.clock.now() + seconds
        with self.cv:
            while True:
                if self.poll() is not None or (wake_on_input and not self.inputs.empty()):
                    break
                wake = min(until, self.next_deadline() or until)
                left = wake - self.clock.now()
                if left <= 0 and wake == until:
                    break
                self.cv.wait(self.clock.real(max(left, 0.0)) + 0.001)
        self.check()

    # -- interactive input --------------------------------------------------------------------
    def press(self, keys: str) -> None:
        """Type DTMF keys on an interactive call."""
        self._feed(Action("keys", keys))

    def speak(self, text: str) -> None:
        """Say something on an interactive call."""
        self._feed(Action("speech", text))

    def hangup(self) -> None:
        """Hang up as the caller."""
        self._feed(Action("hangup"))
        self.signal(HangupSignal("caller"))

    def _feed(self, action: Action) -> None:
        """Queue input for the next <Gather> and wake whoever is listening."""
        with self.cv:
            self.inputs.put(action)
            self.cv.notify_all()

    def params(self) -> dict[str, str]:
        """Return the parameters Twilio sends with every webhook about this call."""
        p = {
            "CallSid": self.sid,
            "From": self.from_,
            "To": self.to,
            "Caller": self.from_,
            "Called": self.to,
            "CallStatus": self.status,
            "Direction": self.direction,
            "ApiVersion": "2010-04-01",
        }
        for side, number in (
            ("From", self.from_),
            ("Caller", self.from_),
            ("To", self.to),
            ("Called", self.to),
        ):
            p.update(
                {
                    f"{side}City": "",
                    f"{side}State": "",
                    f"{side}Zip": "",
                    f"{side}Country": _country(number),
                }
            )
        if self.parent_sid:
            p["ParentCallSid"] = self.parent_sid
        return p


def _country(number: str) -> str:
    """Guess the ISO country Twilio would report for a number (empty when unknown)."""
    prefixes = {"+44": "GB", "+1": "US", "+353": "IE", "+33": "FR", "+49": "DE"}
    return next((c for p, c in prefixes.items() if number.startswith(p)), "")
