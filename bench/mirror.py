"""The sweep's roster mirror, a script call per agent vs one for all: `python -m bench.mirror`.

Uses REDIS_URL if set (the database is flushed!), else a throwaway redis-server.
"before" is what the sweep did until it batched: one EVALSHA of mirror.lua per agent.
"after" is `Acd.mirror_all`: every agent in one EVALSHA. Both run the same Lua per agent,
so "Redis us" (server time from INFO commandstats) barely moves; the round trips do.
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable

from bench.dispatch import LANGUAGES, SKILLS
from bench.target import CountingRedis, counted_acd
from queueing.acd import Acd

SIZES = (10, 100, 1_000)
ROUNDS = 50

Roster = list[tuple[int, bool, list[str]]]


def roster(agents: int) -> Roster:
    """Agents serving 2-3 classes each; one in five off shift."""
    return [
        (
            a,
            a % 5 != 0,
            sorted({f"{LANGUAGES[a % 3]}|", "en-GB|", f"{LANGUAGES[a % 3]}|{SKILLS[a % 5]}"}),
        )
        for a in range(agents)
    ]


def one_by_one(acd: Acd, agents: Roster, now: int) -> None:
    """The old refresh: a script call, so a round trip, per agent."""
    for agent, on_shift, classes in agents:
        acd.mirror(agent, on_shift, classes, now)


def all_at_once(acd: Acd, agents: Roster, now: int) -> None:
    """The new refresh: the whole roster in one script call."""
    acd.mirror_all(agents, now)


def server_usec(acd: Acd) -> int:
    """Return the server's total time spent in EVALSHA so far (microseconds)."""
    return int(acd.redis.info("commandstats").get("cmdstat_evalsha", {}).get("usec", 0))


def measure(acd: Acd, agents: Roster, mirror: Callable[[Acd, Roster, int], None]) -> list[float]:
    """Mirror the roster ROUNDS times; return median ms, round trips and Redis us per mirror."""
    samples: list[float] = []
    trips, usec = CountingRedis.round_trips, server_usec(acd)
    for n in range(ROUNDS):
        start = time.perf_counter()
        mirror(acd, agents, int(time.time() * 1000) + n)
        samples.append((time.perf_counter() - start) * 1000)
    # Each server_usec() is itself one counted command.
    trips = CountingRedis.round_trips - trips - 1
    return [statistics.median(samples), trips / ROUNDS, (server_usec(acd) - usec) / ROUNDS]


def main() -> None:
    """Print the before/after table."""
    with counted_acd() as acd:
        run(acd)
    sys.exit(0)


def run(acd: Acd) -> None:
    """Measure and print every row."""
    print(
        "| agents | before ms | before round trips | before Redis us "
        "| after ms | after round trips | after Redis us | speed-up |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|")
    for size in SIZES:
        acd.redis.flushdb()
        agents = roster(size)
        all_at_once(acd, agents, int(time.time() * 1000))  # warm-up: script loaded, agents exist
        for agent, on_shift, _classes in agents[: size // 2]:
            if on_shift:
                acd.agent_action(agent, "available", int(time.time() * 1000))
        before = measure(acd, agents, one_by_one)
        after = measure(acd, agents, all_at_once)
        print(
            f"| {size:,} | {before[0]:.2f} | {before[1]:,.0f} | {before[2]:,.0f} "
            f"| {after[0]:.2f} | {after[1]:,.0f} | {after[2]:,.0f} | {before[0] / after[0]:.1f}x |",
            flush=True,
        )


if __name__ == "__main__":
    main()
