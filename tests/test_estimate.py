"""Estimated wait: biased upwards, time-boxed, infinite with nobody on shift."""

from __future__ import annotations

from queueing.desk import AcdConfig
from queueing.estimate import estimate_seconds, time_box

CONFIG = AcdConfig(default_handle_seconds=300, estimate_bias=1.25)


def test_nobody_staffed_is_infinite() -> None:
    """With no agent on shift and logged in there is no number to give."""
    assert estimate_seconds(1, 0, [], CONFIG) is None


def test_estimate_uses_recent_handle_times_biased_up() -> None:
    """Position x average handle time / staffed agents, times the bias."""
    assert estimate_seconds(4, 2, [600_000, 600_000], CONFIG) == 4 * 600 / 2 * 1.25


def test_quick_calls_do_not_talk_the_estimate_down() -> None:
    """A run of short calls cannot pull the average below half the default handle time."""
    assert estimate_seconds(1, 1, [10_000], CONFIG) == 150 * 1.25


def test_time_boxes() -> None:
    """Seconds fall into the boxes callers hear."""
    assert [time_box(s) for s in (0, 299, 300, 899, 1799, 1800)] == [
        "estimate.5",
        "estimate.5",
        "estimate.10",
        "estimate.15",
        "estimate.30",
        "estimate.more",
    ]
