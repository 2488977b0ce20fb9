"""TwiML for queueing callers and connecting agents: pure functions of what they hear."""

from __future__ import annotations

from twilio.twiml.voice_response import Dial, Gather, VoiceResponse

from queueing.prompts import text
from roster.models import Agent
from telephony.speech import AGENT_LANGUAGE, say

TWILIO_QUEUE = "helpline"


def enqueue(language: str, wait_url: str, action_url: str, lead: str | None) -> VoiceResponse:
    """Say `lead` (a prompt key) if any, then wait in the helpline's Twilio queue."""
    response = VoiceResponse()
    if lead:
        say(response, language, [text(language, lead)])
    response.enqueue(TWILIO_QUEUE, wait_url=wait_url, action=action_url, method="POST")
    return response


def queue_failed(language: str, callback_url: str) -> VoiceResponse:
    """Apologise that the queue failed the caller (Twilio's error), then ask about a callback."""
    response = VoiceResponse()
    say(response, language, [text(language, "queue.problem")])
    response.redirect(callback_url, method="POST")
    return response


def unavailable(language: str, opening: str, callback_url: str) -> VoiceResponse:
    """Say the desk cannot take the call now and when it opens, then offer a callback."""
    response = VoiceResponse()
    say(response, language, [text(language, "queue.closed")])
    say(response, language, [opening])
    say(response, language, [text(language, "queue.offer_callback")])
    response.redirect(callback_url, method="POST")
    return response


def hold(language: str, lines: list[str], keypress_url: str, pause_seconds: int) -> VoiceResponse:
    """Play one hold cycle, listening for 1 throughout; the waitUrl is re-requested after it."""
    response = VoiceResponse()
    gather = Gather(num_digits=1, action=keypress_url, method="POST", timeout=1)
    for line in lines:
        say(gather, language, [line])
    gather.pause(length=pause_seconds)
    response.append(gather)
    return response


def leave() -> VoiceResponse:
    """Step out of the Twilio queue (the <Enqueue> action decides what comes next)."""
    response = VoiceResponse()
    response.leave()
    return response


def connect(
    language: str, agent: Agent, whisper_url: str, action_url: str, ring_seconds: int
) -> VoiceResponse:
    """Ring the agent (browser client first, else phone) with a whisper before bridging."""
    response = VoiceResponse()
    say(response, language, [text(language, "queue.connecting")])
    dial = Dial(action=action_url, method="POST", timeout=ring_seconds)
    if agent.client_identity:
        dial.client(agent.client_identity, url=whisper_url, method="POST")
    else:
        dial.number(agent.phone_e164 or "", url=whisper_url, method="POST")
    response.append(dial)
    return response


def whisper(words: str) -> VoiceResponse:
    """Tell the agent who is calling before the caller is bridged."""
    response = VoiceResponse()
    say(response, AGENT_LANGUAGE, [words])
    return response


def whisper_taken() -> VoiceResponse:
    """Tell an agent who answered too late that the call went elsewhere, and hang up their leg."""
    response = VoiceResponse()
    say(response, AGENT_LANGUAGE, [text(AGENT_LANGUAGE, "whisper.taken")])
    response.hangup()
    return response


def goodbye(language: str) -> VoiceResponse:
    """Thank the caller and end the call."""
    response = VoiceResponse()
    say(response, language, [text(language, "queue.goodbye")])
    response.hangup()
    return response


def nothing() -> VoiceResponse:
    """An empty document, for requests whose TwiML Twilio ignores."""
    return VoiceResponse()
