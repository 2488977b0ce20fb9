"""Callback requests and each attempt to honour them (the database is the source of truth)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, intpk

PENDING_STATES = ("pending", "in_progress")


class CallbackRequest(Base):
    """A victim's request to be called back, keeping the place of the call it came from."""

    __tablename__ = "callback_requests"
    __table_args__ = (
        # One open callback per victim and case: a second request updates the first.
        Index(
            "uq_callback_requests_open_per_case",
            "victim_key",
            unique=True,
            sqlite_where=text("state IN ('pending', 'in_progress')"),
            postgresql_where=text("state IN ('pending', 'in_progress')"),
        ),
    )

    id: Mapped[intpk]
    victim_key: Mapped[str] = mapped_column(String(80))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    origin_call_id: Mapped[int | None] = mapped_column(ForeignKey("calls.id"))
    phone_e164: Mapped[str] = mapped_column(String(20))
    language: Mapped[str] = mapped_column(String(10), default="en-GB")
    safe_to_leave_message: Mapped[bool] = mapped_column(Boolean, default=False)
    sms_confirmation: Mapped[bool] = mapped_column(Boolean, default=False)
    reason: Mapped[str] = mapped_column(Text, default="")
    priority: Mapped[int] = mapped_column(Integer)
    virtual_start_at: Mapped[dt.datetime]
    requested_at: Mapped[dt.datetime]
    not_before: Mapped[dt.datetime]
    expires_at: Mapped[dt.datetime]
    state: Mapped[str] = mapped_column(String(20), default="pending", index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[dt.datetime | None]
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id"))
    finished_at: Mapped[dt.datetime | None]
    finish_reason: Mapped[str | None] = mapped_column(String(40))


class CallbackAttempt(Base):
    """One try at a callback: agent leg first, then the victim."""

    __tablename__ = "callback_attempts"
    # A second worker racing for the same try fails on insert instead of dialling twice.
    __table_args__ = (UniqueConstraint("callback_id", "number"),)

    id: Mapped[intpk]
    callback_id: Mapped[int] = mapped_column(ForeignKey("callback_requests.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[dt.datetime]
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id"))
    # The ACD reservation token that offered this attempt to the agent (None: offered directly).
    offer_token: Mapped[str | None] = mapped_column(String(64))
    agent_call_sid: Mapped[str | None] = mapped_column(String(40))
    victim_call_sid: Mapped[str | None] = mapped_column(String(40), unique=True)
    # agent_ringing -> victim_ringing -> done; each step is claimed with a WHERE on the last.
    stage: Mapped[str] = mapped_column(
        String(20), default="agent_ringing", server_default="agent_ringing"
    )
    victim_dialled_at: Mapped[dt.datetime | None]
    # When the victim's leg first asked for TwiML while detection still ran (AsyncAmd): from
    # then on the detection result must redirect the leg; before, the leg's request plays it.
    victim_answered_at: Mapped[dt.datetime | None]
    result: Mapped[str | None] = mapped_column(String(20))
    # Twilio's AnsweredBy for the victim's leg: human, machine_end_beep, fax, unknown, ...
    answered_by: Mapped[str | None] = mapped_column(String(40))
    finished_at: Mapped[dt.datetime | None]
