"""The ACD's Lua decisions, run directly against a real Redis."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import redis

from queueing.acd import Acd, Offer

AGEING = 60_000
RELAX = 90_000
HOLD = 30_000
EN = "en-GB|"
EN_DA = "en-GB|domestic_abuse"


@pytest.fixture
def acd(redis_url: str) -> Iterator[Acd]:
    """An empty ACD on the test Redis."""
    client = redis.Redis.from_url(redis_url, decode_responses=True)
    client.flushdb()
    yield Acd(client)
    client.flushdb()
    client.close()


def staff(acd: Acd, agent: int, now: int, classes: tuple[str, ...] = (EN,)) -> None:
    """Mirror an on-shift agent and make them available at `now`."""
    acd.mirror(agent, True, list(classes), now)
    assert acd.agent_action(agent, "available", now) == (True, "available")


def test_enqueue_orders_by_priority_then_virtual_start(acd: Acd) -> None:
    """A higher tier goes first; within a tier the earlier virtual start goes first."""
    acd.enqueue("call:a", 1, 1_000, EN, 1_000, AGEING)
    acd.enqueue("call:b", 2, 2_000, EN, 2_000, AGEING)
    acd.enqueue("call:c", 2, 1_500, EN, 2_500, AGEING)
    assert [acd.position(e) for e in ("call:c", "call:b", "call:a")] == [1, 2, 3]


def test_enqueue_is_idempotent(acd: Acd) -> None:
    """Queueing the same entry twice keeps one entry at its first place."""
    assert acd.enqueue("call:a", 1, 1_000, EN, 1_000, AGEING) == 1
    assert acd.enqueue("call:b", 1, 2_000, EN, 2_000, AGEING) == 2
    assert acd.enqueue("call:a", 3, 9_000, EN, 9_000, AGEING) == 1
    assert acd.waiting_count() == 2


def test_priority_ages_so_nobody_starves(acd: Acd) -> None:
    """A low tier that has waited longer than the ageing head start overtakes a new high tier."""
    acd.enqueue("call:old", 1, 0, EN, 0, AGEING)
    acd.enqueue("call:new", 2, AGEING + 1, EN, AGEING + 1, AGEING)
    assert acd.position("call:old") == 1


def test_dispatch_picks_longest_idle_agent(acd: Acd) -> None:
    """Of two free agents, the one idle longer gets the call."""
    staff(acd, 1, 5_000)
    staff(acd, 2, 4_000)
    acd.enqueue("call:a", 1, 6_000, EN, 6_000, AGEING)
    offer = acd.dispatch(7_000, RELAX, HOLD)
    assert offer == Offer("call:a", 2, "call:a#1")
    assert acd.agent(2)["state"] == "reserved"
    assert acd.entry("call:a")["state"] == "reserved"
    assert acd.dispatch(7_000, RELAX, HOLD) is None


def test_dispatch_respects_skills_until_relaxed(acd: Acd) -> None:
    """A domestic abuse call waits for a skilled agent, then goes to anyone after the relax time."""
    staff(acd, 1, 0)
    acd.enqueue("call:da", 1, 1_000, EN_DA, 1_000, AGEING)
    acd.enqueue("call:plain", 1, 2_000, EN, 2_000, AGEING)
    offer = acd.dispatch(3_000, RELAX, HOLD)
    assert offer is not None and offer.entry == "call:plain"
    staff(acd, 2, 0)
    relaxed = acd.dispatch(1_000 + RELAX, RELAX, HOLD)
    assert relaxed is not None and (relaxed.entry, relaxed.agent) == ("call:da", 2)


def test_skilled_agent_takes_skilled_call(acd: Acd) -> None:
    """An agent with the skill serves the skilled class before relax time."""
    staff(acd, 1, 0, (EN, EN_DA))
    acd.enqueue("call:da", 1, 1_000, EN_DA, 1_000, AGEING)
    offer = acd.dispatch(2_000, RELAX, HOLD)
    assert offer is not None and (offer.entry, offer.agent) == ("call:da", 1)


def test_off_shift_agent_is_never_offered(acd: Acd) -> None:
    """An available agent whose shift ended gets no offers until back on shift."""
    staff(acd, 1, 0)
    acd.mirror(1, False, [EN], 1_000)
    acd.enqueue("call:a", 1, 1_000, EN, 1_000, AGEING)
    assert acd.dispatch(2_000, RELAX, HOLD) is None
    acd.mirror(1, True, [EN], 3_000)
    assert acd.dispatch(3_000, RELAX, HOLD) is not None


def test_accept_once_and_only_with_the_current_token(acd: Acd) -> None:
    """A reservation is accepted once; a stale or repeated accept is refused."""
    staff(acd, 1, 0)
    acd.enqueue("call:a", 1, 1_000, EN, 1_000, AGEING)
    offer = acd.dispatch(2_000, RELAX, HOLD)
    assert offer is not None
    assert acd.accept(Offer(offer.entry, offer.agent, "call:a#9"), 2_500) is None
    assert acd.accept(offer, 3_000) == 2_000
    assert acd.accept(offer, 3_100) is None
    assert acd.agent(1)["state"] == "busy"


def test_no_answer_returns_the_call_to_its_place(acd: Acd) -> None:
    """A declined offer puts the entry back ahead of later arrivals and counts a miss."""
    staff(acd, 1, 0)
    acd.enqueue("call:a", 1, 1_000, EN, 1_000, AGEING)
    offer = acd.dispatch(2_000, RELAX, HOLD)
    acd.enqueue("call:b", 1, 3_000, EN, 3_000, AGEING)
    assert offer is not None
    assert acd.settle(offer, 4_000, 0, 3) == ("requeued", "1", "available")
    assert acd.position("call:a") == 1
    assert acd.agent(1)["missed"] == "1"


def test_missed_offers_pause_the_agent(acd: Acd) -> None:
    """N missed offers in a row pause the agent, who then gets no offers."""
    staff(acd, 1, 0)
    acd.enqueue("call:a", 1, 1_000, EN, 1_000, AGEING)
    for attempt in range(2):
        offer = acd.dispatch(2_000 + attempt, RELAX, HOLD)
        assert offer is not None
        state = acd.settle(offer, 3_000 + attempt, 0, 2)
    assert state == ("requeued", "2", "paused")
    assert acd.dispatch(5_000, RELAX, HOLD) is None


def test_reservation_timeout_requeues(acd: Acd) -> None:
    """A sweep after the hold time puts the entry back and frees the agent."""
    staff(acd, 1, 0)
    acd.enqueue("call:a", 1, 1_000, EN, 1_000, AGEING)
    offer = acd.dispatch(2_000, RELAX, HOLD)
    assert offer is not None
    assert acd.sweep(2_000 + HOLD - 1, 3).expired == []
    assert acd.sweep(2_000 + HOLD, 3).expired == [("call:a", 1)]
    assert acd.entry("call:a")["state"] == "waiting"
    assert acd.accept(offer, 2_000 + HOLD + 1) is None


def test_finish_starts_wrap_up_then_available(acd: Acd) -> None:
    """After a call the agent wraps up, and a sweep makes them available when it ends."""
    staff(acd, 1, 0)
    acd.enqueue("call:a", 1, 1_000, EN, 1_000, AGEING)
    offer = acd.dispatch(2_000, RELAX, HOLD)
    assert offer is not None and acd.accept(offer, 3_000) is not None
    assert acd.settle(offer, 63_000, 10_000, 3) == ("finished", "60000")
    assert acd.agent(1)["state"] == "wrap_up"
    assert acd.entry("call:a") == {}
    assert acd.sweep(72_999, 3).wrapped == []
    assert acd.sweep(73_000, 3).wrapped == [1]
    assert acd.agent(1)["state"] == "available"
    assert acd.handle_times_ms() == [60_000]


def test_abandon_reports_position_and_frees_agent(acd: Acd) -> None:
    """Hanging up while waiting gives position and wait; while reserved it frees the agent."""
    acd.enqueue("call:a", 1, 1_000, EN, 1_000, AGEING)
    acd.enqueue("call:b", 1, 2_000, EN, 2_000, AGEING)
    gone = acd.abandon("call:b", 12_000)
    assert gone is not None and (gone.position, gone.wait_ms) == (2, 10_000)
    staff(acd, 1, 0)
    assert acd.dispatch(13_000, RELAX, HOLD) is not None
    assert acd.abandon("call:a", 14_000) is not None
    assert acd.agent(1)["state"] == "available"
    assert acd.abandon("call:a", 15_000) is None


def test_leave_hands_back_priority_and_virtual_start(acd: Acd) -> None:
    """Leaving for a callback returns the entry's tier and virtual start time."""
    acd.enqueue("call:a", 2, 1_000, EN, 1_500, AGEING)
    left = acd.leave("call:a", 5_000)
    assert left is not None
    assert (left.priority, left.virtual_start_ms, left.position, left.wait_ms) == (
        2,
        1_000,
        1,
        3_500,
    )
    assert acd.waiting_count() == 0


def test_agent_cannot_break_or_log_out_mid_call(acd: Acd) -> None:
    """State requests that would strand a call are refused."""
    staff(acd, 1, 0)
    acd.enqueue("call:a", 1, 1_000, EN, 1_000, AGEING)
    assert acd.dispatch(2_000, RELAX, HOLD) is not None
    assert acd.agent_action(1, "break", 2_100) == (False, "reserved")
    assert acd.agent_action(1, "logout", 2_100) == (False, "reserved")
    assert acd.agent_action(99, "available", 2_100) == (False, "unknown")


def test_sweep_frees_agent_whose_entry_vanished(acd: Acd) -> None:
    """An agent left reserved for an entry that no longer exists is made available."""
    staff(acd, 1, 0)
    acd.enqueue("call:a", 1, 1_000, EN, 1_000, AGEING)
    assert acd.dispatch(2_000, RELAX, HOLD) is not None
    acd.redis.delete("hl:{acd}:e:call:a")
    assert acd.sweep(3_000, 3).freed == [1]
    assert acd.agent(1)["state"] == "available"


def test_failed_offer_returns_the_entry_without_a_miss(acd: Acd) -> None:
    """An undeliverable offer: the entry takes back its place, the agent is free, no miss."""
    staff(acd, 1, 0)
    staff(acd, 2, 500)
    acd.enqueue("call:a", 1, 1_000, EN, 1_000, AGEING)
    offer = acd.dispatch(2_000, RELAX, HOLD)
    acd.enqueue("call:b", 1, 3_000, EN, 3_000, AGEING)
    assert offer == Offer("call:a", 1, "call:a#1")
    assert acd.offer_failed(offer, 4_000) == 1
    assert acd.offer_failed(offer, 4_001) is None
    assert (acd.agent(1)["state"], acd.agent(1)["missed"]) == ("available", "0")
    assert acd.entry("call:a")["state"] == "waiting"
    assert acd.sweep(4_000 + HOLD, 3).expired == []
    again = acd.dispatch(5_000, RELAX, HOLD)
    assert again == Offer("call:a", 1, "call:a#2"), "same entry, same longest-idle agent"
    kinds = [fields["kind"] for _id, fields in acd.redis.xrange(acd.prefix + "journal")]
    assert kinds.count("offer_failed") == 1 and "timeout" not in kinds


def test_failed_offer_is_stale_once_answered(acd: Acd) -> None:
    """A redirect reported failed that did get through cannot undo the answered call."""
    staff(acd, 1, 0)
    acd.enqueue("call:a", 1, 1_000, EN, 1_000, AGEING)
    offer = acd.dispatch(2_000, RELAX, HOLD)
    assert offer is not None and acd.accept(offer, 2_500) is not None
    assert acd.offer_failed(offer, 3_000) is None
    assert acd.agent(1)["state"] == "busy" and acd.entry("call:a")["state"] == "connected"


def dump(acd: Acd) -> dict[str, object]:
    """Every key under the ACD's prefix (journal aside) with its contents, prefix stripped."""
    out: dict[str, object] = {}
    for key in acd.redis.scan_iter(acd.prefix + "*"):
        name, kind = key[len(acd.prefix) :], acd.redis.type(key)
        if name.startswith("other:") or name == "journal":
            continue
        if kind == "hash":
            out[name] = acd.redis.hgetall(key)
        elif kind == "zset":
            out[name] = acd.redis.zrange(key, 0, -1, withscores=True)
        else:
            out[name] = sorted(acd.redis.smembers(key))
    return out


def test_mirror_all_matches_mirroring_one_by_one(acd: Acd) -> None:
    """Mirroring the roster in one call leaves Redis exactly as one call per agent would."""
    other = Acd(acd.redis, "hl:{acd}:other:")
    for live in (acd, other):
        for agent, classes in ((1, (EN,)), (2, (EN, EN_DA)), (3, (EN,))):
            staff(live, agent, agent * 100, classes)
        live.agent_action(2, "break", 400)
    # Off shift, fewer skills, more skills, and an agent never mirrored before.
    roster = [(1, False, [EN]), (2, True, [EN]), (3, True, [EN, EN_DA]), (4, True, ["cy-GB|"])]
    one_by_one = [acd.mirror(agent, on, classes, 1_000) for agent, on, classes in roster]
    assert one_by_one == ["available", "break", "available", "logged_out"]
    assert other.mirror_all(roster, 1_000) == one_by_one
    assert other.mirror_all([], 1_000) == []
    assert dump(acd) == dump(other) != {}


def test_staffed_per_class_follows_state_and_classes(acd: Acd) -> None:
    """The per-class staffed count follows log-in, log-out, shift and a change of skills."""
    special = "en-GB|domestic_abuse"
    acd.mirror(1, True, [EN, special], 1000)
    assert (acd.staffed(), acd.staffed_for(special)) == (0, 0)  # on shift, not logged in
    acd.agent_action(1, "available", 1001)
    acd.agent_action(1, "break", 1002)
    assert (acd.staffed(), acd.staffed_for(special), acd.staffed_for(EN)) == (1, 1, 1)
    acd.mirror(1, True, [EN], 1003)  # the skill was taken away while logged in
    assert (acd.staffed_for(special), acd.staffed_for(EN)) == (0, 1)
    acd.mirror(1, False, [EN], 1004)  # the shift ended
    assert (acd.staffed(), acd.staffed_for(EN)) == (0, 0)
    acd.mirror(1, True, [EN, special], 1005)
    acd.agent_action(1, "logout", 1006)
    assert (acd.staffed(), acd.staffed_for(special)) == (0, 0)
