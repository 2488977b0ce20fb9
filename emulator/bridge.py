"""Two answered legs talking to each other until one of them leaves."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from emulator.signals import HangupSignal, RedirectSignal

if TYPE_CHECKING:
    from emulator.call import EmulatedCall


def _gone(call: EmulatedCall) -> bool:
    """Tell whether a leg is hanging up or being taken elsewhere (not merely dequeued)."""
    return isinstance(call.poll(), (HangupSignal, RedirectSignal))


class Bridge:
    """Connect legs a and b; run() blocks until either hangs up, is redirected or time is up."""

    def __init__(self, a: EmulatedCall, b: EmulatedCall, time_limit: float = 14400.0) -> None:
        self.a, self.b = a, b
        self.time_limit = time_limit
        self.cv: threading.Condition = a.cv
        self.started_at: float | None = None
        self.ended = False
        self.ready = False  # set by a dequeued member once its whisper has played
        self.ender: EmulatedCall | None = None

    def wait_ready(self, timeout: float) -> bool:
        """Wait (emulated seconds) until the far side is ready to be connected."""
        clock = self.a.clock
        until = clock.now() + timeout
        with self.cv:
            while not self.ready and not _gone(self.a) and not _gone(self.b):
                left = until - clock.now()
                if left <= 0:
                    break
                self.cv.wait(clock.real(left) + 0.001)
            if not self.ready:
                self.ended = True  # release the far side: this bridge will never run
                self.cv.notify_all()
            return self.ready

    def run(self) -> EmulatedCall | None:
        """Bridge the legs; return the leg that ended it (None when timeLimit cut it)."""
        clock = self.a.clock
        self.started_at = clock.now()
        for leg, other in ((self.a, self.b), (self.b, self.a)):
            leg.log("bridged", **{"with": other.sid})
        limit = self.started_at + self.time_limit
        with self.cv:
            while True:
                self.ender = next((c for c in (self.a, self.b) if c.poll() is not None), None)
                now = clock.now()
                if self.ender is not None or now >= limit:
                    break
                wake = min([limit] + [d for c in (self.a, self.b) if (d := c.next_deadline())])
                self.cv.wait(clock.real(max(wake - now, 0.0)) + 0.001)
            self.ended = True
            self.cv.notify_all()
        for leg, other in ((self.a, self.b), (self.b, self.a)):
            leg.log("unbridged", **{"with": other.sid})
        return self.ender

    def wait_ended(self) -> None:
        """Block the far side's thread until the bridge is over."""
        with self.cv:
            self.cv.wait_for(lambda: self.ended)

    def duration(self) -> int:
        """Return the whole seconds the legs were connected."""
        if self.started_at is None:
            return 0
        return int(self.a.clock.now() - self.started_at)
