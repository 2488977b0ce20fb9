"""<Dial><Conference>: named rooms where participants talk once the conference has started."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from emulator.dialing import DialOutcome, DialSpec
from emulator.ids import new_sid
from emulator.twiml import text_of

if TYPE_CHECKING:
    from emulator.call import EmulatedCall
    from emulator.core import Emulator


@dataclass
class Room:
    """A conference room and who is in it."""

    name: str
    sid: str = field(default_factory=lambda: new_sid("CF"))
    participants: list[EmulatedCall] = field(default_factory=list)
    started: bool = False
    ended: bool = False

    def live(self) -> bool:
        """Tell whether participants can hear each other."""
        return self.started and not self.ended and len(self.participants) >= 2


def join_conference(
    emu: Emulator, call: EmulatedCall, noun: ET.Element, spec: DialSpec
) -> DialOutcome:
    """Stay in the room until this caller leaves or the conference ends."""
    starts = noun.get("startConferenceOnEnter", "true") == "true"
    ends = noun.get("endConferenceOnExit", "false") == "true"
    with emu.cv:
        room = _room(emu, text_of(noun))
        room.participants.append(call)
        room.started = room.started or starts
        emu.cv.notify_all()
    call.log("conference-joined", room=room.name, conference_sid=room.sid)
    joined = emu.clock.now()
    was_live = _stay(emu, call, room, joined + spec.time_limit)
    with emu.cv:
        room.participants.remove(call)
        room.ended = room.ended or ends or not room.participants
        if not room.participants:
            emu.conferences.pop(room.name, None)
        emu.cv.notify_all()
    call.log("conference-left", room=room.name)
    return DialOutcome("completed", None, int(emu.clock.now() - joined), bridged=was_live)


def _room(emu: Emulator, name: str) -> Room:
    """Return the open room with this name, creating it on first use."""
    room = emu.conferences.get(name)
    if room is None or room.ended:
        room = emu.conferences[name] = Room(name)
    return room


def _stay(emu: Emulator, call: EmulatedCall, room: Room, until: float) -> bool:
    """Wait in the room, logging bridged/unbridged as others come and go; True if ever live."""
    bridged = ever = False
    with emu.cv:
        while call.poll() is None and not room.ended and emu.clock.now() < until:
            if room.live() != bridged:
                bridged = room.live()
                others = [p.sid for p in room.participants if p is not call]
                call.log("bridged" if bridged else "unbridged", **{"with": others})
                ever = ever or bridged
            wake = min(until, call.next_deadline() or until) - emu.clock.now()
            emu.cv.wait(emu.clock.real(max(wake, 0.0)) + 0.001)
    if bridged:
        call.log("unbridged", **{"with": []})
    return ever
