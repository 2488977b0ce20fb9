"""What callers hear while queueing, per language (to move into the IVR's prompt catalogue)."""

from __future__ import annotations

VOICES = {"en-GB": "Polly.Amy", "cy-GB": "Polly.Gwyneth"}

PROMPTS: dict[str, dict[str, str]] = {
    "en-GB": {
        "queue.joined": "Thank you. We are connecting you to a member of our team.",
        "queue.hold": "Thank you for waiting. Your call is important to us.",
        "queue.position": "You are number {position} in the queue.",
        "queue.estimate": "We expect to answer your call in {estimate}.",
        "queue.nobody_on_shift": (
            "There is nobody available to take your call at the moment. We next open at {opening}."
        ),
        "queue.press_1": "Press 1 at any time to be called back. You will keep your place.",
        "queue.closed": "Our team is not available at the moment. We next open at {opening}.",
        "queue.closed_unknown": "Our team is not available at the moment.",
        "queue.offer_callback": "We can call you back when we open.",
        "queue.connecting": "Connecting you now.",
        "queue.still_trying": "Sorry, nobody could take your call just then. You keep your place.",
        "queue.goodbye": "Thank you for calling. Goodbye.",
        "queue.problem": "Sorry, we could not keep you in the queue.",
        "estimate.5": "less than 5 minutes",
        "estimate.10": "about 5 to 10 minutes",
        "estimate.15": "about 10 to 15 minutes",
        "estimate.30": "about 15 to 30 minutes",
        "estimate.more": "more than 30 minutes",
        "whisper.call": "{tier} caller. {offence}. Reference {reference}. {authenticated}.",
        "whisper.enhanced": "Enhanced rights",
        "whisper.authenticated_tier": "Authenticated",
        "whisper.default_tier": "Unverified",
        "whisper.no_offence": "Offence not known",
        "whisper.no_reference": "none",
        "whisper.authenticated": "Identity checked",
        "whisper.unauthenticated": "Identity not checked",
        "whisper.taken": "This call has already been taken. Goodbye.",
    },
    "cy-GB": {
        "queue.joined": "Diolch. Rydym yn eich cysylltu ag aelod o'n tîm.",
        "queue.hold": "Diolch am aros. Mae eich galwad yn bwysig i ni.",
        "queue.position": "Rydych yn rhif {position} yn y ciw.",
        "queue.estimate": "Rydym yn disgwyl ateb eich galwad mewn {estimate}.",
        "queue.nobody_on_shift": (
            "Does neb ar gael i gymryd eich galwad ar hyn o bryd. Rydym yn agor nesaf am {opening}."
        ),
        "queue.press_1": "Pwyswch 1 unrhyw bryd i ni eich ffonio'n ôl. Byddwch yn cadw eich lle.",
        "queue.closed": "Nid yw ein tîm ar gael ar hyn o bryd. Rydym yn agor nesaf am {opening}.",
        "queue.closed_unknown": "Nid yw ein tîm ar gael ar hyn o bryd.",
        "queue.offer_callback": "Gallwn eich ffonio'n ôl pan fyddwn ar agor.",
        "queue.connecting": "Yn eich cysylltu nawr.",
        "queue.still_trying": (
            "Mae'n ddrwg gennym, nid oedd y cydweithiwr ar gael. Rydych yn cadw eich lle."
        ),
        "queue.goodbye": "Diolch am ffonio. Hwyl fawr.",
        "queue.problem": "Mae'n ddrwg gennym, ni allem eich cadw yn y ciw.",
        "estimate.5": "llai na 5 munud",
        "estimate.10": "tua 5 i 10 munud",
        "estimate.15": "tua 10 i 15 munud",
        "estimate.30": "tua 15 i 30 munud",
        "estimate.more": "mwy na 30 munud",
    },
}


def text(language: str, key: str, **values: object) -> str:
    """Return the prompt in the caller's language (English when it has no translation)."""
    table = PROMPTS.get(language, PROMPTS["en-GB"])
    return table.get(key, PROMPTS["en-GB"][key]).format(**values)


def voice(language: str) -> tuple[str, str]:
    """Return the (voice, language) pair for <Say>, falling back to British English."""
    if language in VOICES:
        return VOICES[language], language
    return VOICES["en-GB"], "en-GB"
