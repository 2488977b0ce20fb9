"""The screen pop: who is on the agent's current call or offer, and about which case.

Built from the ACD's live state for the agent (the entry they are reserved for or talking to)
joined with the Call or CallbackRequest row and the Case. Case details appear only when the
caller proved who they are; otherwise the pop carries the verify-first warning instead.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy.orm import Session

from callbacks.models import CallbackRequest
from calls.journey import find_call
from cases.models import Case
from telephony.numbers import mask

VERIFY_WARNING = "Identity not verified: verify before disclosing anything."
PHASES = {"reserved": "offered", "busy": "connected"}


@dataclass(frozen=True)
class CaseCard:
    """What an agent may see of a verified caller's case."""

    id: int
    crime_reference: str
    status_code: str
    status_detail: str
    officer: str
    priority_tier: str
    language: str
    offence: str
    overdue: bool
    next_update_due: str | None


@dataclass(frozen=True)
class ScreenPop:
    """The agent's current offer or call: how the caller got here and, if verified, the case."""

    entry: str
    kind: str  # "call" (a live caller) or "callback" (we ring the victim)
    phase: str  # "offered" (ringing the agent) or "connected"
    authenticated: bool
    waited_seconds: float | None
    language: str
    caller: str | None
    warning: str | None
    case: CaseCard | None
    callback_number: str | None = None
    safe_to_leave_message: bool | None = None

    def as_json(self) -> dict[str, Any]:
        """Return the pop as JSON-ready data."""
        return asdict(self)


def screen_pop(
    session: Session, entry: str | None, agent_state: str, at: dt.datetime
) -> ScreenPop | None:
    """Return the pop for the entry the agent is offered or talking to; None when idle."""
    phase = PHASES.get(agent_state)
    if not entry or phase is None:
        return None
    kind, _, ref = entry.partition(":")
    if kind == "call":
        return _call_pop(session, entry, ref, phase, at)
    if kind == "cb" and ref.isdigit():
        return _callback_pop(session, entry, int(ref), phase, at)
    return None


def _call_pop(session: Session, entry: str, sid: str, phase: str, at: dt.datetime) -> ScreenPop:
    call = find_call(session, sid)
    if call is None:
        return ScreenPop(entry, "call", phase, False, None, "en-GB", None, VERIFY_WARNING, None)
    authenticated = bool(call.authenticated and call.case_id)
    case = session.get(Case, call.case_id) if authenticated and call.case_id else None
    waited = call.wait_seconds
    if waited is None and call.queued_at is not None:
        waited = (at - call.queued_at).total_seconds()
    return ScreenPop(
        entry=entry,
        kind="call",
        phase=phase,
        authenticated=authenticated,
        waited_seconds=waited,
        language=call.language,
        caller=mask(call.from_e164) if call.from_e164 else None,
        warning=None if authenticated else VERIFY_WARNING,
        case=case_card(case, at) if case else None,
    )


def _callback_pop(
    session: Session, entry: str, callback_id: int, phase: str, at: dt.datetime
) -> ScreenPop:
    request = session.get(CallbackRequest, callback_id)
    if request is None:
        return ScreenPop(entry, "callback", phase, False, None, "en-GB", None, VERIFY_WARNING, None)
    # The callbacks feature links a case only when the caller passed authentication.
    case = session.get(Case, request.case_id) if request.case_id else None
    return ScreenPop(
        entry=entry,
        kind="callback",
        phase=phase,
        authenticated=case is not None,
        waited_seconds=(at - request.requested_at).total_seconds(),
        language=request.language,
        caller=None,
        warning=None if case is not None else VERIFY_WARNING,
        case=case_card(case, at) if case else None,
        callback_number=request.phone_e164,
        safe_to_leave_message=request.safe_to_leave_message,
    )


def case_card(case: Case, at: dt.datetime) -> CaseCard:
    """Return the case as the agent sees it."""
    due = case.next_update_due
    overdue = case.overdue_flagged_at is not None or (due is not None and due < at.date())
    return CaseCard(
        id=case.id,
        crime_reference=case.crime_reference,
        status_code=case.status_code,
        status_detail=case.status_detail,
        officer=case.officer,
        priority_tier="Enhanced Rights" if case.enhanced_rights else "Standard",
        language=case.language,
        offence=case.offence,
        overdue=overdue,
        next_update_due=due.isoformat() if due else None,
    )
