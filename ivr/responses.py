"""TwiML the IVR answers with: pure functions named after what the caller hears."""

from __future__ import annotations

from collections.abc import Iterable

from twilio.twiml.voice_response import Gather, VoiceResponse

from ivr import prompts

MENU_URL = "/voice/ivr/menu"
REFERENCE_URL = "/voice/ivr/reference"
DATE_OF_BIRTH_URL = "/voice/ivr/date-of-birth"
AFTER_STATUS_URL = "/voice/ivr/after-status"
PERSON_URL = "/voice/ivr/person"
CLOSED_URL = "/voice/ivr/closed"
# Keyed references and dates take a while; Twilio's 5 s default cuts people off mid-entry.
ENTRY_TIMEOUT = 10


def _say(target: VoiceResponse | Gather, *lines: str) -> None:
    for line in lines:
        target.say(line, voice=prompts.VOICE, language=prompts.LANGUAGE)


def main_menu(helpline_name: str | None = None, silent: int = 0, lead: str = "") -> VoiceResponse:
    """Greet (on the first pass) and offer self-service or a person; silence leads to a person."""
    response = VoiceResponse()
    if helpline_name:
        _say(response, f"Welcome to {helpline_name}. {prompts.SAFETY}")
    if lead:
        _say(response, lead)
    gather = response.gather(
        action=MENU_URL,
        input="dtmf speech",
        num_digits=1,
        hints="update, news, someone, person",
        language=prompts.LANGUAGE,
    )
    _say(gather, prompts.MAIN_MENU)
    response.redirect(f"{MENU_URL}?silent={silent + 1}")
    return response


def ask_reference(lead: str = "", silent: int = 0) -> VoiceResponse:
    """Ask for the crime reference; silence comes back with a count so it cannot loop."""
    return _ask(REFERENCE_URL, prompts.ASK_REFERENCE, lead, silent)


def ask_date_of_birth(silent: int = 0) -> VoiceResponse:
    """Ask for the date of birth as DDMMYYYY."""
    return _ask(DATE_OF_BIRTH_URL, prompts.ASK_DATE_OF_BIRTH, "", silent)


def _ask(url: str, question: str, lead: str, silent: int) -> VoiceResponse:
    response = VoiceResponse()
    if lead:
        _say(response, lead)
    gather = response.gather(action=url, input="dtmf", timeout=ENTRY_TIMEOUT)
    _say(gather, question)
    _say(response, prompts.NO_INPUT)
    response.redirect(f"{url}?silent={silent + 1}")
    return response


def not_matched_try_again() -> VoiceResponse:
    """Say the details did not match (never which one) and start the two questions again."""
    return ask_reference(lead=f"{prompts.NOT_MATCHED} {prompts.TRY_AGAIN}")


def cannot_authenticate(lead: str) -> VoiceResponse:
    """Explain we cannot check the case and keep the caller on the line for a person."""
    response = VoiceResponse()
    _say(response, *filter(None, (lead, prompts.CANNOT_CHECK)))
    gather = response.gather(action=PERSON_URL, input="dtmf", num_digits=1, timeout=3)
    _say(gather, prompts.TO_PERSON_OFFER)
    response.redirect(PERSON_URL)
    return response


def case_status(lines: Iterable[str]) -> VoiceResponse:
    """Read the case update, then offer a repeat or a person; silence ends the call kindly."""
    response = VoiceResponse()
    _say(response, *lines)
    gather = response.gather(action=AFTER_STATUS_URL, input="dtmf", num_digits=1)
    _say(gather, prompts.AFTER_STATUS)
    _say(response, prompts.GOODBYE)
    response.hangup()
    return response


def connect_to_queue(queue_url: str) -> VoiceResponse:
    """Tell the caller we are connecting them and hand the call to the queue."""
    response = VoiceResponse()
    _say(response, prompts.CONNECTING)
    response.redirect(queue_url)
    return response


def desk_closed(reopening: str) -> VoiceResponse:
    """Say when we reopen and offer a callback."""
    response = VoiceResponse()
    _say(response, prompts.CLOSED, reopening)
    # Silence posts too, so a caller who says nothing is recorded as turned away ("closed").
    gather = response.gather(
        action=CLOSED_URL, input="dtmf", num_digits=1, action_on_empty_result=True
    )
    _say(gather, prompts.CALLBACK_OFFER)
    _say(response, prompts.GOODBYE)
    response.hangup()
    return response


def to_callback(callback_url: str) -> VoiceResponse:
    """Hand the call to the callback feature."""
    response = VoiceResponse()
    response.redirect(callback_url)
    return response


def goodbye() -> VoiceResponse:
    """Say goodbye and hang up."""
    response = VoiceResponse()
    _say(response, prompts.GOODBYE)
    response.hangup()
    return response
