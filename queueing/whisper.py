"""The whisper: what the agent hears about the caller before being bridged."""

from __future__ import annotations

from sqlalchemy.orm import Session

from calls.journey import find_call
from cases.models import Case
from queueing.acd import Offer
from queueing.prompts import text


def whisper_words(session: Session, offer: Offer) -> str:
    """Say the priority tier, offence, reference and whether the caller was authenticated."""
    call = find_call(session, offer.ref) if offer.kind == "call" else None
    case = session.get(Case, call.case_id) if call and call.case_id else None
    authenticated = bool(call and call.authenticated)
    if authenticated and case is not None and case.enhanced_rights:
        tier = text("en-GB", "whisper.enhanced")
    else:
        tier = text(
            "en-GB", "whisper.authenticated_tier" if authenticated else "whisper.default_tier"
        )
    return text(
        "en-GB",
        "whisper.call",
        tier=tier,
        offence=(case.offence if case and case.offence else text("en-GB", "whisper.no_offence")),
        reference=_spaced(case.crime_reference) if case else text("en-GB", "whisper.no_reference"),
        authenticated=text(
            "en-GB", "whisper.authenticated" if authenticated else "whisper.unauthenticated"
        ),
    )


def _spaced(reference: str) -> str:
    """Spell a reference out character by character, so text-to-speech reads digits."""
    return " ".join("stroke" if ch == "/" else ch for ch in reference if not ch.isspace())
