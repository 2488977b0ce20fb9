"""TwiML helpers shared by every voice webhook."""

from __future__ import annotations

from flask import Response
from twilio.twiml.messaging_response import MessagingResponse
from twilio.twiml.voice_response import VoiceResponse

APOLOGY_EN = (
    "Sorry, something went wrong on our side. If you are in immediate danger, hang up and "
    "dial 999. Please call us again in a few minutes."
)


def xml(document: VoiceResponse | MessagingResponse | str) -> Response:
    """Wrap a TwiML document in a text/xml response."""
    body = document if isinstance(document, str) else document.to_xml()
    return Response(body, status=200, mimetype="text/xml")


def apology() -> VoiceResponse:
    """Say sorry and end the call cleanly: what a caller hears when our code fails."""
    response = VoiceResponse()
    response.say(APOLOGY_EN, voice="Polly.Amy", language="en-GB")
    response.hangup()
    return response


def redirect(url: str) -> VoiceResponse:
    """Send the call on to another webhook (POST), e.g. from one feature to the next."""
    response = VoiceResponse()
    response.redirect(url, method="POST")
    return response


def empty() -> MessagingResponse:
    """Return an empty TwiML document (status callbacks and SMS with nothing to say)."""
    return MessagingResponse()
