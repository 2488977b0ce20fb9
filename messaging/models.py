"""The SMS opt-out register: numbers that asked for no texts (never what anyone wrote)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, intpk

# Why a number and not an HMAC of it: an opt-out is a consent record that must outlive a
# SECRET_KEY rotation (a keyed hash would silently forget every STOP), supervisors must be
# able to check a victim's number against it, and the same numbers already sit in plain
# E.164 on cases, calls and callbacks. An unkeyed hash of a phone number hides nothing.
SOURCES = ("keyword", "twilio_21610")


class SmsOptOut(Base):
    """One number that must not be texted, since when, and how we learnt it."""

    __tablename__ = "sms_opt_outs"

    id: Mapped[intpk]
    number_e164: Mapped[str] = mapped_column(String(20), unique=True)
    opted_out_at: Mapped[dt.datetime]
    source: Mapped[str] = mapped_column(String(20))
