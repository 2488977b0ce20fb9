"""HTTPS behind a proxy: X-Forwarded-* trusted only as configured, HSTS on HTTPS answers."""

from __future__ import annotations

from typing import Any

from flask import request

from app import create_app

FORWARDED = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"}


def _app(config: dict[str, Any], hops: int) -> Any:
    application = create_app({**config, "TRUSTED_PROXIES": hops})
    application.add_url_rule("/_peer", "peer", lambda: request.remote_addr or "")
    return application


def test_without_trusted_proxies_forwarded_headers_are_ignored(config: dict[str, Any]) -> None:
    """By default a client cannot claim HTTPS or another address, and plain HTTP has no HSTS."""
    client = _app(config, 0).test_client()
    response = client.get("/_peer", headers=FORWARDED)
    assert response.get_data(as_text=True) == "127.0.0.1"
    assert "Strict-Transport-Security" not in response.headers


def test_behind_one_proxy_https_answers_carry_hsts(config: dict[str, Any]) -> None:
    """With TRUSTED_PROXIES=1 the proxy's scheme and client address are used; HSTS is sent."""
    client = _app(config, 1).test_client()
    response = client.get("/_peer", headers=FORWARDED)
    assert response.get_data(as_text=True) == "203.0.113.9"
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000"
    login = client.get("/console/login", headers=FORWARDED)
    assert login.headers["Strict-Transport-Security"] == "max-age=31536000"
    assert client.get("/api/openapi.json", headers=FORWARDED).headers["Strict-Transport-Security"]
