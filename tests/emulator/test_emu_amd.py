"""Answering machine detection behaves per mode, as Twilio documents it, with timing."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from twilio.request_validator import RequestValidator

from emulator import Party
from emulator.amd import FAX_SECONDS, HUMAN_SECONDS, MACHINE_START_SECONDS
from tests.emulator.conftest import AUTH_TOKEN, HELPLINE_NUMBER, make_emulator, rest, wait_until

VICTIM = "+447700900123"
# Detection delays are compared in emulated seconds: a slower clock than the other emulator
# tests keeps a busy machine's thread wake-ups (real milliseconds) from looking like seconds.
TIME_SCALE = 0.1


@pytest.fixture
def emu(stub: Any) -> Iterator[Any]:
    """An emulator on a slower clock, pointed at the stub app."""
    emulator = make_emulator(stub, time_scale=TIME_SCALE)
    emulator.start()
    yield emulator
    emulator.stop()


def call(emu: Any, stub: Any, **extra: str) -> Any:
    """Create a call to VICTIM whose Url is /answer; return the emulated call."""
    resp = rest(
        emu,
        "POST",
        "Calls.json",
        {"To": VICTIM, "From": HELPLINE_NUMBER, "Url": stub.url + "/answer", **extra},
    )
    assert resp.status_code == 201, resp.text
    return emu.calls[resp.json()["sid"]]


def detected_after(leg: Any) -> float:
    """Return the emulated seconds from answer to the detection result."""
    [answered] = leg.entries("answered")
    [result] = leg.entries("amd")
    return float(result["t"] - answered["t"])


@pytest.mark.parametrize(
    ("party", "mode", "answered_by", "after"),
    [
        (Party(talk_for=20), "Enable", "human", HUMAN_SECONDS),
        (Party(talk_for=20, machine=True), "Enable", "machine_start", MACHINE_START_SECONDS),
        (Party(talk_for=20, fax=True), "Enable", "fax", FAX_SECONDS),
        (Party(talk_for=20), "DetectMessageEnd", "human", HUMAN_SECONDS),
        (Party(talk_for=20, machine=True, greeting_seconds=6), "DetectMessageEnd",
         "machine_end_beep", 6),
        (Party(talk_for=20, machine=True, greeting_seconds=5, message_end="silence"),
         "DetectMessageEnd", "machine_end_silence", 5),
        (Party(talk_for=20, machine=True, greeting_seconds=4, message_end="other"),
         "DetectMessageEnd", "machine_end_other", 4),
        (Party(talk_for=20, fax=True), "DetectMessageEnd", "fax", FAX_SECONDS),
    ],
)  # fmt: skip
def test_synchronous_detection_holds_the_url_until_the_result(
    stub: Any, emu: Any, party: Party, mode: str, answered_by: str, after: float
) -> None:
    """Without AsyncAmd the Url request waits for detection and carries AnsweredBy."""
    emu.add_party(VICTIM, party)
    stub.on("/answer", "<Hangup/>")
    leg = call(emu, stub, MachineDetection=mode)
    [hit] = wait_until(lambda: stub.to("/answer"))
    assert hit.form["AnsweredBy"] == answered_by
    assert after <= detected_after(leg) <= after + 1
    [webhook] = wait_until(lambda: leg.entries("webhook"))
    assert webhook["sent"] >= leg.entries("amd")[0]["t"]


def test_silence_until_the_timeout_is_unknown(stub: Any, emu: Any) -> None:
    """A party who says nothing leaves detection undecided: unknown at MachineDetectionTimeout."""
    emu.add_party(VICTIM, Party(talk_for=20, silent=True))
    stub.on("/answer", "<Hangup/>")
    leg = call(emu, stub, MachineDetection="DetectMessageEnd", MachineDetectionTimeout="5")
    [hit] = wait_until(lambda: stub.to("/answer"))
    assert hit.form["AnsweredBy"] == "unknown"
    assert 5 <= detected_after(leg) <= 6


@pytest.mark.parametrize(
    "extra",
    [
        {"MachineDetection": "enable"},
        {"MachineDetection": "true"},
        {"MachineDetection": "DetectMessageEnd", "AsyncAmd": "yes"},
        {"MachineDetection": "Enable", "MachineDetectionTimeout": "2"},
        {"MachineDetection": "Enable", "MachineDetectionTimeout": "60"},
    ],
)
def test_invalid_machine_detection_values_are_refused(
    stub: Any, emu: Any, extra: dict[str, str]
) -> None:
    """Values Twilio does not allow get 400 with error 21234, and no call is placed."""
    emu.add_party(VICTIM, Party(talk_for=5))
    resp = rest(
        emu,
        "POST",
        "Calls.json",
        {"To": VICTIM, "From": HELPLINE_NUMBER, "Url": stub.url + "/answer", **extra},
    )
    assert (resp.status_code, resp.json()["code"]) == (400, 21234)
    assert emu.calls == {}


def test_async_detection_starts_the_url_at_once_and_posts_the_result(stub: Any, emu: Any) -> None:
    """AsyncAmd: the Url runs on answer without AnsweredBy; the result is posted, signed."""
    emu.add_party(VICTIM, Party(talk_for=20, machine=True, greeting_seconds=6))
    stub.on("/answer", '<Pause length="15"/>')
    stub.on("/amd", "")
    leg = call(
        emu,
        stub,
        MachineDetection="DetectMessageEnd",
        AsyncAmd="true",
        AsyncAmdStatusCallback=stub.url + "/amd",
    )
    [answer] = wait_until(lambda: stub.to("/answer"))
    assert "AnsweredBy" not in answer.form
    [result] = wait_until(lambda: stub.to("/amd"))
    assert (result.form["CallSid"], result.form["AnsweredBy"]) == (leg.sid, "machine_end_beep")
    assert result.form["MachineDetectionDuration"] == "6000"
    assert RequestValidator(AUTH_TOKEN).validate(
        result.url, result.form, result.headers["X-Twilio-Signature"]
    )
    [answered] = leg.entries("answered")
    assert wait_until(lambda: leg.entries("webhook"))[0]["sent"] - answered["t"] < 1
    assert 6 <= detected_after(leg) <= 7


def test_async_detection_without_a_callback_is_a_warning(stub: Any, emu: Any) -> None:
    """Twilio warns (21262) when AsyncAmd has nowhere to post: the emulator records a fault."""
    emu.add_party(VICTIM, Party(talk_for=5))
    stub.on("/answer", "<Hangup/>")
    leg = call(emu, stub, MachineDetection="Enable", AsyncAmd="true")
    assert leg.wait(10)
    assert [f["kind"] for f in emu.faults] == ["rest-warning"]


def test_voicemail_keeps_only_what_is_said_after_the_greeting(stub: Any, emu: Any) -> None:
    """Speech over the greeting is lost; speech straddling its end is clipped; after it, kept."""
    emu.add_party(VICTIM, Party(talk_for=30, machine=True, greeting_seconds=6))
    stub.on(
        "/answer",
        "<Say>one two three</Say>"  # 1.2 s: over by about 1.2 plus the webhook's latency
        '<Pause length="8"/>'
        "<Say>after the beep</Say>"
        "<Hangup/>",
    )
    leg = call(emu, stub)
    assert leg.wait(20)
    assert leg.voicemail() == ["after the beep"]
    assert leg.said_over_greeting() == ["one two three"]


def test_speech_across_the_beep_is_clipped(stub: Any, emu: Any) -> None:
    """A message that starts before the greeting ends is not recorded whole."""
    emu.add_party(VICTIM, Party(talk_for=30, machine=True, greeting_seconds=4))
    early = "a message that starts too early and so runs on past the end of the greeting"
    stub.on("/answer", f"<Say>{early}</Say><Hangup/>")  # 6 s from about 0 s
    leg = call(emu, stub)
    assert leg.wait(20)
    assert (leg.voicemail(), leg.said_over_greeting()) == ([], [early])
    assert leg.entries("say")[0]["voicemail"] == "clipped"


def test_async_result_is_not_posted_after_the_call_ended(stub: Any, emu: Any) -> None:
    """A call that ends before detection finishes gets no AMD callback (inferred)."""
    emu.add_party(VICTIM, Party(talk_for=30, machine=True, greeting_seconds=8))
    stub.on("/answer", "<Hangup/>")
    stub.on("/amd", "")
    leg = call(
        emu,
        stub,
        MachineDetection="DetectMessageEnd",
        AsyncAmd="true",
        AsyncAmdStatusCallback=stub.url + "/amd",
    )
    assert leg.wait(10)
    emu.stop()
    assert stub.to("/amd") == []
    assert leg.entries("amd") == []
