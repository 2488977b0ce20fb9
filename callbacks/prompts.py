"""What callers hear about callbacks, per language (flat key -> text, like ivr/prompts/<lang>)."""

from __future__ import annotations

import datetime as dt
from typing import Any

DEFAULT_LANGUAGE = "en-GB"
VOICES = {"en-GB": "Polly.Amy", "cy-GB": "Polly.Gwyneth"}

PROMPTS: dict[str, dict[str, str]] = {
    "en-GB": {
        "confirm_number": (
            "We will call you back on {number}. If that is right, press 1. "
            "To give a different number, press 2."
        ),
        "withheld": "Your number is withheld, so we need a number to call you on.",
        "ask_number": (
            "Please key in the phone number we should call, starting with 0, "
            "then press the hash key."
        ),
        "no_input": "Sorry, I did not get that.",
        "number_invalid": "Sorry, that is not a phone number we can call.",
        "number_premium": (
            "Sorry, we cannot call premium-rate or shared-cost numbers. "
            "Please give a mobile or a landline number."
        ),
        "ask_safe": (
            "If we miss you, is it safe for us to leave a short message on that number? "
            "We will never mention your case. Press 1 for yes, or 2 for no."
        ),
        "queued_open": (
            "Thank you. You have kept your place in the queue, and an adviser will call you "
            "as soon as one is free."
        ),
        "queued_closed": (
            "Thank you. We are closed now. We will call you back after we open, {when}."
        ),
        "queued_later": "Thank you. We will call you back as soon as we can.",
        "updated": "You had already asked for a callback, so we have updated that request.",
        "sms_follows": "We will also send you a text message to confirm.",
        "give_up": (
            "Sorry, we could not take a number for your callback. Please call us again later. "
            "If you are in immediate danger, hang up and dial 999."
        ),
        "goodbye": "Thank you for calling. Goodbye.",
        "victim_intro": (
            "Hello, this is {helpline}, returning your call as you asked. "
            "Please hold while we connect you to an adviser."
        ),
        "voicemail": (
            "Hello. We are returning your call, as you asked. Sorry we missed you. "
            "We will try again later."
        ),
        "sms_confirmation": (
            "{helpline}: we have your callback request and will call you on the number "
            "ending {last_digits} {when}. In an emergency dial 999."
        ),
        "when_soon": "as soon as an adviser is free",
        "when_today": "today at {time}",
        "when_tomorrow": "tomorrow at {time}",
        "when_day": "on {weekday} {day} {month} at {time}",
    },
    "cy-GB": {
        "confirm_number": (
            "Byddwn yn eich ffonio'n ôl ar {number}. Os yw hynny'n gywir, pwyswch 1. "
            "I roi rhif gwahanol, pwyswch 2."
        ),
        "withheld": "Mae eich rhif wedi'i guddio, felly mae angen rhif arnom i'ch ffonio.",
        "ask_number": (
            "Rhowch y rhif ffôn y dylem ei ffonio, gan ddechrau gyda 0, "
            "yna pwyswch yr allwedd hash."
        ),
        "no_input": "Mae'n ddrwg gen i, chlywais i mo hynny.",
        "number_invalid": "Mae'n ddrwg gen i, ni allwn ffonio'r rhif hwnnw.",
        "number_premium": (
            "Mae'n ddrwg gen i, ni allwn ffonio rhifau cyfradd premiwm na chost a rennir. "
            "Rhowch rif ffôn symudol neu linell dir."
        ),
        "ask_safe": (
            "Os byddwn yn eich methu, a yw'n ddiogel i ni adael neges fer ar y rhif hwnnw? "
            "Ni fyddwn byth yn sôn am eich achos. Pwyswch 1 am ie, neu 2 am na."
        ),
        "queued_open": (
            "Diolch. Rydych wedi cadw eich lle yn y ciw, a bydd cynghorydd yn eich ffonio "
            "cyn gynted ag y bydd un ar gael."
        ),
        "queued_closed": (
            "Diolch. Rydym ar gau nawr. Byddwn yn eich ffonio'n ôl ar ôl i ni agor, {when}."
        ),
        "queued_later": "Diolch. Byddwn yn eich ffonio'n ôl cyn gynted ag y gallwn.",
        "updated": "Roeddech eisoes wedi gofyn am alwad yn ôl, felly rydym wedi diweddaru'r cais.",
        "sms_follows": "Byddwn hefyd yn anfon neges destun i gadarnhau.",
        "give_up": (
            "Mae'n ddrwg gen i, ni allem gymryd rhif ar gyfer eich galwad yn ôl. "
            "Ffoniwch ni eto yn nes ymlaen. Os ydych mewn perygl uniongyrchol, "
            "rhowch y ffôn i lawr a ffoniwch 999."
        ),
        "goodbye": "Diolch am ffonio. Hwyl fawr.",
        "victim_intro": (
            "Helo, {helpline} sydd yma, yn eich ffonio'n ôl fel y gofynnoch. "
            "Arhoswch tra byddwn yn eich cysylltu â chynghorydd."
        ),
        "voicemail": (
            "Helo. Rydym yn eich ffonio'n ôl, fel y gofynnoch. Mae'n ddrwg gennym ein bod "
            "wedi eich methu. Byddwn yn ceisio eto yn nes ymlaen."
        ),
        "sms_confirmation": (
            "{helpline}: mae eich cais am alwad yn ôl gennym a byddwn yn eich ffonio ar y rhif "
            "sy'n gorffen {last_digits} {when}. Mewn argyfwng ffoniwch 999."
        ),
        "when_soon": "cyn gynted ag y bydd cynghorydd ar gael",
        "when_today": "heddiw am {time}",
        "when_tomorrow": "yfory am {time}",
        "when_day": "ddydd {weekday} {day} {month} am {time}",
    },
}

WEEKDAYS = {
    "en-GB": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
    "cy-GB": ("Llun", "Mawrth", "Mercher", "Iau", "Gwener", "Sadwrn", "Sul"),
}
MONTHS = {
    "en-GB": tuple(
        [
            "January",
            "February",
            "March",
            "April",
            "May",
            "June",
            "July",
            "August",
            "September",
            "October",
            "November",
            "December",
        ]
    ),
    "cy-GB": tuple(
        [
            "Ionawr",
            "Chwefror",
            "Mawrth",
            "Ebrill",
            "Mai",
            "Mehefin",
            "Gorffennaf",
            "Awst",
            "Medi",
            "Hydref",
            "Tachwedd",
            "Rhagfyr",
        ]
    ),
}


def language_of(tag: str | None) -> str:
    """Return a language we have words for, falling back to English."""
    return tag if tag in PROMPTS else DEFAULT_LANGUAGE


def text(language: str, key: str, **values: Any) -> str:
    """Return the words for `key` in `language`, filled in."""
    return PROMPTS[language_of(language)][key].format(**values)


def voice(language: str) -> str:
    """Return the Polly voice for a language."""
    return VOICES[language_of(language)]


def spoken_digits(national: str) -> str:
    """Spell a number digit by digit, in groups, so text-to-speech reads it back clearly."""
    groups = national.split()
    return ", ".join(" ".join(group) for group in groups)


def spoken_when(language: str, at: dt.datetime | None, today: dt.date) -> str:
    """Say a local opening time naturally: today at 8 AM, tomorrow at 8 AM, on Monday 24 ..."""
    lang = language_of(language)
    if at is None:
        return text(lang, "when_soon")
    time = _clock(lang, at)
    if at.date() == today:
        return text(lang, "when_today", time=time)
    if at.date() == today + dt.timedelta(days=1):
        return text(lang, "when_tomorrow", time=time)
    return text(
        lang,
        "when_day",
        weekday=WEEKDAYS[lang][at.weekday()],
        day=at.day,
        month=MONTHS[lang][at.month - 1],
        time=time,
    )


def _clock(language: str, at: dt.datetime) -> str:
    hour = at.hour % 12 or 12
    minutes = f":{at.minute:02d}" if at.minute else ""
    if language == "cy-GB":
        return f"{hour}{minutes} {'y bore' if at.hour < 12 else 'y prynhawn'}"
    return f"{hour}{minutes} {'AM' if at.hour < 12 else 'PM'}"
