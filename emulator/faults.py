"""A thread-safe record of everything Twilio would have complained about."""

from __future__ import annotations

import threading
from typing import Any


class FaultLog(list[dict[str, Any]]):
    """List of fault dicts (call_sid, kind, detail, ...) appended from many threads."""

    def __init__(self) -> None:
        super().__init__()
        self._lock = threading.Lock()

    def record(self, call_sid: str | None, kind: str, detail: str, **extra: Any) -> dict[str, Any]:
        """Append one fault and return it."""
        fault = {"call_sid": call_sid, "kind": kind, "detail": detail, **extra}
        with self._lock:
            self.append(fault)
        return fault

    def of_kind(self, kind: str) -> list[dict[str, Any]]:
        """Return the faults of one kind."""
        with self._lock:
            return [f for f in self if f["kind"] == kind]
