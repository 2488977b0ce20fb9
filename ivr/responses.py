"""TwiML the IVR answers with: pure functions named after what the caller hears."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from twilio.twiml.voice_response import Gather, VoiceResponse

from prompts import Prompts, catalogue
from telephony.speech import say

LANGUAGE_URL = "/voice/ivr/language"
MENU_URL = "/voice/ivr/menu"
REFERENCE_URL = "/voice/ivr/reference"
DATE_OF_BIRTH_URL = "/voice/ivr/date-of-birth"
AFTER_STATUS_URL = "/voice/ivr/after-status"
PERSON_URL = "/voice/ivr/person"
CLOSED_URL = "/voice/ivr/closed"
URLS = (
    LANGUAGE_URL,
    MENU_URL,
    REFERENCE_URL,
    DATE_OF_BIRTH_URL,
    AFTER_STATUS_URL,
    PERSON_URL,
    CLOSED_URL,
)
# Keyed references and dates take a while; Twilio's 5 s default cuts people off mid-entry.
ENTRY_TIMEOUT = 10
LANGUAGE_TIMEOUT = 3


def _menu_gather(response: VoiceResponse, p: Prompts, action: str) -> Gather:
    """Add a one-key gather that also listens for a few spoken words."""
    return response.gather(
        action=action,
        input="dtmf speech",
        num_digits=1,
        language=p.speech_language,
        hints="status, someone, call me back",
    )


def greeting(helpline: str, languages: Sequence[str]) -> VoiceResponse:
    """Give the helpline's name and the 999 line, then let the caller pick a language."""
    first = catalogue(languages[0])
    response = VoiceResponse()
    say(response, first, [first.text("greeting", helpline=helpline)])
    if len(languages) < 2:
        response.redirect(LANGUAGE_URL, method="POST")
        return response
    gather = response.gather(
        action=LANGUAGE_URL, input="dtmf", num_digits=1, timeout=LANGUAGE_TIMEOUT
    )
    for key, language in enumerate(languages, start=1):
        p = catalogue(language)
        say(gather, p, [p.text("language.offer", key=key)])
    response.redirect(LANGUAGE_URL, method="POST")
    return response


def main_menu(p: Prompts, lead: Iterable[str] = (), silent: int = 0) -> VoiceResponse:
    """Offer self-service or a person; silence comes back counted so it cannot loop."""
    response = VoiceResponse()
    say(response, p, lead)
    gather = _menu_gather(response, p, MENU_URL)
    say(gather, p, [p.text("menu.main")])
    response.redirect(f"{MENU_URL}?silent={silent + 1}", method="POST")
    return response


def ask_reference(p: Prompts, lead: Iterable[str] = (), silent: int = 0) -> VoiceResponse:
    """Ask for the crime reference."""
    return _ask(p, REFERENCE_URL, "ask.reference", lead, silent)


def ask_date_of_birth(p: Prompts, silent: int = 0) -> VoiceResponse:
    """Ask for the date of birth as DDMMYYYY."""
    return _ask(p, DATE_OF_BIRTH_URL, "ask.date_of_birth", (), silent)


def _ask(p: Prompts, url: str, key: str, lead: Iterable[str], silent: int) -> VoiceResponse:
    response = VoiceResponse()
    say(response, p, lead)
    gather = response.gather(action=url, input="dtmf", timeout=ENTRY_TIMEOUT)
    say(gather, p, [p.text(key)])
    say(response, p, [p.text("no_input")])
    response.redirect(f"{url}?silent={silent + 1}", method="POST")
    return response


def cannot_authenticate(p: Prompts, lead: Iterable[str] = ()) -> VoiceResponse:
    """Explain we cannot check the case and keep the caller on the line for a person."""
    response = VoiceResponse()
    say(response, p, [*lead, p.text("auth.cannot_check")])
    gather = response.gather(action=PERSON_URL, input="dtmf", num_digits=1, timeout=3)
    say(gather, p, [p.text("person.offer")])
    response.redirect(PERSON_URL, method="POST")
    return response


def after_status_menu(p: Prompts, lead: Iterable[str] = (), silent: int = 0) -> VoiceResponse:
    """Say `lead` (the case script, or what just happened), then the after-status options."""
    response = VoiceResponse()
    say(response, p, lead)
    gather = _menu_gather(response, p, AFTER_STATUS_URL)
    say(gather, p, [p.text("after_status.menu")])
    response.redirect(f"{AFTER_STATUS_URL}?silent={silent + 1}", method="POST")
    return response


def connect_to_queue(queue_url: str) -> VoiceResponse:
    """Hand the call to the queue (it tells the caller what is happening, in their language)."""
    response = VoiceResponse()
    response.redirect(queue_url, method="POST")
    return response


def desk_closed(p: Prompts, reopening: str) -> VoiceResponse:
    """Say when we reopen and offer a callback."""
    response = VoiceResponse()
    say(response, p, [p.text("closed"), reopening])
    # Silence posts too, so a caller who says nothing is recorded as turned away ("closed").
    gather = response.gather(
        action=CLOSED_URL, input="dtmf", num_digits=1, action_on_empty_result=True
    )
    say(gather, p, [p.text("closed.callback_offer")])
    say(response, p, [p.text("goodbye")])
    response.hangup()
    return response


def goodbye(p: Prompts, lead: Iterable[str] = ()) -> VoiceResponse:
    """Say goodbye and hang up."""
    response = VoiceResponse()
    say(response, p, [*lead, p.text("goodbye")])
    response.hangup()
    return response
