"""HTTPS behind a proxy: trust the configured proxies' X-Forwarded-* and send HSTS."""

from __future__ import annotations

from flask import Flask, Response, current_app, request
from werkzeug.middleware.proxy_fix import ProxyFix


def init_app(app: Flask) -> None:
    """Trust TRUSTED_PROXIES hops of X-Forwarded-*, and add HSTS to every HTTPS answer."""
    hops = app.config["TRUSTED_PROXIES"]
    if hops > 0:
        # Only as many hops as the operator says: more would let a client forge its address
        # (which keys login throttling) or the scheme (which decides HSTS and secure cookies).
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops
        )
    app.after_request(_hsts)


def _hsts(response: Response) -> Response:
    """Tell browsers to use HTTPS only, on answers that came over HTTPS."""
    seconds = current_app.config["HSTS_SECONDS"]
    if request.is_secure and seconds > 0:
        response.headers["Strict-Transport-Security"] = f"max-age={seconds}"
    return response
