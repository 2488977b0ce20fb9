"""Parse TwiML in tests (never substring-match XML)."""

from __future__ import annotations

import xml.etree.ElementTree as ET

VOICE_VERBS = {
    "Say",
    "Play",
    "Pause",
    "Gather",
    "Redirect",
    "Hangup",
    "Reject",
    "Enqueue",
    "Dial",
    "Leave",
    "Record",
    "Sms",
    "Refer",
    "Connect",
    "Start",
    "Stop",
    "Pay",
}


def parse(body: bytes | str) -> ET.Element:
    """Parse a TwiML document and check it is a <Response> of known verbs."""
    root = ET.fromstring(body)
    assert root.tag == "Response"
    for child in root:
        assert child.tag in VOICE_VERBS | {"Message"}, f"unknown verb {child.tag}"
    return root


def verbs(root: ET.Element) -> list[str]:
    """Return the top-level verb names in order."""
    return [child.tag for child in root]


def spoken(root: ET.Element) -> str:
    """Return all <Say> text in document order, joined by spaces."""
    return " ".join((el.text or "").strip() for el in root.iter("Say"))
