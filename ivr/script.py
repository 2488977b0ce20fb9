"""The case status script: only what was written for the victim, in their language."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from cases.models import STATUS_CODES
from ivr.prompts import Prompts

MAX_DETAIL_CHARS = 500


@dataclass(frozen=True)
class CaseFacts:
    """The fields a victim may hear: no suspect names, addresses or internal notes."""

    status_code: str
    detail: str
    officer: str
    last_update: dt.date
    update_due: dt.date
    overdue: bool


def headline(p: Prompts, status_code: str) -> str:
    """Return the one-sentence summary of a status code (also the SMS text)."""
    return p.text(f"status.{status_code}" if status_code in STATUS_CODES else "status.unknown")


def case_script(p: Prompts, facts: CaseFacts) -> list[str]:
    """Return what the victim hears about their case, sentence by sentence."""
    lines = [headline(p, facts.status_code)]
    # status_detail is written for the victim by the officer; other case fields are not.
    if facts.detail.strip():
        lines.append(facts.detail.strip()[:MAX_DETAIL_CHARS])
    if facts.officer.strip():
        lines.append(p.text("status.officer", officer=facts.officer.strip()[:200]))
    lines.append(p.text("status.last_update", date=p.date(facts.last_update)))
    key = "status.overdue" if facts.overdue else "status.next_update"
    lines.append(p.text(key, date=p.date(facts.update_due)))
    return lines


def reopening(p: Prompts, opens: dt.datetime | None, today: dt.date) -> str:
    """Say when the desk opens next, relative to the caller's day."""
    if opens is None:
        return p.text("reopen.unknown")
    if opens.date() == today:
        return p.text("reopen.today", time=p.time(opens))
    if opens.date() == today + dt.timedelta(days=1):
        return p.text("reopen.tomorrow", time=p.time(opens))
    return p.text("reopen.on", time=p.time(opens), date=p.date(opens.date()))
