"""Victims and their cases."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, Date, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import Base, intpk

STATUS_CODES = (
    "REPORTED",
    "ASSESSED_NOT_INVESTIGATED",
    "UNDER_INVESTIGATION",
    "SUSPECT_ARRESTED",
    "SUSPECT_INTERVIEWED",
    "RELEASED_ON_BAIL",
    "RELEASED_UNDER_INVESTIGATION",
    "NO_FURTHER_ACTION",
    "WITH_CPS",
    "CHARGED",
    "OUT_OF_COURT_DISPOSAL",
    "COURT_DATE_SET",
    "CLOSED_PENDING_INFORMATION",
    "OUTCOME",
)
# Finished (or filed) cases: no further investigation updates are due under Right 6.
CLOSED_STATUSES = frozenset(
    {
        "ASSESSED_NOT_INVESTIGATED",
        "NO_FURTHER_ACTION",
        "OUT_OF_COURT_DISPOSAL",
        "CLOSED_PENDING_INFORMATION",
        "OUTCOME",
    }
)


class Victim(Base):
    """A person a case is about, with how they may be contacted."""

    __tablename__ = "victims"

    id: Mapped[intpk]
    name: Mapped[str] = mapped_column(String(200))
    phone_e164: Mapped[str | None] = mapped_column(String(20), index=True)
    date_of_birth: Mapped[dt.date] = mapped_column(Date)
    sms_allowed: Mapped[bool] = mapped_column(Boolean, default=False)
    safe_to_leave_message: Mapped[bool] = mapped_column(Boolean, default=False)
    preferred_language: Mapped[str] = mapped_column(String(10), default="en-GB")
    cases: Mapped[list[Case]] = relationship(back_populates="victim")


class Case(Base):
    """A crime report and what the victim may be told about it."""

    __tablename__ = "cases"

    id: Mapped[intpk]
    crime_reference: Mapped[str] = mapped_column(String(40))
    reference_key: Mapped[str] = mapped_column(String(40), unique=True)
    victim_id: Mapped[int] = mapped_column(ForeignKey("victims.id"), index=True)
    status_code: Mapped[str] = mapped_column(String(40))
    status_detail: Mapped[str] = mapped_column(Text, default="")
    officer: Mapped[str] = mapped_column(String(200), default="")
    last_update: Mapped[dt.date] = mapped_column(Date)
    next_update_due: Mapped[dt.date | None] = mapped_column(Date)
    enhanced_rights: Mapped[bool] = mapped_column(Boolean, default=False)
    language: Mapped[str] = mapped_column(String(10), default="en-GB")
    offence: Mapped[str] = mapped_column(String(200), default="")
    overdue_flagged_at: Mapped[dt.datetime | None]
    updated_at: Mapped[dt.datetime]
    victim: Mapped[Victim] = relationship(back_populates="cases")
