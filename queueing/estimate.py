"""Estimated wait: recent handle times over staffed agents, biased upwards, said in time boxes."""

from __future__ import annotations

from collections.abc import Sequence

from queueing.desk import AcdConfig

BOXES = ((5, "estimate.5"), (10, "estimate.10"), (15, "estimate.15"), (30, "estimate.30"))


def estimate_seconds(
    position: int, staffed: int, handle_times_ms: Sequence[int], config: AcdConfig
) -> float | None:
    """Return the expected wait in seconds, or None (infinite) when nobody is on shift."""
    if staffed <= 0:
        return None
    if handle_times_ms:
        average = sum(handle_times_ms) / len(handle_times_ms) / 1000
    else:
        average = float(config.default_handle_seconds)
    # Never below the default: a few quick calls must not talk the estimate down.
    average = max(average, config.default_handle_seconds / 2)
    return max(position, 1) * average / staffed * config.estimate_bias


def time_box(seconds: float) -> str:
    """Return the prompt key of the time box holding `seconds`."""
    minutes = seconds / 60
    return next((key for limit, key in BOXES if minutes < limit), "estimate.more")


def should_offer_callback(seconds: float | None, config: AcdConfig) -> bool:
    """Say whether to offer a callback unprompted: a long wait, or infinite (nobody on shift).

    Never within the smallest time box: "less than 5 minutes" and "the wait is long" together
    would contradict each other, whatever CALLBACK_OFFER_WAIT_SECONDS says.
    """
    if seconds is None:
        return True
    return seconds > config.callback_offer_seconds and time_box(seconds) != BOXES[0][1]


def capable_agents(staffed: int, staffed_for_class: int, waited_ms: int, config: AcdConfig) -> int:
    """Return how many staffed agents can take the caller: their class's, or all once relaxed."""
    return staffed if waited_ms >= config.relax_ms else staffed_for_class
