"""Helpers for the IVR tests: post signed webhooks for one call and read what happened."""

from __future__ import annotations

import datetime as dt
import uuid
import xml.etree.ElementTree as ET
from typing import Any

from flask import Flask
from sqlalchemy import select

from calls.models import Call, CallEvent
from cases.models import Case
from devtools.demo import seed
from prompts import catalogue
from roster.models import OpeningHours
from tests.twilio_signing import CALL_SID, TwilioSigner, voice_params
from tests.twiml_assert import parse, verbs

EN = catalogue("en-GB")
CY = catalogue("cy-GB")
REF, DOB = "1234567*24", "01021980"
ENHANCED_REF, ENHANCED_DOB = "2345678*24", "25121975"


def seed_demo(app: Flask) -> Flask:
    """Load the demo cases and open the desk around the clock."""
    with app.extensions["helpline.sessionmaker"]() as session:
        seed(session)
        session.commit()
    return app


def post(twilio: TwilioSigner, path: str, sid: str = CALL_SID, **params: str) -> ET.Element:
    """Post a signed voice webhook for one call and parse the TwiML answer."""
    response = twilio.post(path, voice_params(CallSid=sid, CallStatus="in-progress", **params))
    assert response.status_code == 200
    assert response.mimetype == "text/xml"
    return parse(response.data)


def new_sid() -> str:
    """A fresh, well-formed CallSid."""
    return "CA" + uuid.uuid4().hex


def authenticate(
    twilio: TwilioSigner, ref: str, dob: str, sid: str = CALL_SID, **params: str
) -> ET.Element:
    """Choose self-service, then key a reference and a date of birth."""
    post(twilio, "/voice/ivr/menu", sid, Digits="1", **params)
    post(twilio, "/voice/ivr/reference", sid, Digits=ref, **params)
    return post(twilio, "/voice/ivr/date-of-birth", sid, Digits=dob, **params)


def call_row(app: Flask, sid: str = CALL_SID) -> Call:
    """Load the call with this SID."""
    with app.extensions["helpline.sessionmaker"]() as session:
        call = session.scalar(select(Call).where(Call.call_sid == sid))
        assert call is not None
        return call


def event_kinds(app: Flask, sid: str = CALL_SID) -> list[str]:
    """Return the kinds of the call's journey events, in order."""
    return [e.kind for e in events(app, sid)]


def events(app: Flask, sid: str = CALL_SID) -> list[CallEvent]:
    """Return the call's journey events, in order."""
    with app.extensions["helpline.sessionmaker"]() as session:
        call = session.scalar(select(Call).where(Call.call_sid == sid))
        assert call is not None
        return list(session.scalars(select(CallEvent).where(CallEvent.call == call)))


def redirect_target(root: ET.Element) -> str:
    """Return the URL of the document's final <Redirect>, which must POST."""
    assert verbs(root)[-1] == "Redirect"
    assert root[-1].get("method") == "POST"
    return (root[-1].text or "").strip()


def said(root: ET.Element) -> list[str]:
    """Return each <Say> text in document order."""
    return [(el.text or "").strip() for el in root.iter("Say")]


def close_desk(app: Flask) -> None:
    """Set opening hours that never include now: only 00:00-00:01 on every day."""
    with app.extensions["helpline.sessionmaker"]() as session:
        for weekday in range(7):
            session.merge(OpeningHours(weekday=weekday, opens=dt.time(0, 0), closes=dt.time(0, 1)))
        session.commit()


def update_case(app: Flask, reference: str = "1234567/24", **fields: Any) -> None:
    """Change a demo case's fields (and its victim's, given as victim_<field>)."""
    with app.extensions["helpline.sessionmaker"]() as session:
        case = session.scalar(select(Case).where(Case.reference_key == reference))
        assert case is not None
        for name, value in fields.items():
            target = case.victim if name.startswith("victim_") else case
            setattr(target, name.removeprefix("victim_"), value)
        session.commit()


def load_case(app: Flask, reference: str = "1234567/24") -> Case:
    """Load a case by its reference."""
    with app.extensions["helpline.sessionmaker"]() as session:
        case = session.scalar(select(Case).where(Case.reference_key == reference))
        assert case is not None
        return case


IVR_PATHS = (
    "/voice/incoming",
    "/voice/ivr/language",
    "/voice/ivr/menu",
    "/voice/ivr/reference",
    "/voice/ivr/date-of-birth",
    "/voice/ivr/after-status",
    "/voice/ivr/person",
    "/voice/ivr/closed",
)
