"""The Emulator: Twilio's side of every call, SMS and REST request Helpline makes."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from typing import Any

from emulator import amd, conference, dialing, engine, enqueue, gather, sms, status
from emulator.call import EmulatedCall
from emulator.clock import Clock
from emulator.faults import FaultLog
from emulator.ids import new_sid
from emulator.openapi import SpecValidator
from emulator.outage import Outage
from emulator.outbound import place
from emulator.people import Caller, Party
from emulator.queues import QueueRegistry
from emulator.signals import HangupSignal, Target
from emulator.webhooks import Reply, WebhookClient

HANDLERS: dict[str, engine.Handler] = {
    "Say": engine.prompt,
    "Play": engine.prompt,
    "Pause": engine.prompt,
    "Redirect": engine.redirect,
    "Hangup": engine.hangup,
    "Reject": engine.reject,
    "Leave": engine.leave,
    "Gather": gather.gather,
    "Enqueue": enqueue.enqueue,
    "Dial": dialing.dial,
}


class Emulator:
    """Play Twilio against a Helpline web app over real HTTP."""

    def __init__(
        self,
        helpline_url: str,
        account_sid: str,
        auth_token: str,
        helpline_number: str,
        voice_path: str = "/voice/incoming",
        status_path: str = "/voice/status",
        sms_path: str = "/sms/incoming",
        time_scale: float = 1.0,
        openapi_spec: str | None = None,
        slow_webhook_seconds: float = 15.0,
        shuffle_status_callbacks: bool = False,
    ) -> None:
        self.helpline_url = helpline_url.rstrip("/")
        self.account_sid, self.auth_token = account_sid, auth_token
        self.helpline_number = helpline_number
        self.voice_path, self.status_path, self.sms_path = voice_path, status_path, sms_path
        self.cv = threading.Condition()
        self.clock = Clock(time_scale)
        self.faults = FaultLog()
        self.webhooks = WebhookClient(account_sid, auth_token, slow_webhook_seconds, self.faults)
        self.queues = QueueRegistry(self.clock, self.cv)
        self.conferences: dict[str, conference.Room] = {}
        self.parties: dict[str, Party] = {}
        self.calls: dict[str, EmulatedCall] = {}
        self.messages: list[dict[str, Any]] = []
        self.auto_replies: list[dict[str, Any]] = []
        self.sms_opt_outs = sms.OptOutRegister()
        self.outage = Outage()
        self.rest_log: list[dict[str, Any]] = []
        self.handlers = HANDLERS
        self.shuffle_status_callbacks = shuffle_status_callbacks
        self.spec = SpecValidator.load(openapi_spec or os.environ.get("TWILIO_OPENAPI_SPEC"))
        self.base_url: str | None = None
        self._server: Any = None
        self._threads: list[threading.Thread] = []

    # -- lifecycle ----------------------------------------------------------------------------
    def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        """Serve the REST and control APIs in a background thread; return base_url."""
        from emulator.server import HttpServer

        self._server = HttpServer(self, host, port)
        self._server.start()
        self.base_url = self._server.url
        return self.base_url

    def stop(self) -> None:
        """Hang up every live call and stop serving."""
        self.outage.end()
        for call in list(self.calls.values()):
            if not call.ended:
                call.signal(HangupSignal("emulator-stopped"))
        for thread in list(self._threads):
            thread.join(timeout=5)
        if self._server is not None:
            self._server.stop()
            self._server = None

    # -- what tests and softphones do -----------------------------------------------------------
    def add_party(self, key: str, party: Party) -> Party:
        """Register who answers when key ("client:alice" or an E.164 number) is rung."""
        self.parties[key] = party
        return party

    def dial(self, from_: str, caller: Caller | None = None, to: str | None = None) -> EmulatedCall:
        """Place an inbound call from from_ to the helpline number and run it in a thread."""
        call = self.new_call(
            from_=from_,
            to=to or self.helpline_number,
            direction="inbound",
            caller=caller or Caller.scripted(),
        )
        call.status = "ringing"
        call.status_callback = status.StatusCallback(self.helpline_url + self.status_path)
        call.log("incoming", **{"from": from_, "to": call.to})
        target = Target(self.helpline_url + self.voice_path, "POST")
        self._spawn(call, lambda: engine.drive(self, call, target))
        return call

    def send_sms(self, from_: str, body: str, to: str | None = None) -> Reply | None:
        """A party texts the helpline: Twilio's keyword handling, then the signed webhook."""
        return sms.receive(self, from_, body, to)

    def create_call(
        self,
        *,
        to: str,
        from_: str,
        target: Target,
        timeout: float = 60,
        status_callback: status.StatusCallback | None = None,
        detection: amd.Detection | None = None,
    ) -> EmulatedCall:
        """Place an outbound-api call as the REST API does."""
        call = self.new_call(
            from_=from_, to=to, direction="outbound-api", party=self.parties.get(to)
        )
        call.status_callback = status_callback
        self._spawn(call, lambda: place(self, call, target, timeout, detection))
        return call

    # -- services for verbs ---------------------------------------------------------------------
    def new_call(self, **kwargs: Any) -> EmulatedCall:
        """Create and register a call leg."""
        call = EmulatedCall(sid=new_sid("CA"), clock=self.clock, cv=self.cv, **kwargs)
        with self.cv:
            self.calls[call.sid] = call
        return call

    def finish(self, call: EmulatedCall) -> None:
        """End a call: final status, status callback, party notification, release waiters."""
        if call.ended:
            return
        with self.cv:
            call.ended_at = self.clock.now()
            call.status = call.end_status or _final_status(call)
            queue = self.queues.by_sid.get(call.queue_sid or "")
        if queue is not None:
            self.queues.remove(queue, call)
        call.log("ended", status=call.status, duration=call.duration())
        self.notify_status(call, status.FINAL_EVENT)
        self.party_event(call.to, "ended", call_sid=call.sid)
        call.mark_ended()

    def notify_status(self, call: EmulatedCall, event: str) -> None:
        """Send a status callback for event if the call subscribed to it."""
        status.emit(self.webhooks, call, event, shuffle=self.shuffle_status_callbacks)

    def party_event(self, key: str, kind: str, **data: Any) -> None:
        """Append an event to a party's feed (read by interactive softphones)."""
        party = self.parties.get(key)
        if party is None:
            return
        with self.cv:
            party.events.append(
                {"index": len(party.events), "t": round(self.clock.now(), 3), "kind": kind, **data}
            )
            self.cv.notify_all()

    def background(self, name: str, run: Callable[[], None]) -> None:
        """Run something that takes emulated time in a daemon thread stop() waits for."""
        thread = threading.Thread(target=run, name=name, daemon=True)
        self._threads = [t for t in self._threads if t.is_alive()] + [thread]
        thread.start()

    def _spawn(self, call: EmulatedCall, run: Callable[[], None]) -> None:
        """Run a call in its own daemon thread."""
        self.background(f"call-{call.sid}", run)


def _final_status(call: EmulatedCall) -> str:
    """Return how a call that nobody gave an explicit status ended."""
    if call.answered_at is not None or call.direction == "inbound":
        return "completed"
    return call.ring_result if call.ring_result not in (None, "answered") else "canceled"
