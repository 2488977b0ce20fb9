"""The ACD's invariants under real parallelism: several processes hammer one real Redis."""

from __future__ import annotations

import multiprocessing
import random
import time
from collections import defaultdict
from collections.abc import Iterator

import pytest
import redis

from core.clock import epoch_ms
from queueing.acd import Acd, Offer

AGENTS = 8
PROCESSES = 4
STEPS = 600
HOLD_MS = 40
CLASSES = ("en-GB|", "en-GB|hate_crime", "cy-GB|")
OFFERS = "test:offers"
ACCEPTED = "test:accepted"
RELEASES = frozenset({"no_answer", "timeout", "finished", "freed", "offer_failed"})


def agent_classes(agent: int) -> list[str]:
    """Give agents different skills so dispatch has to choose."""
    return ["en-GB|", "en-GB|hate_crime"] if agent % 2 else ["en-GB|", "cy-GB|"]


def hammer(url: str, seed: int) -> None:
    """Do random decisions as fast as possible, as one web or worker process would."""
    rng = random.Random(seed)
    client = redis.Redis.from_url(url, decode_responses=True)
    acd = Acd(client)
    for step in range(STEPS):
        roll = rng.random()
        now = epoch_ms()
        if roll < 0.25:
            entry = f"call:p{seed}n{step}"
            acd.enqueue(
                entry, rng.randint(1, 3), now - rng.randint(0, 5000), rng.choice(CLASSES), now, 1000
            )
        elif roll < 0.45:
            offer = acd.dispatch(now, 200, HOLD_MS)
            if offer:
                client.rpush(OFFERS, f"{offer.entry} {offer.agent} {offer.token}")
        elif roll < 0.65:
            raw = client.lpop(OFFERS) if rng.random() < 0.7 else client.lindex(OFFERS, 0)
            if raw:
                entry, agent, token = raw.split()
                offer = Offer(entry, int(agent), token)
                delivery = rng.random()
                if delivery < 0.1:
                    acd.offer_failed(offer, now)  # the redirect failed: no miss, same place
                elif delivery < 0.7 and acd.accept(offer, now) is not None:
                    client.rpush(ACCEPTED, entry)
                    client.rpush(OFFERS, raw)  # to be settled (finished) later by anyone
                else:
                    acd.settle(offer, now, rng.choice((0, 20)), 3)
        elif roll < 0.72:
            acd.abandon(f"call:p{rng.randrange(PROCESSES)}n{rng.randrange(step + 1)}", now)
        elif roll < 0.77:
            acd.leave(f"call:p{rng.randrange(PROCESSES)}n{rng.randrange(step + 1)}", now)
        elif roll < 0.92:
            acd.agent_action(
                rng.randrange(AGENTS), rng.choice(("available",) * 4 + ("break", "logout")), now
            )
        else:
            acd.sweep(now, 3)
    client.close()


@pytest.fixture
def acd(redis_url: str) -> Iterator[Acd]:
    """An empty ACD with mirrored, available agents."""
    client = redis.Redis.from_url(redis_url, decode_responses=True)
    client.flushdb()
    acd = Acd(client)
    for agent in range(AGENTS):
        acd.mirror(agent, True, agent_classes(agent), epoch_ms())
        acd.agent_action(agent, "available", epoch_ms())
    yield acd
    client.flushdb()
    client.close()


def released(kind: str, agent: str) -> bool:
    """Say whether a journal event ends an agent's hold on an entry."""
    return kind in RELEASES or (kind == "abandoned" and bool(agent))


def journal(acd: Acd) -> list[dict[str, str]]:
    """Every decision in the order Redis made them."""
    return [fields for _id, fields in acd.redis.xrange(acd.prefix + "journal")]


def test_invariants_hold_under_parallel_load(acd: Acd, redis_url: str) -> None:
    """No agent holds two calls, no call is offered twice at once or connected twice, none lost."""
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=hammer, args=(redis_url, seed)) for seed in range(PROCESSES)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
        assert worker.exitcode == 0
    time.sleep(HOLD_MS / 1000)
    acd.sweep(epoch_ms(), 3)  # expire what the processes left reserved
    events = journal(acd)
    assert sum(e["kind"] == "offered" for e in events) > 50, "the load made too few offers"
    holding: dict[str, str] = {}  # agent -> entry
    held_by: dict[str, str] = {}  # entry -> agent
    connected: defaultdict[str, int] = defaultdict(int)
    ended: dict[str, str] = {}
    for e in events:
        kind, entry, agent = e["kind"], e["entry"], e["agent"]
        if kind == "offered":
            assert agent not in holding, (
                f"{agent} offered {entry} while holding {holding.get(agent)}"
            )
            assert entry not in held_by, (
                f"{entry} offered to {agent} while held by {held_by.get(entry)}"
            )
            holding[agent], held_by[entry] = entry, agent
        elif kind == "accepted":
            connected[entry] += 1
            assert held_by.get(entry) == agent
        elif released(kind, agent) and held_by.get(entry) == agent:
            del holding[agent], held_by[entry]
        if kind in {"finished", "abandoned", "left"}:
            ended[entry] = kind
    assert max(connected.values()) == 1, "a call was connected twice"
    assert sorted(acd.redis.lrange(ACCEPTED, 0, -1)) == sorted(connected)
    live = set(acd.live_entries())
    queued = {e["entry"] for e in events if e["kind"] == "queued"}
    assert queued == live | set(ended), "an entry was lost"
    assert not live & set(ended)
    for entry in live:
        assert acd.entry(entry)["state"] in {"waiting", "connected"}
    for agent in range(AGENTS):
        fields = acd.agent(agent)
        if fields["state"] in {"reserved", "busy"}:
            assert acd.entry(fields["entry"])["agent"] == str(agent)
        else:
            assert fields["entry"] == ""
