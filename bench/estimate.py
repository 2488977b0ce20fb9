"""The hold loop's wait estimate: all staffed agents vs those able to take the caller.

`python -m bench.estimate`. Uses REDIS_URL if set (the database is flushed!), else a
throwaway redis-server. "before" counted every staffed agent (one SCARD of the staffed set);
"after" (`Acd.staffed_for`) counts those able to serve the caller's class: one SCARD of the
per-class staffed set the Lua scripts keep, so it stays flat however many agents are staffed.
(A first version read every staffed agent's classes in a pipeline: 100 ms at 800 agents.)
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable

from bench.mirror import roster
from bench.target import CountingRedis, counted_acd
from queueing.acd import Acd

SIZES = (10, 100, 1_000, 10_000)
ROUNDS = 50
CLASS = "en-GB|domestic_abuse"


def measure(acd: Acd, count: Callable[[Acd], int]) -> tuple[float, float, int]:
    """Return median ms and round trips per call, and the count it gave."""
    samples: list[float] = []
    trips = CountingRedis.round_trips
    for _ in range(ROUNDS):
        start = time.perf_counter()
        value = count(acd)
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples), (CountingRedis.round_trips - trips) / ROUNDS, value


def main() -> None:
    """Print the before/after table."""
    with counted_acd() as acd:
        print("| staffed agents | before ms | before trips | after ms | after trips | capable |")
        print("|---:|---:|---:|---:|---:|---:|")
        for size in SIZES:
            acd.redis.flushdb()
            agents = roster(size)
            acd.mirror_all(agents, int(time.time() * 1000))
            for agent, on_shift, _classes in agents:
                if on_shift:  # logged in, on a break: staffed, never offered a call
                    acd.agent_action(agent, "available", int(time.time() * 1000))
                    acd.agent_action(agent, "break", int(time.time() * 1000))
            before = measure(acd, lambda a: a.staffed())
            after = measure(acd, lambda a: a.staffed_for(CLASS))
            print(
                f"| {before[2]:,} | {before[0]:.3f} | {before[1]:.0f} "
                f"| {after[0]:.3f} | {after[1]:.0f} | {after[2]:,} |",
                flush=True,
            )
    sys.exit(0)


if __name__ == "__main__":
    main()
