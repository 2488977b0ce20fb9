"""Drive one simulated period through the running stack: dial victims, redial, wait to settle."""

from __future__ import annotations

import datetime as dt
import heapq
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from emulator import Emulator
from emulator.call import EmulatedCall
from simulation.model import Model, Victim
from simulation.phones import VictimCaller
from simulation.truth import VictimTruth, read_call, read_callback_leg

TICK = 0.05  # real seconds between looks at the clock
CHORES_EVERY = 1.0  # real seconds between the agents' looks at their desks


@dataclass
class Timeline:
    """Map desk time to the emulator's seconds: app time = origin + (emulated - offset)."""

    origin: dt.datetime
    offset: float

    def emulated(self, at: dt.datetime) -> float:
        """Return the emulator's clock reading at desk time `at`."""
        return self.offset + (at - self.origin).total_seconds()

    def desk(self, emulated: float) -> dt.datetime:
        """Return the desk time at an emulator clock reading."""
        return self.origin + dt.timedelta(seconds=emulated - self.offset)


@dataclass
class Driver:
    """Place every victim's calls at their times and collect what happened."""

    emu: Emulator
    model: Model
    timeline: Timeline
    helpline_policy: bool
    end: dt.datetime  # no new call (first or redial) after this desk time
    drain_seconds: float = 3 * 3600.0  # desk time allowed after `end` for things to settle
    calls: dict[str, tuple[Victim, int, EmulatedCall]] = field(default_factory=dict)
    _due: list[tuple[float, int, int]] = field(default_factory=list)
    _victims: dict[int, Victim] = field(default_factory=dict)
    _settled: set[str] = field(default_factory=set)

    def schedule(self, people: list[Victim]) -> None:
        """Queue every victim's first call."""
        for victim in people:
            self._victims[victim.number] = victim
            self._push(self.timeline.emulated(victim.first_call), victim, 0)

    def _push(self, at: float, victim: Victim, index: int) -> None:
        heapq.heappush(self._due, (at, victim.number, index))

    def step(self) -> None:
        """Dial what is due, and schedule redials for calls that just ended in an abandon."""
        now = self.emu.clock.now()
        while self._due and self._due[0][0] <= now:
            _, number, index = heapq.heappop(self._due)
            self._dial(self._victims[number], index)
        for sid, (victim, index, call) in list(self.calls.items()):
            if sid not in self._settled and call.ended:
                self._settled.add(sid)
                self._maybe_redial(victim, index, call)

    def _dial(self, victim: Victim, index: int) -> None:
        caller = VictimCaller(victim, self.helpline_policy, victim.patience[index])
        call = self.emu.dial(from_=victim.phone, caller=caller)
        caller.attach(call)
        self.calls[call.sid] = (victim, index, call)

    def _maybe_redial(self, victim: Victim, index: int, call: EmulatedCall) -> None:
        truth = read_call(call, victim)
        if not truth.abandoned or index + 1 >= self.model.max_calls:
            return
        delay = victim.redial_delays[index]
        at = (call.ended_at or self.emu.clock.now()) + (delay or 0)
        if delay is not None and self.timeline.desk(at) < self.end:
            self._push(at, victim, index + 1)

    @property
    def busy(self) -> bool:
        """Tell whether calls are still due or live."""
        return bool(self._due) or any(not c.ended for _, _, c in self.calls.values())

    def run(
        self,
        until: float,
        progress: Callable[[float], None],
        settled: Callable[[], bool],
        chores: Callable[[], None] = lambda: None,
    ) -> None:
        """Step until emulated time `until` has passed with nothing left to do, or until+drain."""
        last_chores = 0.0
        while True:
            self.step()
            now = self.emu.clock.now()
            progress(now)
            if time.monotonic() - last_chores >= CHORES_EVERY:
                chores()
                last_chores = time.monotonic()
            if now >= until and not self.busy and settled():
                return
            if now >= until + self.drain_seconds:
                return
            time.sleep(TICK)

    def truths(self) -> list[VictimTruth]:
        """Return each victim's calls and callback rings, in victim order."""
        by_victim = {n: VictimTruth(v) for n, v in self._victims.items()}
        for victim, _, call in self.calls.values():
            by_victim[victim.number].calls.append(read_call(call, victim))
        phones = {v.phone: n for n, v in self._victims.items()}
        for call in list(self.emu.calls.values()):
            if call.direction == "outbound-api" and call.to in phones:
                by_victim[phones[call.to]].callback_legs.append(read_callback_leg(call))
        for truth in by_victim.values():
            truth.calls.sort(key=lambda c: c.placed)
            truth.callback_legs.sort(key=lambda leg: leg.rang_at)
        return [by_victim[n] for n in sorted(by_victim)]
