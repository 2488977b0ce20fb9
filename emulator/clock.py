"""Emulated time: real seconds scaled by time_scale so tests can run fast."""

import time


class Clock:
    """Convert between emulated seconds and real seconds."""

    def __init__(self, time_scale: float) -> None:
        if time_scale <= 0:
            raise ValueError("time_scale must be positive")
        self.scale = time_scale
        self._t0 = time.monotonic()

    def now(self) -> float:
        """Return emulated seconds since the emulator was created."""
        return (time.monotonic() - self._t0) / self.scale

    def real(self, emulated: float) -> float:
        """Return the real seconds that emulated seconds take."""
        return max(0.0, emulated * self.scale)
