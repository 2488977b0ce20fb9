"""Dispatch cost and Redis round trips as the queue and roster grow: `python -m bench.dispatch`.

Uses REDIS_URL if set (the database is flushed!), else a throwaway redis-server.
Each run files waiting calls over 15 requirement classes (3 languages x 4 skills + none),
makes every agent available, then times DECISIONS dispatches; after each, the call is
dropped (freeing the agent) and a fresh one of the same class queued, so depth stays constant.
"""

from __future__ import annotations

import statistics
import sys
import time

from bench.target import CountingRedis, counted_acd
from queueing.acd import Acd

LANGUAGES = ("en-GB", "cy-GB", "pl-PL")
SKILLS = ("", "domestic_abuse", "sexual_offences", "hate_crime", "fraud")
DECISIONS = 300
GRID = (
    (100, 10),
    (1_000, 10),
    (10_000, 10),
    (100_000, 10),
    (1_000, 100),
    (1_000, 1_000),
    (1_000, 10_000),
    (100_000, 10_000),
)


def klass(i: int) -> str:
    """Spread entries over requirement classes."""
    return f"{LANGUAGES[i % 3]}|{SKILLS[(i // 3) % 5]}"


def setup(acd: Acd, waiting: int, agents: int, now: int) -> None:
    """Fill the roster and the queue with pipelines (setup is not what we measure)."""
    acd.redis.flushdb()
    pipe = acd.redis.pipeline(transaction=False)
    mirror, enqueue = acd._scripts["mirror"], acd._scripts["enqueue"]
    for a in range(agents):
        caps = sorted({f"{LANGUAGES[a % 3]}|", "en-GB|", f"{LANGUAGES[a % 3]}|{SKILLS[a % 5]}"})
        mirror(keys=[acd.prefix], args=[now - agents + a, a, "1", ",".join(caps)], client=pipe)
    for i in range(waiting):
        enqueue(
            keys=[acd.prefix],
            args=[f"call:w{i}", 1 + i % 3, now - i, klass(i), now, 60_000],
            client=pipe,
        )
        if i % 5_000 == 4_999:
            pipe.execute()
    pipe.execute()
    for a in range(agents):
        acd.agent_action(a, "available", now)


def measure(acd: Acd, waiting: int, agents: int) -> dict[str, float]:
    """Time dispatch decisions at this depth; return median/p99 microseconds and trips."""
    now = int(time.time() * 1000)
    setup(acd, waiting, agents, now)
    samples: list[float] = []
    trips = 0
    for n in range(DECISIONS):
        before = CountingRedis.round_trips
        start = time.perf_counter()
        offer = acd.dispatch(now + n, 90_000, 30_000)
        samples.append((time.perf_counter() - start) * 1e6)
        trips += CountingRedis.round_trips - before
        assert offer is not None, "benchmark set-up left nothing to dispatch"
        served = acd.entry(offer.entry)["class"]
        acd.abandon(offer.entry, now + n)
        acd.enqueue(f"call:x{n}", 1, now + n, served, now + n, 60_000)
    samples.sort()
    return {
        "median_us": statistics.median(samples),
        "p99_us": samples[int(len(samples) * 0.99) - 1],
        "trips": trips / DECISIONS,
    }


def main() -> None:
    """Print the table with ratios to the smallest configuration."""
    with counted_acd() as acd:
        run(acd)
    sys.exit(0)


def run(acd: Acd) -> None:
    """Measure and print every row."""
    measure(acd, 100, 10)  # warm-up: loads the scripts (EVALSHA, NOSCRIPT, SCRIPT LOAD) once
    print("| waiting | agents | dispatch median us | p99 us | round trips/decision | ratio |")
    print("|---:|---:|---:|---:|---:|---:|")
    base = None
    for waiting, agents in GRID:
        result = measure(acd, waiting, agents)
        base = base or result["median_us"]
        print(
            f"| {waiting:,} | {agents:,} | {result['median_us']:.0f} | {result['p99_us']:.0f} "
            f"| {result['trips']:.2f} | {result['median_us'] / base:.2f} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
