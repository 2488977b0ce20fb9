"""The HTTP server: REST API, control API and softphone page, in-process or standalone."""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable

from flask import Flask
from werkzeug.serving import BaseWSGIServer, make_server

from emulator.core import Emulator
from emulator.people import Party


def create_app(emu: Emulator) -> Flask:
    """Build the Flask app that serves one Emulator."""
    from emulator import control, rest_calls, rest_messages, rest_queues

    app = Flask("emulator")
    app.extensions["emulator"] = emu
    for bp in (rest_calls.bp, rest_queues.bp, rest_messages.bp, control.bp, control.page_bp):
        app.register_blueprint(bp)
    return app


class HttpServer:
    """A threaded werkzeug server running in a daemon thread."""

    def __init__(self, emu: Emulator, host: str, port: int) -> None:
        self._server: BaseWSGIServer = make_server(host, port, create_app(emu), threaded=True)
        self.url = f"http://{host}:{self._server.server_port}"
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="emulator-http",
            daemon=True,
        )

    def start(self) -> None:
        """Start serving."""
        self._thread.start()

    def stop(self) -> None:
        """Stop serving and wait for the thread."""
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


def serve(
    *,
    helpline_url: str,
    account_sid: str,
    auth_token: str,
    helpline_number: str,
    host: str = "127.0.0.1",
    port: int = 8026,
    time_scale: float = 1.0,
    openapi_spec: str | None = None,
    parties: dict[str, Party] | None = None,
    stop: threading.Event | None = None,
    ready: Callable[[Emulator], None] | None = None,
) -> None:
    """Run an emulator until SIGINT/SIGTERM (main thread) or until `stop` is set."""
    emu = Emulator(
        helpline_url=helpline_url,
        account_sid=account_sid,
        auth_token=auth_token,
        helpline_number=helpline_number,
        time_scale=time_scale,
        openapi_spec=openapi_spec,
    )
    for key, party in (parties or {}).items():
        emu.add_party(key, party)
    stop = stop or threading.Event()
    if threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: stop.set())
    emu.start(host, port)
    if ready is not None:
        ready(emu)
    try:
        stop.wait()
    finally:
        emu.stop()
