"""Speaking on a call: every <Say> in the voice and language of the prompt catalogue's `meta`."""

from __future__ import annotations

from collections.abc import Iterable

from twilio.twiml.voice_response import Gather, VoiceResponse

from prompts import DEFAULT_LANGUAGE, Prompts, catalogue

# Agents are briefed (whispers, notes) in the desk's working language.
AGENT_LANGUAGE = DEFAULT_LANGUAGE


def say(target: VoiceResponse | Gather, language: str | Prompts, lines: Iterable[str]) -> None:
    """Add a <Say> per line, in the `meta.voice` and `meta.language` of `language`."""
    words = language if isinstance(language, Prompts) else catalogue(language)
    for line in lines:
        target.say(line, voice=words.voice, language=words.say_language)
