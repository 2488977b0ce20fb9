"""Ground truth: what each simulated victim did and got, read from the emulator's transcripts."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from simulation.model import Victim
from simulation.phones import EN

if TYPE_CHECKING:
    from emulator.call import EmulatedCall

REQUESTED = tuple(EN.text(k).split("{")[0][:30] for k in ("callback.queued_open",))
REQUESTED += (EN.text("callback.queued_closed", when="{").split("{")[0][:30],)


@dataclass
class CallTruth:
    """One inbound call as the caller lived it (times in emulated seconds)."""

    placed: float
    heard_status: bool = False
    queued_at: float | None = None
    answered_at: float | None = None
    abandoned: bool = False
    dropped: bool = False  # queued, then the desk said goodbye and hung up, unanswered
    left_for_callback: bool = False
    requested_callback_at: float | None = None

    @property
    def wait(self) -> float | None:
        """Return seconds from joining the queue to an agent picking up (or giving up)."""
        if self.queued_at is None:
            return None
        return (self.answered_at or self.queued_at) - self.queued_at

    @property
    def self_served(self) -> bool:
        """Heard their status and left the IVR without queueing or asking for a callback."""
        return self.heard_status and self.queued_at is None and not self.requested_callback_at


def read_call(call: EmulatedCall, victim: Victim) -> CallTruth:
    """Classify one inbound call from its transcript."""
    entries = call.transcript
    truth = CallTruth(placed=entries[0]["t"] if entries else 0.0)
    pickup = None
    for entry in entries:
        kind = entry["kind"]
        if kind == "say" and victim.status_detail in entry["text"]:
            truth.heard_status = True
        elif kind == "say" and entry["text"].startswith(REQUESTED):
            truth.requested_callback_at = truth.requested_callback_at or entry["t"]
        elif kind == "enqueued" and truth.queued_at is None:
            truth.queued_at = entry["t"]
        elif kind == "dequeued" and entry.get("result") == "leave":
            truth.left_for_callback = True
        elif kind == "answered" and "leg" in entry:
            pickup = entry["t"]
        elif kind == "bridged" and truth.answered_at is None:
            truth.answered_at = pickup if pickup is not None else entry["t"]
    truth.abandoned = _abandoned(entries, truth)
    truth.dropped = _dropped(entries, truth)
    return truth


def _dropped(entries: list[dict[str, Any]], truth: CallTruth) -> bool:
    """Queued and never answered, and it was the desk's TwiML that hung up, not the caller."""
    if truth.queued_at is None or truth.answered_at is not None or truth.left_for_callback:
        return False
    return not truth.abandoned and any(
        e["kind"] == "hangup" and e.get("reason") == "twiml" for e in entries
    )


def _abandoned(entries: list[dict[str, Any]], truth: CallTruth) -> bool:
    """Hung up while waiting: queued, never answered, not gone to a callback."""
    if truth.queued_at is None or truth.answered_at is not None or truth.left_for_callback:
        return False
    return any(e["kind"] == "dequeued" and e.get("result") == "hangup" for e in entries) or any(
        e["kind"] == "hangup" and e.get("reason") == "hangup-in-queue" for e in entries
    )


@dataclass
class CallbackLeg:
    """One callback attempt's ring to the victim."""

    rang_at: float
    answered: bool
    machine: bool
    answered_at: float | None


def read_callback_leg(call: EmulatedCall) -> CallbackLeg:
    """Classify an outbound call to a victim's phone."""
    machine = (call.answered_by or "").startswith("machine")
    return CallbackLeg(call.created_at, call.answered_at is not None, machine, call.answered_at)


@dataclass
class VictimTruth:
    """Everything one victim did and got in the simulated period."""

    victim: Victim
    calls: list[CallTruth] = field(default_factory=list)
    callback_legs: list[CallbackLeg] = field(default_factory=list)

    @property
    def requested_at(self) -> float | None:
        """Return when the victim first asked for a callback (emulated s), if they did."""
        return next((c.requested_callback_at for c in self.calls if c.requested_callback_at), None)

    @property
    def called_back_at(self) -> float | None:
        """Return when a callback reached the victim (in person, or a permitted voicemail)."""
        for leg in self.callback_legs:
            if leg.answered and (not leg.machine or self.victim.safe_message):
                return leg.answered_at
        return None

    @property
    def voicemail(self) -> bool:
        """Tell whether the callback that reached them was a voicemail."""
        reached = [leg for leg in self.callback_legs if leg.answered]
        return bool(reached) and reached[0].machine

    def answered_within(self, seconds: float) -> bool:
        """Tell whether an answered call of theirs waited at most `seconds`."""
        return any(c.answered_at is not None and (c.wait or 0) <= seconds for c in self.calls)

    def need_met(self, seconds: float = 120) -> bool:
        """Self-served, answered within `seconds`, or called back (the Done-when definition)."""
        self_served = self.victim.intent == "status" and any(c.self_served for c in self.calls)
        return self_served or self.answered_within(seconds) or self.called_back_at is not None
