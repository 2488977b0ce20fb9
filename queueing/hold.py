"""What a waiting caller hears each hold cycle: position and estimate at a bounded frequency.

When the estimate is long (or infinite: nobody on shift) the announcement ends with an explicit
callback offer instead of the usual reminder; the hold <Gather> listens for 1 either way.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from calls.models import Call
from queueing.desk import Desk
from queueing.estimate import (
    capable_agents,
    estimate_seconds,
    should_offer_callback,
    time_box,
)
from queueing.prompts import text
from queueing.service import entry_for, join_queue, ms
from queueing.unavailable import Unavailable, script, unavailable

ANNOUNCED_TTL = 86_400


def hold_lines(session: Session, desk: Desk, call: Call, at: dt.datetime) -> list[str]:
    """Return this cycle's words: a full announcement when one is due, else a short hold line."""
    lang = call.language or "en-GB"
    entry = entry_for(call)
    if not desk.acd.entry(entry) and call.left_queue_at is None and call.abandoned_at is None:
        # The caller is in Twilio's queue but not ours (lost state): put them back at their place.
        join_queue(session, desk, call, at)
    position = desk.acd.position(entry)
    if position == 0:
        return [text(lang, "queue.connecting")]
    key = desk.acd.prefix + "ann:" + entry
    last = desk.acd.redis.hgetall(key)
    if ms(at) - int(last.get("at", 0)) < desk.config.announce_ms:
        return [text(lang, "queue.hold")]
    lines = []
    announced = int(last.get("position", 0))
    if not announced or position <= announced:  # never announce a position that went up
        lines.append(text(lang, "queue.position", position=position))
        announced = position
    seconds = _estimate(desk, entry, position, at)
    lines.extend(_estimate_lines(session, desk, lang, seconds, at))
    long_wait = should_offer_callback(seconds, desk.config)
    lines.append(text(lang, "queue.long_wait_offer" if long_wait else "queue.press_1"))
    desk.acd.redis.hset(key, mapping={"at": ms(at), "position": announced})
    desk.acd.redis.expire(key, ANNOUNCED_TTL)
    return lines


def _estimate(desk: Desk, entry: str, position: int, at: dt.datetime) -> float | None:
    """Estimate the wait over the agents able to take this caller (skills and language)."""
    acd, config = desk.acd, desk.config
    staffed = acd.staffed()
    if staffed == 0:
        return None
    fields = acd.entry(entry)
    waited = ms(at) - int(fields.get("enq") or ms(at))
    klass = fields.get("class", "")
    capable = capable_agents(staffed, acd.staffed_for(klass) if klass else staffed, waited, config)
    if capable == 0:
        # Nobody with the skill is on duty: they wait until the requirement relaxes, then anyone.
        later = estimate_seconds(position, staffed, acd.handle_times_ms(), config) or 0.0
        return (config.relax_ms - waited) / 1000 + later
    return estimate_seconds(position, capable, acd.handle_times_ms(), config)


def _estimate_lines(
    session: Session, desk: Desk, lang: str, seconds: float | None, at: dt.datetime
) -> list[str]:
    """Say the expected wait; with nobody on duty, why and until when (the one script)."""
    if seconds is not None:
        return [text(lang, "queue.estimate", estimate=text(lang, time_box(seconds)))]
    tz = desk.config.timezone
    situation = unavailable(session, at, tz) or Unavailable("unstaffed", None)
    return script(lang, situation, at, tz)[:2]  # the hold loop's own offer follows
