"""Events that interrupt a call's TwiML execution, raised from sleeps and checks."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from emulator.bridge import Bridge


@dataclass
class Target:
    """Where a call's TwiML comes from next: a URL to request or inline TwiML."""

    url: str
    method: str = "POST"
    params: dict[str, str] = field(default_factory=dict)
    twiml: str | None = None


class CallSignal(Exception):
    """Base class for out-of-band events delivered to a call."""


class HangupSignal(CallSignal):
    """The call is over: the caller, the party, TwiML or the REST API hung up."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class RedirectSignal(CallSignal):
    """The REST API redirected the call to new TwiML."""

    def __init__(self, target: Target) -> None:
        super().__init__(target.url)
        self.target = target


class DequeueSignal(CallSignal):
    """A <Dial><Queue> took this queued call to bridge it."""

    def __init__(self, bridge: Bridge, whisper: Target | None) -> None:
        super().__init__("dequeued")
        self.bridge = bridge
        self.whisper = whisper


class LeaveSignal(CallSignal):
    """A <Leave> in a waitUrl document takes the caller out of the queue."""


class AppError(Exception):
    """The application answered something Twilio cannot execute."""

    def __init__(self, kind: str, detail: str, **extra: Any) -> None:
        super().__init__(f"{kind}: {detail}")
        self.kind = kind
        self.detail = detail
        self.extra = extra
