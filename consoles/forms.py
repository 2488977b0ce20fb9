"""Parse console form fields into typed values, with messages a supervisor can act on."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from roster.editing import AgentDetails, DayHours, RosterError, ShiftDetails

Form = Mapping[str, str]


def text(form: Form, name: str) -> str:
    """Return a stripped text field ('' when absent)."""
    return (form.get(name) or "").strip()


def words(form: Form, name: str) -> tuple[str, ...]:
    """Split a comma- or space-separated field into distinct words, keeping their order."""
    raw = text(form, name).replace(",", " ").split()
    return tuple(dict.fromkeys(raw))


def checked(form: Form, name: str) -> bool:
    """Say whether a checkbox was ticked."""
    return form.get(name) in ("on", "1", "true", "yes")


def time_of_day(form: Form, name: str, label: str) -> dt.time:
    """Parse HH:MM; '24:00' is not a time, so a shift ending at midnight is entered as 23:59."""
    try:
        return dt.time.fromisoformat(text(form, name))
    except ValueError:
        raise RosterError([f"{label}: give a time as HH:MM, such as 08:00."]) from None


def date(form: Form, name: str, label: str) -> dt.date:
    """Parse YYYY-MM-DD (what a date input sends)."""
    try:
        return dt.date.fromisoformat(text(form, name))
    except ValueError:
        raise RosterError([f"{label}: give a date as YYYY-MM-DD."]) from None


def agent_details(form: Form) -> AgentDetails:
    """Read the agent form."""
    return AgentDetails(
        name=text(form, "name"),
        client_identity=text(form, "client_identity") or None,
        phone=text(form, "phone") or None,
        skills=tuple(w.lower() for w in words(form, "skills")),
        languages=words(form, "languages"),
        active=checked(form, "active"),
    )


def shift_details(form: Form) -> ShiftDetails:
    """Read the shift form: 'weekday' is 0-6 for a weekly pattern or 'date' for a one-off."""
    when = text(form, "when")
    weekday = int(when) if when.isdigit() else None
    on_date = None if weekday is not None else date(form, "on_date", "Date")
    return ShiftDetails(
        starts=time_of_day(form, "starts", "Starts"),
        ends=time_of_day(form, "ends", "Ends"),
        weekday=weekday,
        on_date=on_date,
        kind=text(form, "kind") or "work",
    )


def week_hours(form: Form) -> list[DayHours]:
    """Read the opening-hours form: opens_N/closes_N per weekday, closed_N to close all day."""
    week = []
    for day in range(7):
        if checked(form, f"closed_{day}"):
            week.append(DayHours(day, None, None))
            continue
        week.append(
            DayHours(
                day,
                time_of_day(form, f"opens_{day}", f"Opens ({_NAMES[day]})"),
                time_of_day(form, f"closes_{day}", f"Closes ({_NAMES[day]})"),
            )
        )
    return week


_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
