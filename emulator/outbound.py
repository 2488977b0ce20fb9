"""Calls placed through the REST API: ring the party, then run the call's TwiML."""

from __future__ import annotations

from typing import TYPE_CHECKING

from emulator.engine import drive
from emulator.ringing import ring
from emulator.signals import Target

if TYPE_CHECKING:
    from emulator.call import EmulatedCall
    from emulator.core import Emulator


def place(
    emu: Emulator, call: EmulatedCall, target: Target, timeout: float, detect_machine: bool
) -> None:
    """Ring the callee; if answered, fetch the call's TwiML with Direction=outbound-api."""
    winner, _status = ring(emu, None, [call], timeout)
    if winner is None:
        return  # ring() has already finished the call with its status
    call.answer()
    if detect_machine:
        call.answered_by = "machine_start" if call.party and call.party.machine else "human"
        target.params["AnsweredBy"] = call.answered_by
    call.log("answered", answered_by=call.answered_by)
    emu.notify_status(call, "answered")
    emu.party_event(call.to, "connected", call_sid=call.sid, **{"with": None})
    drive(emu, call, target)
