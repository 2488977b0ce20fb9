"""A REST outage on demand: every API request answers 500, or hangs, until it is lifted.

Twilio has bad days; tests use this to show that nothing a caller hears waits on its API.
"""

from __future__ import annotations

import threading

from flask import Response

from emulator.rest_common import error

HANG_LIMIT_SECONDS = 30.0


class Outage:
    """The REST API's health: None (up), "error" (500 with code 20500) or "hang"."""

    def __init__(self) -> None:
        self.mode: str | None = None
        self._lifted = threading.Event()

    def begin(self, mode: str) -> None:
        """Start failing every REST request the given way."""
        if mode not in ("error", "hang"):
            raise ValueError(f"unknown outage mode {mode!r}")
        self._lifted.clear()
        self.mode = mode

    def end(self) -> None:
        """Answer normally again (and release requests left hanging)."""
        self.mode = None
        self._lifted.set()

    def answer(self) -> Response:
        """Fail one request: at once, or after hanging until the outage ends (bounded)."""
        if self.mode == "hang":
            self._lifted.wait(HANG_LIMIT_SECONDS)
        return error(500, 20500, "Internal Server Error")
