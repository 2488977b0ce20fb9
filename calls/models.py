"""Calls, their events and victims' feedback: enough to compute every desk measure."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, SmallInteger, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import Base, intpk

OUTCOMES = (
    "in_progress",  # still live
    "self_served",  # heard their status and left without an agent
    "answered",  # connected to an agent
    "abandoned",  # hung up while queued
    "callback_requested",  # left the queue/IVR with a callback pending
    "ivr_hangup",  # hung up in the IVR before asking for a person
    "closed",  # desk closed and no self-service wanted
    "error",  # ended by a fault on our side
)


class Call(Base):
    """One phone call (inbound, or outbound for a callback) and its journey."""

    __tablename__ = "calls"

    id: Mapped[intpk]
    call_sid: Mapped[str] = mapped_column(String(40), unique=True)
    direction: Mapped[str] = mapped_column(String(20), default="inbound")
    from_e164: Mapped[str | None] = mapped_column(String(20))
    started_at: Mapped[dt.datetime] = mapped_column(index=True)
    ended_at: Mapped[dt.datetime | None]
    duration_seconds: Mapped[int | None] = mapped_column(Integer)
    twilio_status: Mapped[str] = mapped_column(String(20), default="ringing")
    status_sequence: Mapped[int] = mapped_column(Integer, default=-1)
    language: Mapped[str] = mapped_column(String(10), default="en-GB")
    authenticated: Mapped[bool] = mapped_column(Boolean, default=False)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    status_heard_at: Mapped[dt.datetime | None]
    wanted_agent_at: Mapped[dt.datetime | None]
    queued_at: Mapped[dt.datetime | None]
    priority: Mapped[int | None] = mapped_column(Integer)
    virtual_start_at: Mapped[dt.datetime | None]
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id"), index=True)
    answered_at: Mapped[dt.datetime | None]
    abandoned_at: Mapped[dt.datetime | None]
    left_queue_at: Mapped[dt.datetime | None]
    wait_seconds: Mapped[float | None]
    abandon_position: Mapped[int | None] = mapped_column(Integer)
    agent_ended_at: Mapped[dt.datetime | None]
    outcome: Mapped[str] = mapped_column(String(30), default="in_progress", index=True)
    wrap_outcome: Mapped[str | None] = mapped_column(String(40))
    wrap_notes: Mapped[str | None] = mapped_column(Text)
    events: Mapped[list[CallEvent]] = relationship(
        back_populates="call", order_by="CallEvent.id", cascade="all, delete-orphan"
    )


class CallEvent(Base):
    """A step in a call's journey (greeting, auth failure, queued, offered, ...)."""

    __tablename__ = "call_events"

    id: Mapped[intpk]
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id"), index=True)
    at: Mapped[dt.datetime]
    kind: Mapped[str] = mapped_column(String(40))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    call: Mapped[Call] = relationship(back_populates="events")


class Feedback(Base):
    """A victim's 1-5 rating after speaking to someone."""

    __tablename__ = "feedback"

    id: Mapped[intpk]
    call_id: Mapped[int | None] = mapped_column(ForeignKey("calls.id"), index=True)
    score: Mapped[int] = mapped_column(SmallInteger)
    comment: Mapped[str] = mapped_column(Text, default="")
    channel: Mapped[str] = mapped_column(String(10), default="sms")
    received_at: Mapped[dt.datetime]
