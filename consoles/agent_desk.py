"""The agent console's services: state changes, what is on screen, wrap-up. Never commit."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from calls.journey import record
from calls.models import Call
from consoles.followup import FollowUpError, request_follow_up
from consoles.screen_pop import ScreenPop, screen_pop
from core.clock import now
from queueing import agents
from queueing.desk import Desk
from roster.models import Agent

# (code, label): the fixed list an agent picks from when wrapping up.
WRAP_OUTCOMES = (
    ("update_given", "Update given"),
    ("no_news", "No new information to give"),
    ("message_for_officer", "Message taken for the officer"),
    ("referred_support", "Referred to victim support"),
    ("identity_not_verified", "Could not verify identity"),
    ("complaint", "Complaint (Right 12)"),
    ("wrong_number", "Wrong number or not a victim"),
    ("other", "Other: explain below"),
)
OUTCOME_CODES = frozenset(code for code, _ in WRAP_OUTCOMES)
WRAP_UP_LOOKBACK = dt.timedelta(hours=12)
MAX_NOTES = 4000
OFF_SHIFT = "You are not on shift now, so you cannot go available for calls."


class WrapUpError(ValueError):
    """A wrap-up could not be filed (bad outcome, someone else's call)."""


@dataclass(frozen=True)
class StateChange:
    """What became of an agent's request to change state."""

    done: bool
    state: str
    message: str


def change_state(session: Session, desk: Desk, agent: Agent, action: str) -> StateChange:
    """Apply available/break/logout/finish_wrap, refusing 'available' to an agent off shift."""
    try:
        done, state = agents.change_state(session, desk, agent.id, action)
    except agents.OffShift:
        return StateChange(False, agents.agent_status(desk, agent.id)["state"], OFF_SHIFT)
    if not done:
        return StateChange(False, state, f"You cannot do that while {state.replace('_', ' ')}.")
    return StateChange(True, state, f"You are now {state.replace('_', ' ')}.")


def current_pop(session: Session, desk: Desk, agent_id: int, at: dt.datetime) -> ScreenPop | None:
    """Return the screen pop for the agent's current offer or call, if any."""
    status = agents.agent_status(desk, agent_id, at)
    return screen_pop(session, status["entry"], status["state"], at)


def may_open_case(session: Session, desk: Desk, agent_id: int, case_id: int) -> bool:
    """Say whether the case is the verified case of the agent's current offer or call."""
    pop = current_pop(session, desk, agent_id, now())
    return pop is not None and pop.case is not None and pop.case.id == case_id


def pending_wrap_up(session: Session, agent_id: int, at: dt.datetime) -> Call | None:
    """Return the agent's latest finished call that still has no wrap-up."""
    return session.scalar(
        select(Call)
        .where(
            Call.agent_id == agent_id,
            Call.agent_ended_at.is_not(None),
            Call.agent_ended_at >= at - WRAP_UP_LOOKBACK,
            Call.wrap_outcome.is_(None),
        )
        .order_by(Call.agent_ended_at.desc())
        .limit(1)
    )


@dataclass(frozen=True)
class WrapUp:
    """An agent's wrap-up of one call, as the form sent it."""

    call_id: int
    outcome: str
    notes: str
    follow_up: bool = False
    follow_up_number: str | None = None
    safe_to_leave_message: bool = False


def file_wrap_up(
    session: Session,
    desk: Desk,
    agent_id: int,
    wrap: WrapUp,
    at: dt.datetime,
    config: Mapping[str, Any],
) -> dict[str, Any]:
    """Store the outcome and notes on the call, request any follow-up, then end wrap-up."""
    call = session.get(Call, wrap.call_id)
    if call is None or call.agent_id != agent_id:
        raise WrapUpError("That call is not one of yours.")
    if wrap.outcome not in OUTCOME_CODES:
        raise WrapUpError("Choose an outcome from the list.")
    call.wrap_outcome, call.wrap_notes = wrap.outcome, wrap.notes.strip()[:MAX_NOTES]
    record(session, call, "wrap_up", agent_id=agent_id, outcome=wrap.outcome)
    callback_id = None
    if wrap.follow_up:
        number, safe = wrap.follow_up_number, wrap.safe_to_leave_message
        try:
            callback_id = request_follow_up(session, call, number, safe, at, config).id
        except FollowUpError as exc:
            raise WrapUpError(str(exc)) from exc
    # Back to available now; if the ACD already ended wrap-up by its timer, nothing changes.
    done, state = agents.finish_wrap_up(session, desk, agent_id)
    return {"state": state, "finished_wrap_up": done, "callback_id": callback_id}
