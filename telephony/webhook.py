"""Decorate Twilio-facing views: verify signatures, ignore retries, never answer 500."""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Callable, Sequence
from typing import Any

from flask import Response, current_app, g, request
from redis.client import Pipeline
from redis.exceptions import RedisError

from core.counters import WEBHOOK_FALLBACKS
from core.redis_conn import get_redis
from telephony import sealed, signatures, twiml

log = logging.getLogger("helpline.webhook")
View = Callable[..., Response]
Reads = Callable[[], Sequence[str]]
_PENDING = "\x00pending"


def twilio_webhook(
    fallback: Callable[[], Any] = twiml.apology,
    reads: Reads | None = None,
    answer: Callable[[], Any] | None = None,
) -> Callable[[View], View]:
    """Wrap a view so only signed requests run, retries replay, and failures give `fallback`.

    A webhook costs two Redis round trips: the claim, and the stored answer (with any
    writes the view deferred through `later()`). `reads` names keys to read in the claim's
    round trip (the view gets them from `prefetched()`). `answer`, for a webhook whose
    answer depends on settings alone, is stored as the claim itself, so a webhook that
    goes well costs one round trip; if the view fails, `fallback` replaces it as usual.
    """

    def decorate(view: View) -> View:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Response:
            if not _signed():
                log.warning("rejected unsigned or tampered webhook path=%s", request.path)
                return Response("invalid signature", status=403, mimetype="text/plain")
            key = _idempotency_key()
            first = twiml.xml(answer()) if answer else None
            replay = _claim(key, list(reads()) if reads else [], first)
            if replay is not None:
                return twiml.xml(replay)
            response = _run_safely(view, fallback, args, kwargs)
            if first is not None and not g.get("webhook_failed"):
                _remember(None, first)
                return first
            _remember(key, response)
            return response

        return wrapper

    return decorate


def prefetched(name: str) -> str | None:
    """Return a key this webhook read with its claim (declared in `reads`)."""
    values: dict[str, str | None] = g.get("webhook_reads", {})
    if name not in values:
        raise KeyError(f"{name} was not read with the claim; list it in reads=")
    return values[name]


def _signed() -> bool:
    config = current_app.config
    return signatures.is_valid(request, config["TWILIO_AUTH_TOKEN"], config["PUBLIC_BASE_URL"])


def _idempotency_key() -> str | None:
    token = request.headers.get("I-Twilio-Idempotency-Token", "")[:200]
    return f"hl:webhook:{request.path}:{token}" if token else None


def _claim(key: str | None, reads: list[str], first: Response | None) -> str | None:
    """Mark this request as ours, or return the stored answer of an earlier identical one."""
    try:
        return _claim_or_wait(key, reads, first)
    except RedisError:
        # Without Redis we cannot dedupe; answering the caller matters more.
        log.exception("idempotency check failed path=%s", request.path)
        g.webhook_reads = dict.fromkeys(reads)
        return None


def _claim_or_wait(key: str | None, reads: list[str], first: Response | None) -> str | None:
    redis = get_redis()
    ttl = current_app.config["WEBHOOK_IDEMPOTENCY_SECONDS"]
    pipe = redis.pipeline(transaction=False)
    if key:
        mark = _sealed(first.get_data(as_text=True)) if first is not None else _PENDING
        pipe.set(key, mark, nx=True, ex=ttl)
    for name in reads:
        pipe.get(name)
    results = pipe.execute() if len(pipe) else []
    won = not key or bool(results[0])
    g.webhook_reads = dict(zip(reads, results[1:] if key else results, strict=True))
    if won or key is None:
        return None
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        stored = redis.get(key)
        if stored != _PENDING:
            return _replayed(str(stored) if stored else None)
        time.sleep(0.05)
    # The first attempt is still running; say nothing twice and let Twilio move on.
    return twiml.empty().to_xml()


def _sealed(answer: str) -> str:
    """Seal an answer before it is kept in Redis (it may read out case details)."""
    return sealed.seal(current_app.config["SECRET_KEY"], answer)


def _replayed(stored: str | None) -> str:
    """Return the first attempt's answer from its sealed copy (an apology if unreadable)."""
    answer = sealed.unseal(current_app.config["SECRET_KEY"], stored) if stored else None
    return answer if answer is not None else twiml.apology().to_xml()


def later() -> Pipeline:
    """Return Redis writes to send with this webhook's stored answer, in one round trip.

    For writes this request never reads back, such as what the caller's next webhook
    needs: they reach Redis before the answer reaches Twilio, and are dropped if the view
    fails (its transaction is rolled back too).
    """
    if "webhook_later" not in g:
        g.webhook_later = get_redis().pipeline(transaction=False)
    return g.webhook_later


def _remember(key: str | None, response: Response) -> None:
    """Store the answer for retries, with the view's deferred writes (one round trip)."""
    pipe: Pipeline | None = g.pop("webhook_later", None)
    if key:
        pipe = pipe if pipe is not None else get_redis().pipeline(transaction=False)
        ttl = current_app.config["WEBHOOK_IDEMPOTENCY_SECONDS"]
        pipe.set(key, _sealed(response.get_data(as_text=True)), ex=ttl)
    if pipe is None or not len(pipe):
        return
    try:
        pipe.execute()
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
        WEBHOOK_FALLBACKS.inc(request.url_rule.rule if request.url_rule else "unmatched")
        g.pop("webhook_later", None)
        g.webhook_failed = True
        return twiml.xml(fallback())
