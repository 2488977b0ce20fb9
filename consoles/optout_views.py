"""Supervisors see which numbers asked for no texts: masked, with the cases they belong to."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask import Blueprint, render_template
from sqlalchemy import select
from sqlalchemy.orm import Session

from cases.models import Case, Victim
from consoles import auth
from core.db import get_session
from messaging.models import SmsOptOut
from telephony.numbers import mask

bp = auth.secure_blueprint(Blueprint("console_optouts", __name__, url_prefix="/console"))
HOW = {"keyword": "texted STOP", "twilio_21610": "Twilio refused a text (21610)"}


@dataclass(frozen=True)
class OptOutRow:
    """One register entry as a supervisor sees it: never the number in full, never a text."""

    id: int
    number: str
    since: dt.datetime
    how: str
    crime_references: list[str]


def register(session: Session) -> list[OptOutRow]:
    """Return the register, newest first, with the crime references of matching victims."""
    entries = session.scalars(select(SmsOptOut).order_by(SmsOptOut.opted_out_at.desc())).all()
    refs: dict[str, list[str]] = {}
    numbers = [e.number_e164 for e in entries]
    for number, reference in session.execute(
        select(Victim.phone_e164, Case.crime_reference)
        .join(Case.victim)
        .where(Victim.phone_e164.in_(numbers))
        .order_by(Case.crime_reference)
    ):
        refs.setdefault(number or "", []).append(reference)
    return [
        OptOutRow(
            e.id,
            mask(e.number_e164),
            e.opted_out_at,
            HOW.get(e.source, e.source),
            refs.get(e.number_e164, []),
        )
        for e in entries
    ]


@bp.get("/sms-opt-outs")
@auth.login_required("supervisor")
def sms_opt_outs() -> str:
    """List numbers that opted out of texts."""
    return render_template("consoles/sms_opt_outs.html", rows=register(get_session()))
