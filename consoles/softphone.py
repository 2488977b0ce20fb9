"""The agent's softphone: Twilio access tokens, and the emulator's stand-in for the SDK.

In production the page runs the Twilio Voice JavaScript SDK (vendored under static/vendor/)
with a short-lived access token. Offline (development and tests against the Twilio emulator)
the same page rings, answers and hangs up through the emulator's interactive-party API, which
this module relays so the browser only ever talks to Helpline (the CSP stays 'self', and an
agent can only drive their own party).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import requests
from twilio.jwt.access_token import AccessToken
from twilio.jwt.access_token.grants import VoiceGrant

from core.config import is_dev

MODES = ("twilio", "emulator")
PARTY_ACTIONS = ("answer", "reject", "hangup")
RELAY_TIMEOUT = 15.0
LONG_POLL_SECONDS = 5


class SoftphoneUnavailable(RuntimeError):
    """The softphone cannot work with the current settings."""


def mode(config: Mapping[str, Any]) -> str:
    """Return "twilio" or "emulator": which phone the agent page runs."""
    chosen = str(config.get("AGENT_SOFTPHONE") or "auto").lower()
    if chosen in MODES:
        return chosen
    emulated = bool(config.get("TWILIO_API_BASE_URL")) and is_dev(config)
    return "emulator" if emulated else "twilio"


def access_token(config: Mapping[str, Any], identity: str) -> str:
    """Return a signed Voice access token letting `identity` receive and place calls."""
    key, secret = config.get("TWILIO_API_KEY"), config.get("TWILIO_API_SECRET")
    app_sid = config.get("TWILIO_TWIML_APP_SID")
    if not (key and secret and app_sid):
        raise SoftphoneUnavailable(
            "Set TWILIO_API_KEY, TWILIO_API_SECRET and TWILIO_TWIML_APP_SID for the softphone."
        )
    token = AccessToken(
        config["TWILIO_ACCOUNT_SID"], key, secret, identity=identity, ttl=config["AGENT_TOKEN_TTL"]
    )
    token.add_grant(VoiceGrant(outgoing_application_sid=app_sid, incoming_allow=True))
    jwt = token.to_jwt()
    return jwt.decode() if isinstance(jwt, bytes) else str(jwt)


def party_key(identity: str) -> str:
    """Return the emulator's party key for an agent's Client identity."""
    return f"client:{identity}"


class EmulatorRelay:
    """Drive one agent's interactive party at the Twilio emulator's control API."""

    def __init__(self, config: Mapping[str, Any], identity: str) -> None:
        base = str(config.get("TWILIO_API_BASE_URL") or "")
        if mode(config) != "emulator" or not base:
            raise SoftphoneUnavailable("The emulator softphone is not enabled.")
        self.base = base.rstrip("/") + "/_emulator/parties"
        self.key = party_key(identity)

    def register(self) -> dict[str, Any]:
        """Make the agent an interactive party, replacing any automatic stand-in for them."""
        # Replacing starts a fresh feed: a page reloaded while ringing sees the next call.
        body = {"key": self.key, "mode": "interactive"}
        created = requests.post(self.base, json=body, timeout=RELAY_TIMEOUT)
        created.raise_for_status()
        return dict(created.json())

    def events(self, after: int) -> dict[str, Any]:
        """Return the party's events from index `after`, waiting briefly for new ones."""
        response = requests.get(
            f"{self.base}/{self.key}/events",
            params={"after": max(after, 0), "wait": LONG_POLL_SECONDS},
            timeout=RELAY_TIMEOUT,
        )
        if response.status_code == 404:
            raise SoftphoneUnavailable("The emulator does not know this softphone yet.")
        response.raise_for_status()
        return dict(response.json())

    def act(self, action: str) -> tuple[int, dict[str, Any]]:
        """Answer, reject or hang up; return the emulator's status and reply."""
        if action not in PARTY_ACTIONS:
            raise ValueError(action)
        response = requests.post(f"{self.base}/{self.key}/{action}", timeout=RELAY_TIMEOUT)
        return response.status_code, dict(response.json())
