"""Estimated wait: biased upwards, time-boxed, infinite with nobody on shift."""

from __future__ import annotations

from queueing.desk import AcdConfig
from queueing.estimate import capable_agents, estimate_seconds, should_offer_callback, time_box

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


def test_a_wait_is_long_only_beyond_the_smallest_box() -> None:
    """Above the threshold but under 5 minutes is not long; from 5 minutes it is; None always."""
    config = AcdConfig(callback_offer_seconds=120)
    assert [should_offer_callback(s, config) for s in (100, 200, 299, 300, 600, None)] == [
        False,
        False,
        False,
        True,
        True,
        True,
    ]
    assert should_offer_callback(400, AcdConfig(callback_offer_seconds=600)) is False


def test_capable_agents_are_the_classes_until_the_requirement_relaxes() -> None:
    """Before ACD_SKILL_RELAX_SECONDS only agents with the skill count; after it, everyone."""
    config = AcdConfig(relax_ms=90_000)
    assert capable_agents(5, 1, 89_999, config) == 1
    assert capable_agents(5, 1, 90_000, config) == 5
