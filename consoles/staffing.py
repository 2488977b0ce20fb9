"""Erlang C staffing maths (DOMAIN.md formulas verbatim); pure functions, no I/O.

Erlang C ignores abandonment, so it overstates the staff needed; that errs on the safe side.
"""

from __future__ import annotations

import math

MAX_AGENTS = 1000


def traffic(arrivals: float, aht_seconds: float, interval_seconds: float) -> float:
    """Return offered traffic A in Erlangs: arrivals per interval x AHT / interval length."""
    return arrivals * aht_seconds / interval_seconds


def erlang_c(agents: int, traffic_erlangs: float) -> float:
    """Return C(N, A): the probability that a call has to wait (1.0 when N <= A)."""
    if traffic_erlangs <= 0:
        return 0.0
    if agents <= traffic_erlangs:
        return 1.0
    # Erlang B by its stable recursion, then C from B; avoids A^N / N! overflow.
    blocking = 1.0
    for k in range(1, agents + 1):
        blocking = traffic_erlangs * blocking / (k + traffic_erlangs * blocking)
    return agents * blocking / (agents - traffic_erlangs * (1 - blocking))


def service_level(agents: int, traffic_erlangs: float, aht: float, target_seconds: float) -> float:
    """Return SL(t) = 1 - C(N,A) * exp(-(N-A) t / AHT)."""
    if traffic_erlangs <= 0:
        return 1.0
    if agents <= traffic_erlangs:
        return 0.0
    wait = erlang_c(agents, traffic_erlangs)
    return 1 - wait * math.exp(-(agents - traffic_erlangs) * target_seconds / aht)


def average_speed_of_answer(agents: int, traffic_erlangs: float, aht: float) -> float:
    """Return ASA = C(N,A) * AHT / (N - A), infinite when N <= A."""
    if traffic_erlangs <= 0:
        return 0.0
    if agents <= traffic_erlangs:
        return math.inf
    return erlang_c(agents, traffic_erlangs) * aht / (agents - traffic_erlangs)


def occupancy(agents: int, traffic_erlangs: float) -> float:
    """Return occupancy = A / N."""
    return traffic_erlangs / agents if agents else 0.0


def required_agents(
    traffic_erlangs: float, aht: float, target_sl: float, target_seconds: float
) -> int:
    """Return the smallest N whose service level meets the target (0 when there is no traffic)."""
    if traffic_erlangs <= 0:
        return 0
    agents = max(1, math.floor(traffic_erlangs) + 1)
    while service_level(agents, traffic_erlangs, aht, target_seconds) < target_sl:
        agents += 1
        if agents > MAX_AGENTS:
            raise ValueError("traffic too high for a sensible staffing answer")
    return agents


def rostered(agents: int, shrinkage: float) -> int:
    """Return ceil(N / (1 - shrinkage)): heads to roster so N are on the phones."""
    if not 0 <= shrinkage < 1:
        raise ValueError("shrinkage must be in [0, 1)")
    return math.ceil(agents / (1 - shrinkage) - 1e-9)
