"""Decorate Twilio-facing views: verify signatures, ignore retries, never answer 500."""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Callable
from typing import Any

from flask import Response, current_app, request
from redis.exceptions import RedisError

from core.redis_conn import get_redis
from telephony import sealed, signatures, twiml

log = logging.getLogger("helpline.webhook")
View = Callable[..., Response]
_PENDING = "\x00pending"


def twilio_webhook(fallback: Callable[[], Any] = twiml.apology) -> Callable[[View], View]:
    """Wrap a view so only signed requests run, retries replay, and failures give `fallback`."""

    def decorate(view: View) -> View:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Response:
            if not _signed():
                log.warning("rejected unsigned or tampered webhook path=%s", request.path)
                return Response("invalid signature", status=403, mimetype="text/plain")
            key = _idempotency_key()
            replay = _claim(key) if key else None
            if replay is not None:
                return twiml.xml(replay)
            response = _run_safely(view, fallback, args, kwargs)
            if key:
                _remember(key, response)
            return response

        return wrapper

    return decorate


def _signed() -> bool:
    config = current_app.config
    return signatures.is_valid(request, config["TWILIO_AUTH_TOKEN"], config["PUBLIC_BASE_URL"])


def _idempotency_key() -> str | None:
    token = request.headers.get("I-Twilio-Idempotency-Token", "")[:200]
    return f"hl:webhook:{request.path}:{token}" if token else None


def _claim(key: str) -> str | None:
    """Mark this request as ours, or return the stored answer of an earlier identical one."""
    try:
        return _claim_or_wait(key)
    except RedisError:
        # Without Redis we cannot dedupe; answering the caller matters more.
        log.exception("idempotency check failed path=%s", request.path)
        return None


def _claim_or_wait(key: str) -> str | None:
    redis = get_redis()
    ttl = current_app.config["WEBHOOK_IDEMPOTENCY_SECONDS"]
    if redis.set(key, _PENDING, nx=True, ex=ttl):
        return None
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        stored = redis.get(key)
        if stored != _PENDING:
            return _replayed(str(stored) if stored else None)
        time.sleep(0.05)
    # The first attempt is still running; say nothing twice and let Twilio move on.
    return twiml.empty().to_xml()


def _replayed(stored: str | None) -> str:
    """Return the first attempt's answer from its sealed copy (an apology if unreadable)."""
    answer = sealed.unseal(current_app.config["SECRET_KEY"], stored) if stored else None
    return answer if answer is not None else twiml.apology().to_xml()


def _remember(key: str, response: Response) -> None:
    ttl = current_app.config["WEBHOOK_IDEMPOTENCY_SECONDS"]
    answer = sealed.seal(current_app.config["SECRET_KEY"], response.get_data(as_text=True))
    try:
        get_redis().set(key, answer, ex=ttl)
    except RedisError:
        log.exception("could not store webhook response path=%s", request.path)


def _run_safely(view: View, fallback: Callable[[], Any], args: Any, kwargs: Any) -> Response:
    try:
        response = view(*args, **kwargs)
        if response.status_code >= 400:
            raise RuntimeError(f"view answered {response.status_code}")
        return response
    except Exception:
        log.exception("webhook failed path=%s; answering with fallback TwiML", request.path)
        return twiml.xml(fallback())
