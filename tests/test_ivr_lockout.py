"""Authentication lockouts in real Redis: windows, lock lengths and concurrent failures."""

from __future__ import annotations

import threading

import redis
from flask import Flask

from ivr import lockout
from ivr.lockout import Limits, Policy

POLICY = Policy(
    reference=Limits(5, 900, 1800),
    number=Limits(10, 3600, 3600),
    withheld=Limits(10, 86400, 86400),
    secret="test-secret",
)
REF, NUMBER = "1234567/24", "+447700900123"
MINUTE_MS = 60_000


def client(app: Flask) -> redis.Redis:
    """The app's decoding Redis client."""
    return app.extensions["helpline.redis"]


def test_fifth_failure_locks_the_reference_for_thirty_minutes(app: Flask) -> None:
    """Four failures leave the reference usable; the fifth locks it for 30 minutes."""
    r = client(app)
    for n in range(4):
        assert lockout.record_failure(r, POLICY, REF, NUMBER, n * MINUTE_MS) == (False, False)
    assert not lockout.is_locked(r, POLICY, REF, None)
    assert lockout.record_failure(r, POLICY, REF, NUMBER, 4 * MINUTE_MS) == (True, False)
    assert lockout.is_locked(r, POLICY, REF, None)
    assert 1795_000 <= r.pttl(lockout.keys(POLICY, REF, None)[1]) <= 1800_000


def test_failures_outside_the_window_do_not_count(app: Flask) -> None:
    """Failures spread wider than 15 minutes never add up to a lock."""
    r = client(app)
    # Nine, withheld: the tenth withheld failure of the day would lock (for withheld callers).
    for n in range(9):
        locked = lockout.record_failure(r, POLICY, REF, None, n * 4 * MINUTE_MS)
        assert locked == (False, False)


def test_withheld_failures_lock_the_reference_for_withheld_callers_only(app: Flask) -> None:
    """Ten withheld failures a day on one reference lock it for withheld callers, not others."""
    r = client(app)
    for n in range(9):
        assert lockout.record_failure(r, POLICY, REF, None, n * 20 * MINUTE_MS) == (False, False)
    assert lockout.record_failure(r, POLICY, REF, None, 200 * MINUTE_MS) == (True, False)
    assert lockout.is_locked(r, POLICY, REF, None)
    assert not lockout.is_locked(r, POLICY, REF, NUMBER)
    assert not lockout.is_locked(r, POLICY, "7654321/24", None)


def test_number_lock_is_separate_from_reference_lock(app: Flask) -> None:
    """Ten failures on ten references from one number lock the number, not the references."""
    r = client(app)
    for n in range(10):
        locked = lockout.record_failure(r, POLICY, f"{n}234567/24", NUMBER, n * 1000)
    assert locked == (False, True)
    assert lockout.is_locked(r, POLICY, None, NUMBER)
    assert lockout.is_locked(r, POLICY, "9999999/24", NUMBER)
    assert not lockout.is_locked(r, POLICY, "9999999/24", "+447700900456")


def test_policy_reads_the_lockout_settings(app: Flask) -> None:
    """The defaults are the domain's: 5 in 15 minutes for 30, 10 in an hour for an hour."""
    assert Policy.from_config(app.config) == POLICY


def test_concurrent_failures_lock_exactly_at_the_limit(app: Flask) -> None:
    """Failures racing from many threads are all counted: five at once lock, four do not."""

    def race(reference: str, count: int) -> None:
        barrier = threading.Barrier(count)

        def fail() -> None:
            r = redis.Redis.from_url(app.config["REDIS_URL"], decode_responses=True)
            barrier.wait()
            lockout.record_failure(r, POLICY, reference, None, 1_000)

        threads = [threading.Thread(target=fail) for _ in range(count)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    race("1111111/24", 4)
    race("2222222/24", 5)
    r = client(app)
    assert not lockout.is_locked(r, POLICY, "1111111/24", None)
    assert r.zcard(lockout.keys(POLICY, "1111111/24", None)[0]) == 4
    assert lockout.is_locked(r, POLICY, "2222222/24", None)


def test_keys_share_one_hash_tag_and_hide_what_they_count() -> None:
    """Keys sit in the {ivr} slot (Redis Cluster) and contain no reference or number."""
    names = lockout.keys(POLICY, REF, NUMBER)
    assert all(name.startswith("hl:{ivr}:") for name in names)
    assert not any("1234567" in name or "7700900123" in name for name in names)
    other = Policy(POLICY.reference, POLICY.number, POLICY.withheld, secret="another-secret")
    assert lockout.keys(other, REF, NUMBER)[0] != names[0]
