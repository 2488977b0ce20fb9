"""Twilio queues: the registry shared by <Enqueue>, <Dial><Queue> and the REST API."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from emulator.ids import new_sid, rfc2822_now

if TYPE_CHECKING:
    from emulator.call import EmulatedCall
    from emulator.clock import Clock

DEFAULT_MAX_SIZE = 1000


@dataclass
class Queue:
    """A named queue of waiting calls, front first."""

    name: str
    sid: str = field(default_factory=lambda: new_sid("QU"))
    max_size: int = DEFAULT_MAX_SIZE
    members: list[EmulatedCall] = field(default_factory=list)
    joined: dict[str, float] = field(default_factory=dict)
    waits: list[float] = field(default_factory=list)
    created: str = field(default_factory=rfc2822_now)

    def position(self, call: EmulatedCall) -> int:
        """Return the 1-based position of a member (0 when absent)."""
        return self.members.index(call) + 1 if call in self.members else 0

    def average_wait(self) -> int:
        """Return the average whole seconds completed waits took."""
        return int(sum(self.waits) / len(self.waits)) if self.waits else 0


class QueueRegistry:
    """All queues of the account, by sid and by friendly name."""

    def __init__(self, clock: Clock, cv: threading.Condition) -> None:
        self.clock, self.cv = clock, cv
        self.by_sid: dict[str, Queue] = {}

    def named(self, name: str) -> Queue | None:
        """Return the queue with this friendly name, if it exists."""
        return next((q for q in self.by_sid.values() if q.name == name), None)

    def create(self, name: str, max_size: int = DEFAULT_MAX_SIZE) -> Queue:
        """Create a queue (the REST API lets two queues share a name; we don't care)."""
        queue = Queue(name, max_size=max_size)
        self.by_sid[queue.sid] = queue
        return queue

    def get_or_create(self, name: str) -> Queue:
        """Return the named queue, creating it on first use as <Enqueue> does."""
        with self.cv:
            return self.named(name) or self.create(name)

    def join(self, queue: Queue, call: EmulatedCall) -> bool:
        """Put a call at the back; False when the queue is full."""
        with self.cv:
            if len(queue.members) >= queue.max_size:
                return False
            queue.members.append(call)
            queue.joined[call.sid] = self.clock.now()
            call.queue_sid = queue.sid
            self.cv.notify_all()
            return True

    def remove(self, queue: Queue, call: EmulatedCall) -> float | None:
        """Take a call out of the queue; return its wait, or None when it was not there."""
        with self.cv:
            if call not in queue.members:
                return None
            queue.members.remove(call)
            waited = self.clock.now() - queue.joined.pop(call.sid)
            queue.waits.append(waited)
            call.queue_sid = None
            self.cv.notify_all()
            return waited

    def wait_time(self, queue: Queue, call: EmulatedCall) -> int:
        """Return whole seconds the call has waited in the queue."""
        joined = queue.joined.get(call.sid)
        return int(self.clock.now() - joined) if joined is not None else 0
