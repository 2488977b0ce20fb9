"""The ceiling for bench.webhooks: a Flask app answering every POST with fixed TwiML."""

from __future__ import annotations

from flask import Flask, Response

# About the size of an IVR menu answer, so both servers send similar bodies.
TWIML = (
    '<?xml version="1.0" encoding="UTF-8"?><Response><Gather action="/voice/ivr/menu" '
    'input="dtmf speech" numDigits="1"><Say voice="Polly.Amy" language="en-GB">To hear about '
    "your case, press 1 or say status. To speak to someone, press 2 or say someone.</Say>"
    "</Gather></Response>"
)


def create_app() -> Flask:
    """Build the static app (gunicorn 'bench.static_twiml:create_app()')."""
    app = Flask(__name__)

    @app.post("/<path:_path>")
    def answer(_path: str) -> Response:
        return Response(TWIML, mimetype="text/xml")

    return app
