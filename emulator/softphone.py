"""Terminal softphone: call the helpline through a running emulator and talk with the keypad."""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import threading
from typing import Any

import requests

DEFAULT_FROM = "+447700900123"  # an Ofcom drama-range mobile number
KEYS_THREAD = "softphone-keys"
HELP = "Type keys then Enter (e.g. 1 or 01021980#), 's <words>' to speak, 'h' to hang up."


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """Read the command line."""
    parser = argparse.ArgumentParser(prog="helpline call", description=__doc__)
    parser.add_argument(
        "--emulator", default=os.environ.get("HELPLINE_EMULATOR_URL", "http://127.0.0.1:8026")
    )
    parser.add_argument("--from", dest="from_", default=DEFAULT_FROM)
    parser.add_argument("--no-speech", action="store_true", help="do not speak prompts aloud")
    parser.add_argument("--verbose", action="store_true", help="also show webhooks")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Place an interactive call and relay prompts and keys until it ends."""
    args = parse_args(argv)
    base = args.emulator.rstrip("/") + "/_emulator/calls"
    http = requests.Session()
    try:
        resp = http.post(base, json={"from": args.from_}, timeout=10)
        resp.raise_for_status()
    except requests.RequestException as exc:
        print(f"Cannot reach the emulator at {args.emulator}: {exc}", file=sys.stderr)
        return 2
    sid = resp.json()["sid"]
    out(f"Calling the helpline from {args.from_} (call {sid}).")
    out(HELP)
    speaker = Speaker(enabled=not args.no_speech)
    threading.Thread(
        target=read_keys, args=(http, f"{base}/{sid}"), name=KEYS_THREAD, daemon=True
    ).start()
    follow(http, f"{base}/{sid}/events", speaker, verbose=args.verbose)
    return 0


def follow(http: requests.Session, url: str, speaker: Speaker, *, verbose: bool) -> None:
    """Print transcript events as they arrive until the call has ended."""
    after = 0
    while True:
        body = http.get(url, params={"after": after}, timeout=30).json()
        for event in body["events"]:
            line = describe(event, verbose=verbose)
            if line:
                out(line)
            if event["kind"] == "say":
                speaker.say(event["text"])
        after += len(body["events"])
        if body["ended"]:
            return


def read_keys(http: requests.Session, call_url: str) -> None:
    """Send each line typed on stdin as keys, speech or a hang-up (works from a pipe too)."""
    for raw in sys.stdin:
        line = raw.strip()
        try:
            if line in ("h", "hangup"):
                http.post(f"{call_url}/hangup", timeout=10)
                return
            if line.startswith("s "):
                http.post(f"{call_url}/speech", json={"text": line[2:]}, timeout=10)
            elif line:
                http.post(f"{call_url}/keys", json={"keys": line}, timeout=10)
        except requests.RequestException as exc:
            out(f"[could not send input: {exc}]")
            return


def describe(event: dict[str, Any], *, verbose: bool = False) -> str | None:
    """Return the line to print for a transcript event, or None to stay quiet."""
    kind = event["kind"]
    simple = {
        "answered": "[answered]",
        "barge-in": "[prompt interrupted]",
        "gather-timeout": "[no input]",
        "leave": "[left the queue]",
    }
    if kind == "say":
        return f"Helpline: {event['text']}"
    if kind == "play":
        return f"[plays {event.get('url') or event.get('digits')}]"
    if kind == "gather":
        return "[listening - enter keys]"
    if kind == "enqueued":
        return f"[waiting in queue {event['queue']}, position {event['position']}]"
    if kind == "dequeued":
        return f"[out of the queue: {event['result']}]"
    if kind in ("dial", "ringing"):
        return f"[{kind} {event.get('targets') or event.get('to')}]"
    if kind in ("bridged", "unbridged"):
        return "[connected]" if kind == "bridged" else "[disconnected]"
    if kind == "error":
        return f"[application error: {event['fault']}: {event['detail']}]"
    if kind == "ended":
        return f"[call ended: {event['status']}, {event['duration']} s]"
    if kind == "webhook" and verbose:
        return f"  {event['method']} {event['url']} -> {event['status']}"
    return simple.get(kind)


class Speaker:
    """Speak prompts with espeak-ng when it is installed, without blocking the terminal."""

    def __init__(self, enabled: bool) -> None:
        self.program = shutil.which("espeak-ng") if enabled else None

    def say(self, text: str) -> None:
        """Start speaking text in the background."""
        if self.program:
            # The text is passed as one argv item, never through a shell.
            subprocess.Popen(  # noqa: S603
                [self.program, text], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
            )


def out(line: str) -> None:
    """Print a line immediately (stdout may be a pipe)."""
    print(line, flush=True)
