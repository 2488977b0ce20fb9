"""Typed wrappers over the ACD's Lua scripts: one Redis round trip per decision.

Nothing here knows Flask, Twilio or the database; the service layer adds those.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import redis
from redis.commands.core import Script

PREFIX = "hl:{acd}:"
_LUA = Path(__file__).with_name("lua")
SCRIPTS = (
    "enqueue",
    "dispatch",
    "accept",
    "settle",
    "offer_failed",
    "abandon",
    "leave",
    "agent_state",
    "mirror",
    "sweep",
)


@cache
def source(name: str) -> str:
    """Return a script's Lua with the shared helpers prepended."""
    return (_LUA / "_prelude.lua").read_text() + "\n" + (_LUA / f"{name}.lua").read_text()


@dataclass(frozen=True)
class Offer:
    """A reservation made by dispatch: offer `entry` to `agent`, proving it with `token`."""

    entry: str
    agent: int
    token: str

    @property
    def kind(self) -> str:
        """Return the entry's kind ("call", "cb", ...), which picks the offer function."""
        return self.entry.partition(":")[0]

    @property
    def ref(self) -> str:
        """Return the entry's id within its kind (a CallSid, a callback id)."""
        return self.entry.partition(":")[2]


@dataclass(frozen=True)
class Left:
    """What an entry that left the queue had: its priority and place, to be inherited."""

    priority: int
    virtual_start_ms: int
    position: int
    wait_ms: int


@dataclass(frozen=True)
class Abandoned:
    """An entry dropped because its caller hung up while waiting or being offered."""

    position: int
    wait_ms: int
    was: str


@dataclass(frozen=True)
class Swept:
    """What a sweep repaired."""

    expired: list[tuple[str, int]]
    wrapped: list[int]
    freed: list[int]


class Acd:
    """The ACD's live state in Redis, changed only through atomic scripts."""

    def __init__(self, client: redis.Redis, prefix: str = PREFIX) -> None:
        # Typed Any: redis-py types replies as bytes | str; ours always decode to str.
        self.redis: Any = client
        self.prefix = prefix
        self._scripts: dict[str, Script] = {n: client.register_script(source(n)) for n in SCRIPTS}

    def _run(self, name: str, *args: Any) -> Any:
        return self._scripts[name](keys=[self.prefix], args=list(args))

    def enqueue(
        self, entry: str, priority: int, virtual_start_ms: int, klass: str, now: int, ageing_ms: int
    ) -> int:
        """Queue an entry (idempotent) and return its position."""
        _status, pos = self._run(
            "enqueue", entry, priority, virtual_start_ms, klass, now, ageing_ms
        )
        return int(pos)

    def dispatch(self, now: int, relax_ms: int, hold_ms: int) -> Offer | None:
        """Reserve the best waiting entry for the longest-idle eligible agent, if any."""
        result = self._run("dispatch", now, relax_ms, hold_ms)
        if not result:
            return None
        return Offer(entry=result[0], agent=int(result[1]), token=result[2])

    def accept(self, offer: Offer, now: int) -> int | None:
        """Connect an offered entry to its agent; return the wait in ms, or None if stale."""
        result = self._run("accept", offer.entry, offer.agent, offer.token, now)
        return int(result[1]) if result[0] == "accepted" else None

    def settle(
        self, offer: Offer, now: int, wrap_ms: int, max_missed: int, kind: str = "no_answer"
    ) -> tuple[str, ...]:
        """End an offer's leg: ("finished", handle_ms), ("requeued", missed, state) or stale."""
        result = self._run(
            "settle", offer.entry, offer.agent, offer.token, now, wrap_ms, max_missed, kind
        )
        return tuple(str(part) for part in result)

    def offer_failed(self, offer: Offer, now: int) -> int | None:
        """Give back an offer that never reached the agent, counting no miss; its position.

        None when the reservation is stale (answered, abandoned or expired meanwhile).
        """
        result = self._run("offer_failed", offer.entry, offer.agent, offer.token, now)
        return int(result[1]) if result[0] == "requeued" else None

    def abandon(self, entry: str, now: int) -> Abandoned | None:
        """Drop an entry whose caller hung up; None if it was connected or unknown."""
        result = self._run("abandon", entry, now)
        if result[0] != "abandoned":
            return None
        return Abandoned(position=int(result[1]), wait_ms=int(result[2]), was=result[3])

    def leave(self, entry: str, now: int) -> Left | None:
        """Take a waiting entry out, returning its place; None unless it was waiting."""
        result = self._run("leave", entry, now)
        if result[0] != "left":
            return None
        return Left(int(result[1]), int(result[2]), int(result[3]), int(result[4]))

    def agent_action(self, agent: int, action: str, now: int) -> tuple[bool, str]:
        """Apply an agent's request; return (done, state now)."""
        result = self._run("agent_state", agent, action, now)
        if result[0] == "ok":
            return True, result[1]
        return False, result[1] if len(result) > 1 else "unknown"

    def mirror(self, agent: int, on_shift: bool, classes: list[str], now: int) -> str:
        """Mirror an agent's routing facts; return their live state."""
        return self.mirror_all([(agent, on_shift, classes)], now)[0]

    def mirror_all(self, agents: Sequence[tuple[int, bool, list[str]]], now: int) -> list[str]:
        """Mirror many agents' routing facts in one round trip; return their live states."""
        if not agents:
            return []
        args: list[Any] = [now]
        for agent, on_shift, classes in agents:
            args += [agent, "1" if on_shift else "0", ",".join(classes)]
        return [str(state) for state in self._run("mirror", *args)]

    def sweep(self, now: int, max_missed: int, limit: int = 500) -> Swept:
        """Expire reservations, end wrap-ups and free stuck agents."""
        expired, wrapped, freed = self._run("sweep", now, max_missed, limit)
        pairs = [(expired[i], int(expired[i + 1])) for i in range(0, len(expired), 2)]
        return Swept(pairs, [int(a) for a in wrapped], [int(a) for a in freed])

    def position(self, entry: str) -> int:
        """Return an entry's 1-based place in the whole queue, or 0 if it is not waiting."""
        rank = self.redis.zrank(self.prefix + "waiting", entry)
        return 0 if rank is None else int(rank) + 1

    def entry(self, entry: str) -> dict[str, str]:
        """Return an entry's fields (empty when it is gone)."""
        return self.redis.hgetall(self.prefix + "e:" + entry)

    def agent(self, agent: int) -> dict[str, str]:
        """Return an agent's live fields (empty when never mirrored)."""
        return self.redis.hgetall(self.prefix + f"a:{agent}")

    def staffed(self) -> int:
        """Count agents on shift and logged in."""
        return int(self.redis.scard(self.prefix + "staffed"))

    def staffed_for(self, klass: str) -> int:
        """Count staffed agents able to serve requirement class `klass`."""
        return int(self.redis.scard(self.prefix + "staffed:" + klass))

    def waiting_count(self) -> int:
        """Count entries waiting (not yet offered)."""
        return int(self.redis.zcard(self.prefix + "waiting"))

    def handle_times_ms(self) -> list[int]:
        """Return recent handle times, newest first."""
        return [int(x) for x in self.redis.lrange(self.prefix + "handle_times", 0, -1)]

    def snapshot(self, now: int) -> dict[str, Any]:
        """Read waiting entries and agents in one pipelined round trip (for consoles, the API)."""
        waiting = self.redis.zrange(self.prefix + "waiting", 0, -1)
        agents = sorted(self.redis.smembers(self.prefix + "agents"), key=int)
        pipe = self.redis.pipeline(transaction=False)
        for entry in waiting:
            pipe.hmget(self.prefix + "e:" + entry, "priority", "enq", "class")
        for agent in agents:
            pipe.hmget(self.prefix + f"a:{agent}", "state", "since", "on_shift", "entry", "missed")
        rows = pipe.execute()
        entries = [
            {
                "entry": entry,
                "position": i + 1,
                "priority": int(r[0] or 0),
                "waited_seconds": (now - int(r[1] or now)) / 1000,
                "class": r[2],
            }
            for i, (entry, r) in enumerate(zip(waiting, rows, strict=False))
        ]
        people = [
            {
                "agent_id": int(agent),
                "state": r[0],
                "seconds_in_state": (now - int(r[1] or now)) / 1000,
                "on_shift": r[2] == "1",
                "entry": r[3] or None,
                "missed_offers": int(r[4] or 0),
            }
            for agent, r in zip(agents, rows[len(waiting) :], strict=False)
        ]
        return {"waiting": entries, "agents": people}

    def live_entries(self) -> list[str]:
        """Return every entry the ACD holds (waiting, offered or connected)."""
        return sorted(self.redis.smembers(self.prefix + "entries"))
