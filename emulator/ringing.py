"""Ring one or more legs at once and decide who answers, per each Party's behaviour."""

from __future__ import annotations

from typing import TYPE_CHECKING

from emulator.people import Party

if TYPE_CHECKING:
    from emulator.call import EmulatedCall
    from emulator.core import Emulator

BUSY_AFTER = 0.5  # emulated seconds before a busy tone comes back


def ring_plan(party: Party | None) -> tuple[str, float] | None:
    """Return what an automatic party will do and when; None means it never decides."""
    if party is None or party.is_interactive or party.never_answer:
        return None
    if party.fail:
        return "failed", 0.0
    if party.busy:
        return "busy", BUSY_AFTER
    return "answered", party.answer_after


def ring(
    emu: Emulator, parent: EmulatedCall | None, legs: list[EmulatedCall], timeout: float
) -> tuple[EmulatedCall | None, str]:
    """Ring legs together; return the leg that answered (others canceled) or the failure status."""
    started = emu.clock.now()
    for leg in legs:
        _start_ringing(emu, parent, leg)
    with emu.cv:
        while (outcome := _settle(emu, parent, legs, started, timeout)) is None:
            wake = _next_wake(legs, started, timeout)
            if parent is not None and parent.next_deadline() is not None:
                wake = min(wake, parent.next_deadline() or wake)
            wake -= emu.clock.now()
            emu.cv.wait(emu.clock.real(wake) + 0.001)
    # Status callbacks go out after the lock is released: the app may call the REST API back.
    for leg in legs:
        if leg is not outcome[0]:
            _end_leg(emu, leg, leg.ring_result or "canceled")
    return outcome


def _settle(
    emu: Emulator,
    parent: EmulatedCall | None,
    legs: list[EmulatedCall],
    started: float,
    timeout: float,
) -> tuple[EmulatedCall | None, str] | None:
    """Return the ringing result once it is known, else None to keep ringing."""
    if parent is not None and parent.poll() is not None:
        _settle_undecided(legs, "canceled")
        return None, "canceled"
    _apply_due(emu, legs, started)
    winner = next((leg for leg in legs if leg.ring_result == "answered"), None)
    if winner is not None:
        _settle_undecided([leg for leg in legs if leg is not winner], "canceled")
        return winner, "answered"
    statuses = [leg.ring_result for leg in legs]
    if all(statuses):
        return None, next((s for s in ("busy", "failed") if s in statuses), statuses[0] or "")
    if emu.clock.now() >= started + timeout:
        _settle_undecided(legs, "no-answer")
        return None, "no-answer"
    return None


def _apply_due(emu: Emulator, legs: list[EmulatedCall], started: float) -> None:
    """Record every ringing decision that is due by now."""
    now = emu.clock.now()
    for leg in legs:
        plan = ring_plan(leg.party)
        if leg.ring_result is None and leg.poll() is not None:
            leg.ring_result = "canceled"
        elif leg.ring_result is None and plan is not None and now >= started + plan[1]:
            leg.ring_result = plan[0]


def _settle_undecided(legs: list[EmulatedCall], status: str) -> None:
    """Give every leg still ringing (or answering too late) the given status."""
    for leg in legs:
        if leg.ring_result in (None, "answered"):
            leg.ring_result = status


def _start_ringing(emu: Emulator, parent: EmulatedCall | None, leg: EmulatedCall) -> None:
    """Move a leg to ringing, tell interested parties and status callbacks."""
    emu.notify_status(leg, "initiated")
    leg.status = "ringing"
    leg.log("ringing", to=leg.to)
    if parent is not None:
        parent.log("ringing", to=leg.to, leg=leg.sid)
    emu.party_event(leg.to, "ringing", call_sid=leg.sid, **{"from": leg.from_})
    emu.notify_status(leg, "ringing")


def _next_wake(legs: list[EmulatedCall], started: float, timeout: float) -> float:
    """Return the emulated time of the next scheduled ringing decision."""
    times = [started + timeout]
    for leg in legs:
        plan = ring_plan(leg.party)
        if plan is not None and leg.ring_result is None:
            times.append(started + plan[1])
    return min(times)


def _end_leg(emu: Emulator, leg: EmulatedCall, status: str) -> None:
    """Finish a leg that was never answered."""
    if leg.ended:
        return
    leg.end_status = status
    leg.log("ring-result", status=status)
    emu.finish(leg)
