"""The seam between callbacks and the ACD's Redis queue.

A due callback is the queue entry `cb:<id>`, ordered like a live call by priority, then the
virtual start time it inherited, so it keeps the caller's place and counts in positions and
estimates. The ACD's dispatcher hands a chosen `cb:` entry, with the reserved agent, to
`offer_callback`; `release` and `agent_done` hand the agent back.

Until the ACD is merged this module keeps a stand-in: the due callbacks in one sorted set and
a small dispatcher giving each to an active agent who holds no other callback. The database is
the source of truth either way: `sync` rebuilds this side from it.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable

import redis
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from callbacks.models import CallbackRequest
from core.jobs import queue
from core.redis_conn import get_redis
from roster.models import Agent

log = logging.getLogger("helpline.callbacks")
WAITING = "hl:{acd}:callbacks"
# Priority outranks any wait: a priority step is worth ~300 years of virtual start time.
PRIORITY_WEIGHT = 10**13


def agent_lock(agent_id: int) -> str:
    """Return the stand-in dispatcher's reservation key for an agent."""
    return f"hl:{{acd}}:callback-agent:{agent_id}"


def entry_id(callback_id: int) -> str:
    """Return the queue entry for a callback."""
    return f"cb:{callback_id}"


def callback_id_of(entry: str) -> int | None:
    """Return the callback id in a `cb:<id>` entry, or None for other kinds."""
    kind, _, raw = entry.partition(":")
    return int(raw) if kind == "cb" and raw.isdigit() else None


def score(priority: int, virtual_start_at: dt.datetime) -> float:
    """Order like the ACD: higher priority first, then the older virtual start time."""
    return -priority * PRIORITY_WEIGHT + int(virtual_start_at.timestamp() * 1000)


def enqueue_callback(client: redis.Redis, request: CallbackRequest) -> None:
    """Put a due callback in the queue at the place it inherited (idempotent)."""
    client.zadd(WAITING, {entry_id(request.id): score(request.priority, request.virtual_start_at)})


def remove(client: redis.Redis, callback_id: int) -> bool:
    """Take a callback out of the queue; True if this process removed it."""
    return bool(client.zrem(WAITING, entry_id(callback_id)))


def queued_ids(client: redis.Redis) -> set[int]:
    """Return the callbacks currently in the queue."""
    ids = (callback_id_of(entry) for entry in client.zrange(WAITING, 0, -1))  # type: ignore[union-attr]
    return {i for i in ids if i is not None}


def sync(client: redis.Redis, due: Iterable[CallbackRequest]) -> tuple[int, int]:
    """Make the queue hold exactly the due callbacks; return (added, removed)."""
    wanted = {request.id: request for request in due}
    present = queued_ids(client)
    for callback_id in set(wanted) - present:
        enqueue_callback(client, wanted[callback_id])
    for callback_id in present - set(wanted):
        remove(client, callback_id)
    return len(set(wanted) - present), len(present - set(wanted))


def offer_callback(app: Flask, callback_id: int, agent_id: int, reservation: str | None) -> None:
    """Hand a dispatched callback and its reserved agent to a job that rings the agent first."""
    queue(app).enqueue(
        "callbacks.jobs.attempt", callback_id, agent_id, reservation, job_timeout=120
    )


def release(app: Flask, callback_id: int, agent_id: int | None, reservation: str | None) -> None:
    """Give the agent back after an offer that did not happen (not pending, agent missed)."""
    if agent_id is not None:
        get_redis(app).delete(agent_lock(agent_id))


def agent_done(app: Flask, agent_id: int | None) -> None:
    """Tell the queue the agent has finished with a callback attempt."""
    release(app, 0, agent_id, None)


def dispatch(app: Flask, session: Session) -> int:
    """Stand-in dispatcher: offer due callbacks, best place first, to free agents."""
    client = get_redis(app)
    offered = 0
    for entry in client.zrange(WAITING, 0, -1):  # type: ignore[union-attr]
        callback_id = callback_id_of(entry)
        agent_id = _free_agent(session, client)
        if agent_id is None:
            break
        if callback_id is None or not remove(client, callback_id):
            release(app, 0, agent_id, None)
            continue
        offer_callback(app, callback_id, agent_id, None)
        offered += 1
    return offered


def _free_agent(session: Session, client: redis.Redis) -> int | None:
    """Reserve an active, reachable agent holding no callback (a Redis lock per agent)."""
    busy = select(CallbackRequest.agent_id).where(CallbackRequest.state == "in_progress")
    candidates = session.scalars(
        select(Agent.id)
        .where(
            Agent.active.is_(True),
            Agent.id.not_in(busy.where(CallbackRequest.agent_id.is_not(None))),
        )
        .order_by(Agent.id)
    ).all()
    for agent_id in candidates:
        if client.set(agent_lock(agent_id), "1", nx=True, ex=60):
            return agent_id
    return None
