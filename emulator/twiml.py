"""Parse TwiML and reject what Twilio would refuse to execute."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from enum import Enum

from emulator.signals import AppError


class Context(Enum):
    """Where a document runs, which limits the verbs it may use."""

    MAIN = "main"
    WAIT = "waitUrl"
    WHISPER = "whisper"


INT = re.compile(r"^\d+$")
METHOD = {"GET", "POST", "get", "post"}
BOOL = {"true", "false"}

# verb -> (allowed children, attribute -> allowed values / pattern / None for free text)
AttrRule = set[str] | re.Pattern[str] | None
SPECS: dict[str, tuple[set[str], dict[str, AttrRule]]] = {
    "Say": (
        {"break", "emphasis", "lang", "p", "phoneme", "prosody", "s", "say-as", "sub", "w"},
        {"voice": None, "language": None, "loop": INT},
    ),
    "Play": (set(), {"loop": INT, "digits": re.compile(r"^[0-9*#wW]*$")}),
    "Pause": (set(), {"length": INT}),
    "Gather": (
        {"Say", "Play", "Pause"},
        {
            "input": {"dtmf", "speech", "dtmf speech", "speech dtmf"},
            "action": None,
            "method": METHOD,
            "timeout": INT,
            "finishOnKey": re.compile(r"^[0-9*#]?$"),
            "numDigits": re.compile(r"^[1-9]\d*$"),
            "speechTimeout": re.compile(r"^(\d+|auto)$"),
            "language": None,
            "hints": None,
            "actionOnEmptyResult": BOOL,
            "profanityFilter": BOOL,
            "speechModel": None,
            "enhanced": BOOL,
            "bargeIn": BOOL,
            "debug": BOOL,
            "partialResultCallback": None,
            "partialResultCallbackMethod": METHOD,
            "maxSpeechTime": INT,
        },
    ),
    "Redirect": (set(), {"method": METHOD}),
    "Hangup": (set(), {}),
    "Reject": (set(), {"reason": {"rejected", "busy"}}),
    "Leave": (set(), {}),
    "Enqueue": (
        {"Task"},
        {
            "action": None,
            "method": METHOD,
            "waitUrl": None,
            "waitUrlMethod": METHOD,
            "workflowSid": None,
            "maxQueueSize": INT,
        },
    ),
    "Dial": (
        {"Number", "Client", "Conference", "Queue", "Sip", "Sim", "Application"},
        {
            "action": None,
            "method": METHOD,
            "timeout": INT,
            "hangupOnStar": BOOL,
            "timeLimit": INT,
            "callerId": None,
            "record": None,
            "trim": None,
            "answerOnBridge": BOOL,
            "ringTone": None,
            "recordingStatusCallback": None,
            "recordingStatusCallbackMethod": METHOD,
            "recordingStatusCallbackEvent": None,
            "recordingTrack": None,
            "sequential": BOOL,
            "referUrl": None,
            "referMethod": METHOD,
            "events": None,
        },
    ),
}
NOUN_ATTRS: dict[str, dict[str, AttrRule]] = {
    "Number": {
        "sendDigits": None,
        "url": None,
        "method": METHOD,
        "statusCallback": None,
        "statusCallbackEvent": None,
        "statusCallbackMethod": METHOD,
        "byoc": None,
        "machineDetection": None,
        "amdStatusCallback": None,
    },
    "Client": {
        "url": None,
        "method": METHOD,
        "statusCallback": None,
        "statusCallbackEvent": None,
        "statusCallbackMethod": METHOD,
    },
    "Queue": {"url": None, "method": METHOD, "reservationSid": None, "postWorkActivitySid": None},
    "Conference": {
        "muted": BOOL,
        "beep": None,
        "startConferenceOnEnter": BOOL,
        "endConferenceOnExit": BOOL,
        "waitUrl": None,
        "waitMethod": METHOD,
        "maxParticipants": INT,
        "record": None,
        "region": None,
        "trim": None,
        "coach": None,
        "statusCallback": None,
        "statusCallbackEvent": None,
        "statusCallbackMethod": METHOD,
        "participantLabel": None,
        "jitterBufferSize": None,
        "eventCallbackUrl": None,
    },
}
KNOWN_UNSUPPORTED = {
    "Record",
    "Sms",
    "Message",
    "Connect",
    "Refer",
    "Pay",
    "Start",
    "Stop",
    "Prompt",
    "Echo",
}
ALLOWED = {
    Context.MAIN: set(SPECS),
    Context.WAIT: {"Play", "Say", "Pause", "Gather", "Redirect", "Leave", "Hangup"},
    Context.WHISPER: {"Play", "Say", "Pause", "Gather", "Redirect", "Hangup"},
}


@dataclass
class Document:
    """A parsed TwiML document and the URL it came from (for resolving relative URLs)."""

    url: str
    verbs: list[ET.Element]
    context: Context


def parse(text: str, url: str, context: Context) -> tuple[Document, list[str]]:
    """Parse and check a TwiML document; return it with non-fatal warnings."""
    try:
        # The XML comes from the application under test on loopback, not from strangers.
        root = ET.fromstring(text)  # noqa: S314
    except ET.ParseError as exc:
        raise AppError("invalid-twiml", f"XML does not parse: {exc}") from exc
    if root.tag != "Response":
        raise AppError("invalid-twiml", f"root element is <{root.tag}>, not <Response>")
    warnings: list[str] = []
    for verb in root:
        _check_verb(verb, context, warnings)
    return Document(url, list(root), context), warnings


def _check_verb(verb: ET.Element, context: Context, warnings: list[str]) -> None:
    """Raise AppError when a verb is unknown, misplaced or badly configured."""
    name = verb.tag
    if name in KNOWN_UNSUPPORTED:
        raise AppError("unsupported-verb", f"<{name}> is not emulated")
    if name not in SPECS:
        raise AppError("invalid-twiml", f"unknown verb <{name}>")
    if name not in ALLOWED[context]:
        raise AppError("invalid-twiml", f"<{name}> is not allowed in a {context.value} document")
    children, attrs = SPECS[name]
    _check_attrs(verb, attrs, warnings)
    for child in verb:
        if child.tag not in children:
            raise AppError("invalid-twiml", f"<{child.tag}> cannot be nested in <{name}>")
        if name == "Gather":
            _check_attrs(child, SPECS[child.tag][1], warnings)
        elif child.tag in NOUN_ATTRS:
            _check_attrs(child, NOUN_ATTRS[child.tag], warnings)


def _check_attrs(el: ET.Element, rules: dict[str, AttrRule], warnings: list[str]) -> None:
    """Reject illegal attribute values; unknown attributes are only warnings, as at Twilio."""
    for key, value in el.attrib.items():
        if key not in rules:
            warnings.append(f"<{el.tag}> has unknown attribute {key!r}")
            continue
        rule = rules[key]
        ok = (
            rule is None
            or (isinstance(rule, set) and value in rule)
            or (isinstance(rule, re.Pattern) and rule.match(value))
        )
        if not ok:
            raise AppError("invalid-twiml", f"<{el.tag} {key}={value!r}> is not a legal value")


def text_of(el: ET.Element) -> str:
    """Return an element's text with SSML children flattened and whitespace collapsed."""
    return " ".join("".join(el.itertext()).split())
