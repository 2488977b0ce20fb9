"""Decorate Twilio-facing views: verify signatures, ignore retries, never answer 500.

A retry that arrives while the first attempt is still running must not hang the caller up:
it waits a little for the first answer, and if that is still not ready it keeps the call
going with a short pause and a redirect that comes back for the first answer (bounded).
"""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Callable, Sequence
from typing import Any
from urllib.parse import urlencode

from flask import Response, current_app, g, request
from redis.client import Pipeline
from redis.exceptions import RedisError
from twilio.twiml.voice_response import VoiceResponse

from core.counters import WEBHOOK_FALLBACKS
from core.redis_conn import get_redis
from telephony import sealed, signatures, twiml

log = logging.getLogger("helpline.webhook")
View = Callable[..., Response]
Reads = Callable[[], Sequence[str]]
_PENDING = "\x00pending"
REPLAY, ROUND = "hl_replay", "hl_round"
OVERLAP_WAIT_SECONDS = 5.0  # a retry's own 15 s budget at Twilio leaves room for this
OVERLAP_ROUNDS = 3  # then the first attempt is surely lost: answer the fallback


class _StillRunning:
    """The first attempt with this token has not answered yet."""


STILL_RUNNING = _StillRunning()


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
            if request.args.get(REPLAY):
                return _come_back(request.args[REPLAY], fallback)
            token = _token()
            key = _key(token) if token else None
            first = twiml.xml(answer()) if answer else None
            replay = _claim(key, list(reads()) if reads else [], first)
            if isinstance(replay, _StillRunning):
                return _keep_going(token, 1, fallback)
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


def _token() -> str:
    return request.headers.get("I-Twilio-Idempotency-Token", "")[:200]


def _key(token: str) -> str:
    return f"hl:webhook:{request.path}:{token}"


def _claim(key: str | None, reads: list[str], first: Response | None) -> str | _StillRunning | None:
    """Mark this request as ours, or return the stored answer of an earlier identical one."""
    try:
        return _claim_or_wait(key, reads, first)
    except RedisError:
        # Without Redis we cannot dedupe; answering the caller matters more.
        log.exception("idempotency check failed path=%s", request.path)
        g.webhook_reads = dict.fromkeys(reads)
        return None


def _claim_or_wait(
    key: str | None, reads: list[str], first: Response | None
) -> str | _StillRunning | None:
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
    return _wait_for_answer(key)


def _wait_for_answer(key: str) -> str | _StillRunning:
    """Wait a bounded time for the first attempt's stored answer."""
    deadline = time.monotonic() + OVERLAP_WAIT_SECONDS
    while time.monotonic() < deadline:
        stored = get_redis().get(key)
        if stored != _PENDING:
            return _replayed(str(stored) if stored else None)
        time.sleep(0.05)
    return STILL_RUNNING


def _come_back(token: str, fallback: Callable[[], Any]) -> Response:
    """A redirect from `_keep_going`: give the first attempt's answer, or go round again."""
    try:
        answer = _wait_for_answer(_key(token))
    except RedisError:
        log.exception("idempotency replay failed path=%s", request.path)
        return twiml.xml(fallback())
    if isinstance(answer, _StillRunning):
        rounds = request.args.get(ROUND, "")
        return _keep_going(token, int(rounds) + 1 if rounds.isdigit() else OVERLAP_ROUNDS, fallback)
    return twiml.xml(answer)


def _keep_going(token: str, rounds: int, fallback: Callable[[], Any]) -> Response:
    """Keep a live call waiting for the first attempt's answer; others just get nothing."""
    if fallback is twiml.empty:
        # Status callbacks and texts: Twilio ignores (or sends) the answer; nothing to keep.
        return twiml.xml(twiml.empty())
    if rounds > OVERLAP_ROUNDS:
        log.warning("first attempt never answered path=%s; answering fallback", request.path)
        return twiml.xml(fallback())
    response = VoiceResponse()
    response.pause(length=1)
    response.redirect(_replay_url(token, rounds), method="POST")
    return twiml.xml(response)


def _replay_url(token: str, rounds: int) -> str:
    """Return this request's public URL, carrying the token and round to come back with."""
    query = [(k, v) for k, v in request.args.items(multi=True) if k not in (REPLAY, ROUND)]
    query += [(REPLAY, token), (ROUND, str(rounds))]
    base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
    return f"{base}{request.path}?{urlencode(query)}"


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
