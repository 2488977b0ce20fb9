"""What the IVR says, in one place so wording can be reviewed (and translated) together."""

from __future__ import annotations

import datetime as dt

VOICE = "Polly.Amy"
LANGUAGE = "en-GB"

SAFETY = "If you are in immediate danger, hang up and dial 999."
MAIN_MENU = (
    "To hear the latest on your case, press 1. To speak to someone, press 2, or stay on the line."
)
ASK_REFERENCE = (
    "Please key in your crime reference number. Use the star key for the slash, "
    "then press the hash key."
)
ASK_DATE_OF_BIRTH = (
    "Now key in your date of birth: two digits for the day, two for the month and four "
    "for the year, then press the hash key. For example, the first of February 1980 is "
    "0 1, 0 2, 1 9 8 0."
)
NO_INPUT = "Sorry, I did not get that."
NOT_AN_OPTION = "Sorry, that is not one of the options."
REFERENCE_FORMAT = "That does not look like a crime reference number."
# One sentence for a wrong reference, an unknown reference and a wrong date of birth alike,
# so a caller learns nothing about which references exist.
NOT_MATCHED = "Sorry, we could not match those details."
TRY_AGAIN = "Let's try again."
CANNOT_CHECK = "We cannot check your case by phone right now, but you can still speak to someone."
TO_PERSON_OFFER = "To speak to someone, press 2 or stay on the line. Otherwise you can hang up now."
AFTER_STATUS = (
    "To hear this again, press 1. To speak to someone, press 2. Otherwise you can hang up now."
)
CONNECTING = "Please hold while we connect you to someone who can help."
CLOSED = "Our advisers are not available right now."
CALLBACK_OFFER = "To ask us to call you back when we are open, press 1. Otherwise, please hang up."
GOODBYE = "Thank you for calling. Goodbye."

STATUS_WORDS = {
    "REPORTED": "Your report has been received and recorded.",
    "ASSESSED_NOT_INVESTIGATED": (
        "Your report has been assessed, and it is not being investigated further for now. "
        "It can be reopened if new information comes to light."
    ),
    "UNDER_INVESTIGATION": "An officer is investigating your report.",
    "SUSPECT_ARRESTED": "A suspect has been arrested.",
    "SUSPECT_INTERVIEWED": "A suspect has been interviewed under caution.",
    "RELEASED_ON_BAIL": "A suspect has been released on bail while the investigation continues.",
    "RELEASED_UNDER_INVESTIGATION": (
        "A suspect has been released while the investigation continues."
    ),
    "NO_FURTHER_ACTION": (
        "A suspect has been released without charge, and the case is closed. "
        "You have the right to ask for this decision to be reviewed."
    ),
    "WITH_CPS": (
        "The file has been passed to the Crown Prosecution Service for a charging decision."
    ),
    "CHARGED": "A suspect has been charged.",
    "OUT_OF_COURT_DISPOSAL": (
        "The case has been dealt with out of court, by a caution or a community resolution."
    ),
    "COURT_DATE_SET": (
        "A court hearing has been set. The Witness Care Unit will be your contact for "
        "hearing dates."
    ),
    "CLOSED_PENDING_INFORMATION": (
        "The case has been filed. It will be reopened if new information comes to light."
    ),
    "OUTCOME": "There is an outcome in your case.",
}
UNKNOWN_STATUS = "Your case is open. Please speak to someone for the details."


def spoken_date(day: dt.date) -> str:
    """Say a date the way a person would: 'Monday 18 November'."""
    return f"{day:%A} {day.day} {day:%B}"


def spoken_time(at: dt.datetime) -> str:
    """Say a local time of day: '8 am', '8:30 pm'."""
    hour = at.hour % 12 or 12
    minutes = f":{at.minute:02d}" if at.minute else ""
    return f"{hour}{minutes} {'am' if at.hour < 12 else 'pm'}"


def status_lines(
    status_code: str,
    detail: str,
    last_update: dt.date,
    next_update_due: dt.date | None,
    today: dt.date,
) -> list[str]:
    """Return what a victim hears about their case, sentence by sentence."""
    lines = [STATUS_WORDS.get(status_code, UNKNOWN_STATUS)]
    if detail.strip():
        lines.append(detail.strip()[:500])
    lines.append(f"This was last updated on {spoken_date(last_update)}.")
    if next_update_due is not None and next_update_due >= today:
        lines.append(f"You should hear more by {spoken_date(next_update_due)}.")
    elif next_update_due is not None:
        lines.append(
            f"An update was due by {spoken_date(next_update_due)}. If you have not heard "
            "from us, please speak to someone."
        )
    return lines


def reopening(opens: dt.datetime | None, today: dt.date) -> str:
    """Say when the desk opens next, relative to the caller's day."""
    if opens is None:
        return "Please call again later."
    when = "today" if opens.date() == today else f"on {spoken_date(opens.date())}"
    if opens.date() == today + dt.timedelta(days=1):
        when = "tomorrow"
    return f"We open again at {spoken_time(opens)} {when}."
