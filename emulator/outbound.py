"""Calls placed through the REST API: ring the party, detect machines, run the call's TwiML."""

from __future__ import annotations

from typing import TYPE_CHECKING

from emulator import amd
from emulator.engine import drive
from emulator.ringing import ring
from emulator.signals import HangupSignal, Target

if TYPE_CHECKING:
    from emulator.call import EmulatedCall
    from emulator.core import Emulator


def place(
    emu: Emulator,
    call: EmulatedCall,
    target: Target,
    timeout: float,
    detection: amd.Detection | None,
) -> None:
    """Ring the callee; if answered, fetch the call's TwiML with Direction=outbound-api."""
    winner, _status = ring(emu, None, [call], timeout)
    if winner is None:
        return  # ring() has already finished the call with its status
    call.answer()
    call.log("answered")
    emu.notify_status(call, "answered")
    emu.party_event(call.to, "connected", call_sid=call.sid, **{"with": None})
    if detection is not None and detection.asynchronous:
        amd.detect_later(emu, call, detection)
    elif detection is not None:
        try:
            # Synchronous detection holds the Url request: the callee hears silence meanwhile.
            target.params.update(amd.detect_now(call, detection))
        except HangupSignal as hangup:
            call.log("hangup", reason=hangup.reason)
            emu.finish(call)
            return
    drive(emu, call, target)
