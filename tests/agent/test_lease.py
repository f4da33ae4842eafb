"""The lease: one controller owns a master at a time, and the agent fences everyone else.

Driven over real HTTP as two controllers would: each a client with its own
name and instance. Times are short leases (2 s) so that expiry can be seen.
"""

from __future__ import annotations

import time

import pytest

from controller.masters.client import MasterClient
from tests.agent.conftest import client_for, start_agent_double, wait_until

LEASE_MS = 2000


def claim(name: str, instance: str, state: dict) -> dict:
    return {"name": name, "instance": instance, "epoch": state["epoch"]}


@pytest.fixture(scope="module")
def master(tmp_path_factory):
    double, _client = start_agent_double(tmp_path_factory.mktemp("jenkins"))
    double.add_node("lease-node", labels="lease", executors=2)
    double.create_job("lease-job", command="true", label="lease")
    yield double
    double.stop()


@pytest.fixture
def free(master):
    """The master's lease is free when the test starts (the previous test's has expired)."""
    client = client_for(master)
    wait_until(lambda: client.inventory()[1]["lease"]["owner"] is None, LEASE_MS / 1000 + 5, "a free lease")
    return master


def test_one_controller_holds_the_lease_and_another_is_refused_until_it_expires(free):
    a, b = client_for(free), client_for(free)

    _e, first = a.acquire_lease("ctl-a", "a1", LEASE_MS)
    _e, refused = b.acquire_lease("ctl-b", "b1", LEASE_MS)

    assert first["granted"] is True and first["new_epoch"] is True
    assert refused["granted"] is False
    assert (refused["owner"], refused["epoch"]) == ("ctl-a", first["epoch"])
    assert 0 < refused["remaining_ms"] <= LEASE_MS
    time.sleep(LEASE_MS / 1000 + 0.3)
    _e, taken = b.acquire_lease("ctl-b", "b1", LEASE_MS)
    assert taken["granted"] is True and taken["epoch"] == first["epoch"] + 1


def test_a_batch_without_the_current_lease_is_fenced_and_does_nothing(free):
    a, b = client_for(free), client_for(free)
    _e, held = a.acquire_lease("ctl-a", "a1", LEASE_MS)
    stale = {"name": "ctl-b", "instance": "b1", "epoch": held["epoch"]}

    _e, [fenced] = b.batch([{"op": "reserve", "node": "lease-node", "count": 2, "ttl_ms": 30000}], stale)
    _e, [none] = MasterClient.batch(b, [{"op": "reserve", "node": "lease-node", "count": 2, "ttl_ms": 30000}])
    _e, [granted] = a.batch(
        [{"op": "reserve", "node": "lease-node", "count": 1, "ttl_ms": 30000}], claim("ctl-a", "a1", held)
    )

    assert fenced["status"] == "fenced" and fenced["granted"] == [] and fenced["lease"]["owner"] == "ctl-a"
    assert none["status"] == "fenced"
    assert len(granted["granted"]) == 1
    assert a.inventory()[1]["held"] == {"lease-node": 1}  # the fenced reserves granted nothing
    a.batch([{"op": "release", "ids": granted["granted"]}], claim("ctl-a", "a1", held))


def test_a_previous_holder_is_fenced_once_another_took_the_expired_lease(free):
    a, b = client_for(free), client_for(free)
    _e, old = a.acquire_lease("ctl-a", "a1", LEASE_MS)
    time.sleep(LEASE_MS / 1000 + 0.3)
    _e, new = b.acquire_lease("ctl-b", "b1", LEASE_MS)

    _e, [late] = a.batch(
        [{"op": "schedule", "job": "lease-job", "node": "lease-node", "uuid": "late-1", "params": {}}],
        claim("ctl-a", "a1", old),
    )

    assert late["status"] == "fenced" and late["lease"]["epoch"] == new["epoch"]
    _e, [found] = b.batch([{"op": "find", "uuid": "late-1", "job": "lease-job"}], claim("ctl-b", "b1", new))
    assert found["status"] == "not_found"  # nothing was queued


def test_the_long_poll_renews_only_the_holders_lease(free):
    a, b = client_for(free), client_for(free)
    _e, held = a.acquire_lease("ctl-a", "a1", LEASE_MS)
    after = a.inventory()[1]["seq"]

    for _ in range(3):  # three renewals, each before the lease would run out
        _e, reply = a.events(after, 0.7, lease={**claim("ctl-a", "a1", held), "ttl_ms": LEASE_MS})
        assert reply["lease"]["granted"] is True
    _e, other = b.events(after, 0.1, lease={"name": "ctl-b", "instance": "b1", "epoch": held["epoch"], "ttl_ms": 5000})

    assert other["lease"]["granted"] is False and other["lease"]["owner"] == "ctl-a"
    assert other["lease"]["held_ms"] >= 2000  # renewed past its first 2 s
    _e, [ok] = a.batch([{"op": "find", "uuid": "nothing", "job": "lease-job"}], claim("ctl-a", "a1", held))
    assert ok["status"] == "not_found"


def test_a_restarted_controller_of_the_same_name_takes_its_lease_at_once_with_a_new_epoch(free):
    before, after = client_for(free), client_for(free)
    _e, old = before.acquire_lease("ctl-a", "first-process", LEASE_MS)

    _e, new = after.acquire_lease("ctl-a", "second-process", LEASE_MS)

    assert new["granted"] is True and new["epoch"] == old["epoch"] + 1
    _e, [stale] = before.batch([{"op": "find", "uuid": "x"}], claim("ctl-a", "first-process", old))
    assert stale["status"] == "fenced"


def test_a_released_lease_is_free_at_once_and_a_new_holder_drops_the_old_reservations(free):
    a, b = client_for(free), client_for(free)
    _e, held = a.acquire_lease("ctl-a", "a1", 60000)
    _e, [granted] = a.batch(
        [{"op": "reserve", "node": "lease-node", "count": 2, "ttl_ms": 30000}], claim("ctl-a", "a1", held)
    )
    assert len(granted["granted"]) == 2

    _e, released = a.release_lease("ctl-a", "a1", held["epoch"])
    _e, taken = b.acquire_lease("ctl-b", "b1", LEASE_MS)

    assert released["owner"] is None
    assert taken["granted"] is True and taken["new_epoch"] is True
    assert b.inventory()[1]["held"] == {}  # ctl-a's reservations went with its lease
    _e, [again] = b.batch(
        [{"op": "reserve", "node": "lease-node", "count": 2, "ttl_ms": 30000}], claim("ctl-b", "b1", taken)
    )
    assert len(again["granted"]) == 2  # both executors free for the new holder
    b.batch([{"op": "release", "ids": again["granted"]}], claim("ctl-b", "b1", taken))
