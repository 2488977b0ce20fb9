"""What a waiting caller hears each hold cycle: position and estimate at a bounded frequency.

When the estimate is long (or infinite: nobody on shift) the announcement ends with an explicit
callback offer instead of the usual reminder; the hold <Gather> listens for 1 either way.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from calls.models import Call
from prompts import catalogue
from queueing.desk import Desk
from queueing.estimate import estimate_seconds, should_offer_callback, time_box
from queueing.prompts import text
from queueing.service import entry_for, join_queue, ms
from roster.hours import next_opening

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
    seconds = _estimate(desk, position)
    lines.append(_estimate_line(session, desk, lang, seconds, at))
    long_wait = should_offer_callback(seconds, desk.config)
    lines.append(text(lang, "queue.long_wait_offer" if long_wait else "queue.press_1"))
    desk.acd.redis.hset(key, mapping={"at": ms(at), "position": announced})
    desk.acd.redis.expire(key, ANNOUNCED_TTL)
    return lines


def _estimate(desk: Desk, position: int) -> float | None:
    acd = desk.acd
    return estimate_seconds(position, acd.staffed(), acd.handle_times_ms(), desk.config)


def _estimate_line(
    session: Session, desk: Desk, lang: str, seconds: float | None, at: dt.datetime
) -> str:
    if seconds is None:
        return f"{text(lang, 'queue.nobody_on_shift')} {opening_text(session, desk, at, lang)}"
    return text(lang, "queue.estimate", estimate=text(lang, time_box(seconds)))


def opening_text(session: Session, desk: Desk, at: dt.datetime, lang: str) -> str:
    """Say when the desk next opens, in the caller's language ("We open again at 8 am ...")."""
    opening = next_opening(session, at, desk.config.timezone)
    today = at.astimezone(ZoneInfo(desk.config.timezone)).date()
    return catalogue(lang).reopening(opening, today)
