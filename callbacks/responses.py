"""TwiML for callbacks: the offer conversation, the agent's whisper, the victim's leg."""

from __future__ import annotations

from twilio.twiml.voice_response import Dial, VoiceResponse

from callbacks import prompts
from telephony.handoffs import CALLBACK_OFFER_URL
from telephony.speech import AGENT_LANGUAGE, say

OFFER_URL = CALLBACK_OFFER_URL
DECIDE_URL = "/voice/callback/decide"
CHOICE_URL = "/voice/callback/choice"
NUMBER_URL = "/voice/callback/number"
SAFE_URL = "/voice/callback/safe"
AGENT_URL = "/voice/callback/agent"
AGENT_STATUS_URL = "/voice/callback/agent-status"
AGENT_NOTE_URL = "/voice/callback/agent-note"
VICTIM_URL = "/voice/callback/victim"
VICTIM_STATUS_URL = "/voice/callback/victim-status"
# Keying a whole phone number takes a while; Twilio's 5 s default cuts people off.
NUMBER_TIMEOUT = 10


def _ask(language: str, lines: list[str], action: str, **gather: object) -> VoiceResponse:
    """Ask inside a <Gather>; silence falls through to a Redirect that re-asks (bounded)."""
    response = VoiceResponse()
    say(response, language, lines[:-1])
    ask = response.gather(action=action, input="dtmf", **gather)
    say(ask, language, lines[-1:])
    response.redirect(action)
    return response


def ask_wanted(language: str, before: list[str]) -> VoiceResponse:
    """Ask a caller who did not ask for a callback whether they want one: 1 yes, 2 no."""
    return _ask(language, [*before, prompts.text(language, "ask_wanted")], DECIDE_URL, num_digits=1)


def confirm_number(language: str, spoken_number: str, before: list[str]) -> VoiceResponse:
    """Read the number back and ask for 1 (right) or 2 (another)."""
    line = prompts.text(language, "confirm_number", number=spoken_number)
    return _ask(language, [*before, line], CHOICE_URL, num_digits=1)


def ask_number(language: str, before: list[str]) -> VoiceResponse:
    """Ask the caller to key a number, ended by #."""
    line = prompts.text(language, "ask_number")
    return _ask(language, [*before, line], NUMBER_URL, finish_on_key="#", timeout=NUMBER_TIMEOUT)


def ask_safe(language: str, before: list[str]) -> VoiceResponse:
    """Ask whether a message may be left on that number."""
    return _ask(language, [*before, prompts.text(language, "ask_safe")], SAFE_URL, num_digits=1)


def finish(language: str, lines: list[str]) -> VoiceResponse:
    """Say the closing lines, goodbye, and hang up."""
    response = VoiceResponse()
    say(response, language, [*lines, prompts.text(language, "goodbye")])
    response.hangup()
    return response


def conference(room: str, *, ends_on_exit: bool) -> Dial:
    """Return a <Dial> into the attempt's private conference room."""
    dial = Dial()
    dial.conference(
        room,
        start_conference_on_enter=True,
        end_conference_on_exit=ends_on_exit,
        beep=False,
        wait_url="",
    )
    return dial


def agent_whisper(lines: list[str], room: str) -> VoiceResponse:
    """Brief the agent, then hold them in the room until the victim joins."""
    response = VoiceResponse()
    say(response, AGENT_LANGUAGE, lines)
    response.append(conference(room, ends_on_exit=True))
    return response


def agent_note(lines: list[str]) -> VoiceResponse:
    """Tell an agent waiting in the room how the victim's leg ended, then release them."""
    response = VoiceResponse()
    say(response, AGENT_LANGUAGE, lines)
    response.hangup()
    return response


def victim_connect(language: str, helpline: str, room: str) -> VoiceResponse:
    """Tell the victim who is calling and join them to the agent."""
    response = VoiceResponse()
    say(response, language, [prompts.text(language, "victim_intro", helpline=helpline)])
    response.append(conference(room, ends_on_exit=True))
    return response


def voicemail(language: str, leave_message: bool) -> VoiceResponse:
    """Leave the neutral message only where the victim said it is safe; otherwise hang up."""
    response = VoiceResponse()
    if leave_message:
        say(response, language, [prompts.text(language, "voicemail")])
    response.hangup()
    return response


def hang_up() -> VoiceResponse:
    """End the leg without a word (a stale or cancelled attempt)."""
    response = VoiceResponse()
    response.hangup()
    return response
