"""What the IVR says: the catalogue, status scripts, dates and times, and what it never says."""

from __future__ import annotations

import datetime as dt
import json
import re
import string
from importlib import resources
from zoneinfo import ZoneInfo

import pytest

from cases.models import STATUS_CODES
from ivr.auth import parse_date_of_birth
from ivr.script import CaseFacts, case_script, headline
from prompts import available, catalogue

LONDON = ZoneInfo("Europe/London")
TODAY = dt.date(2026, 11, 23)
EN = catalogue("en-GB")
AGENT_ONLY = "whisper."
CY = catalogue("cy-GB")


def raw_catalogue(language: str) -> dict[str, str]:
    """Read a catalogue file as stored."""
    text = resources.files("prompts").joinpath(f"{language}.json").read_text("utf-8")
    return json.loads(text)


def placeholders(text: str) -> set[str]:
    """Return the {names} a template uses."""
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_there_is_english_and_at_least_one_more_language() -> None:
    """English plus Welsh ship with the IVR."""
    assert available()[0] == "en-GB"
    assert "cy-GB" in available()


@pytest.mark.parametrize("language", available())
def test_every_language_has_every_key_with_the_same_placeholders(language: str) -> None:
    """No caller prompt is missing in any language, and each fills the same {placeholders}.

    Agent-facing keys (whisper.*) are English only: agents hear them, not callers.
    """
    english = {k: v for k, v in raw_catalogue("en-GB").items() if not k.startswith(AGENT_ONLY)}
    other = raw_catalogue(language)
    assert not any(key.startswith(AGENT_ONLY) for key in other if language != "en-GB")
    other = {k: v for k, v in other.items() if not k.startswith(AGENT_ONLY)}
    assert set(other) == set(english)
    for key, text in english.items():
        assert placeholders(other[key]) == placeholders(text), key
        assert other[key].strip(), key


@pytest.mark.parametrize("language", available())
def test_every_language_names_a_voice_and_its_own_language(language: str) -> None:
    """The <Say> voice and language follow the catalogue."""
    p = catalogue(language)
    assert p.voice.startswith("Polly.")
    assert p.say_language == language
    assert re.fullmatch(r"[a-z]{2}-[A-Z]{2}", p.speech_language)


def test_unknown_language_falls_back_to_english() -> None:
    """A corrupt language on a call row can never break a prompt."""
    assert catalogue("xx-XX").language == "en-GB"
    assert catalogue("../../etc/passwd").language == "en-GB"


@pytest.mark.parametrize("language", available())
def test_every_status_code_has_its_own_words(language: str) -> None:
    """No status code falls back to the generic sentence, in any language."""
    p = catalogue(language)
    sentences = {headline(p, code) for code in STATUS_CODES}
    assert len(sentences) == len(STATUS_CODES)
    assert p.text("status.unknown") not in sentences


def test_dates_are_spoken_naturally() -> None:
    """'Tuesday the 3rd of November', with the right ordinal suffixes; Welsh its own way."""
    assert EN.date(dt.date(2026, 11, 3)) == "Tuesday the 3rd of November"
    assert EN.date(dt.date(2026, 11, 11)) == "Wednesday the 11th of November"
    assert EN.date(dt.date(2026, 11, 22)) == "Sunday the 22nd of November"
    assert EN.date(dt.date(2026, 10, 31)) == "Saturday the 31st of October"
    assert CY.date(dt.date(2026, 11, 3)) == "dydd Mawrth, 3 Tachwedd"


def test_status_script_for_an_upcoming_update() -> None:
    """Status, detail, officer, last update and next update, in that order."""
    facts = CaseFacts(
        "WITH_CPS", " The file went today. ", "DC Jones", dt.date(2026, 11, 20), TODAY, False
    )
    assert case_script(EN, facts) == [
        EN.text("status.WITH_CPS"),
        "The file went today.",
        "The officer in charge of your case is DC Jones.",
        "This was last updated on Friday the 20th of November.",
        "You should hear more by Monday the 23rd of November.",
    ]


def test_status_script_skips_empty_fields_and_owns_up_to_lateness() -> None:
    """No detail or officer means no empty sentence; an overdue update is apologised for."""
    facts = CaseFacts("CHARGED", "  ", "", TODAY, dt.date(2026, 11, 16), True)
    lines = case_script(EN, facts)
    assert len(lines) == 3
    assert lines[-1] == EN.text("status.overdue", date="Monday the 16th of November")


def test_unknown_status_code_gets_a_safe_sentence() -> None:
    """A code we do not know is never read out raw."""
    facts = CaseFacts("SECRET_CODE", "", "", TODAY, TODAY, False)
    assert case_script(EN, facts)[0] == EN.text("status.unknown")


def test_moments_are_said_relative_to_the_callers_day() -> None:
    """Today, tomorrow, or the date; 12-hour clock with minutes only when needed."""
    assert EN.when(dt.datetime(2026, 11, 23, 20, 0, tzinfo=LONDON), TODAY) == "at 8 pm today"
    assert EN.when(dt.datetime(2026, 11, 24, 8, 30, tzinfo=LONDON), TODAY) == (
        "at 8:30 am tomorrow"
    )
    assert EN.when(dt.datetime(2026, 11, 26, 12, 0, tzinfo=LONDON), TODAY) == (
        "at midday on Thursday the 26th of November"
    )
    assert CY.when(dt.datetime(2026, 11, 24, 8, 0, tzinfo=LONDON), TODAY) == "am 8 y bore yfory"


def test_midnight_is_never_12_am() -> None:
    """Midnight is said as midnight, tied to the night it ends, never "12 am tomorrow"."""
    assert EN.when(dt.datetime(2026, 11, 24, 0, 0, tzinfo=LONDON), TODAY) == "at midnight tonight"
    assert EN.when(dt.datetime(2026, 11, 28, 0, 0, tzinfo=LONDON), TODAY) == (
        "at midnight as Saturday the 28th of November begins"
    )
    assert EN.time(dt.time(0, 0)) == "midnight" and EN.time(dt.time(0, 30)) == "12:30 am"


def test_missing_placeholder_is_left_visible_not_raised() -> None:
    """A template filled without its values still returns text rather than failing a call."""
    assert "{helpline}" in EN.text("greeting")


def test_date_of_birth_parsing() -> None:
    """Only eight digits forming a real date are a date of birth."""
    assert parse_date_of_birth("01021980") == dt.date(1980, 2, 1)
    for bad in ("0102198", "010219800", "31021980", "0102198*", ""):
        assert parse_date_of_birth(bad) is None
