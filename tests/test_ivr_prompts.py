"""What the IVR says: status wording, dates and times, and what it must never say."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from cases.models import STATUS_CODES
from ivr import prompts
from ivr.auth import parse_date_of_birth

LONDON = ZoneInfo("Europe/London")
TODAY = dt.date(2026, 11, 23)


def test_every_status_code_has_words() -> None:
    """No status code falls back to the generic sentence."""
    assert set(prompts.STATUS_WORDS) == set(STATUS_CODES)


def test_status_lines_for_an_upcoming_update() -> None:
    """Status, detail, last update and next update, in that order."""
    lines = prompts.status_lines(
        "WITH_CPS", " The file went today. ", dt.date(2026, 11, 20), dt.date(2026, 11, 27), TODAY
    )
    assert lines == [
        prompts.STATUS_WORDS["WITH_CPS"],
        "The file went today.",
        "This was last updated on Friday 20 November.",
        "You should hear more by Friday 27 November.",
    ]


def test_status_lines_skip_empty_detail_and_flag_overdue() -> None:
    """No detail means no empty sentence; a past due date is owned up to."""
    lines = prompts.status_lines("CHARGED", "  ", TODAY, dt.date(2026, 11, 16), TODAY)
    assert len(lines) == 3
    assert lines[-1].startswith("An update was due by Monday 16 November.")


def test_unknown_status_code_gets_a_safe_sentence() -> None:
    """A code we do not know is never read out raw."""
    assert prompts.status_lines("SECRET_CODE", "", TODAY, None, TODAY)[0] == (
        prompts.UNKNOWN_STATUS
    )


def test_reopening_times() -> None:
    """Today, tomorrow, or the weekday; 12-hour clock with minutes only when needed."""
    assert prompts.reopening(dt.datetime(2026, 11, 23, 20, 0, tzinfo=LONDON), TODAY) == (
        "We open again at 8 pm today."
    )
    assert prompts.reopening(dt.datetime(2026, 11, 24, 8, 30, tzinfo=LONDON), TODAY) == (
        "We open again at 8:30 am tomorrow."
    )
    assert prompts.reopening(dt.datetime(2026, 11, 28, 0, 0, tzinfo=LONDON), TODAY) == (
        "We open again at 12 am on Saturday 28 November."
    )
    assert prompts.reopening(None, TODAY) == "Please call again later."


def test_date_of_birth_parsing() -> None:
    """Only eight digits forming a real date are a date of birth."""
    assert parse_date_of_birth("01021980") == dt.date(1980, 2, 1)
    for bad in ("0102198", "010219800", "31021980", "0102198*", ""):
        assert parse_date_of_birth(bad) is None
