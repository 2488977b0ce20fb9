"""Agents, shifts, opening hours and closures."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Boolean, Date, ForeignKey, SmallInteger, String, Time
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import Base, intpk


class Agent(Base):
    """A person who takes calls, reachable at a Twilio Client identity and/or a phone number."""

    __tablename__ = "agents"

    id: Mapped[intpk]
    name: Mapped[str] = mapped_column(String(200))
    client_identity: Mapped[str | None] = mapped_column(String(100), unique=True)
    phone_e164: Mapped[str | None] = mapped_column(String(20))
    skills: Mapped[list[str]] = mapped_column(JSON, default=list)
    languages: Mapped[list[str]] = mapped_column(JSON, default=lambda: ["en-GB"])
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    shifts: Mapped[list[Shift]] = relationship(back_populates="agent", cascade="all, delete-orphan")


class Shift(Base):
    """A weekly shift pattern (weekday set) or a dated exception (on_date set).

    kind is "work" or "leave"; a dated "leave" cancels that day's pattern.
    """

    __tablename__ = "shifts"

    id: Mapped[intpk]
    agent_id: Mapped[int] = mapped_column(ForeignKey("agents.id"), index=True)
    weekday: Mapped[int | None] = mapped_column(SmallInteger)
    on_date: Mapped[dt.date | None] = mapped_column(Date)
    starts: Mapped[dt.time] = mapped_column(Time)
    ends: Mapped[dt.time] = mapped_column(Time)
    kind: Mapped[str] = mapped_column(String(10), default="work")
    agent: Mapped[Agent] = relationship(back_populates="shifts")


class OpeningHours(Base):
    """When the desk takes calls that need a person, per weekday (0 = Monday)."""

    __tablename__ = "opening_hours"

    weekday: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    opens: Mapped[dt.time | None] = mapped_column(Time)
    closes: Mapped[dt.time | None] = mapped_column(Time)


class Closure(Base):
    """A dated closure such as a bank holiday."""

    __tablename__ = "closures"

    on_date: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    reason: Mapped[str] = mapped_column(String(200), default="")
