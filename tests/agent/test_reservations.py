"""Executors held for Gearman builds: reservations against Jenkins-native builds, and
OFFLINE_NODE_WHEN_COMPLETE taking the node offline before anything else can start on it.

Native builds are started the way a user or a timer would, through Jenkins'
remote API (python-jenkins ``build_job``); the agent's QueueTaskDispatcher is
what keeps them off reserved executors.
"""

from __future__ import annotations

import time

import pytest

from tests.agent.conftest import (
    EventWatcher,
    builds_of,
    client_for,
    groovy,
    reserve,
    schedule,
    wait_idle,
    wait_state,
    wait_until,
)
from tests.controller.jenkins_changes import change

QUEUE = """
emit(j.getQueue().getItems().findAll { it.task.getFullName() == data.job }.collect { [id: it.getId(), why: it.getWhy()] })
"""


@pytest.fixture(scope="module")
def master(agent_double):
    agent_double.add_node("res-a", labels="res", executors=1)
    agent_double.add_node("res-b", labels="res", executors=1)
    agent_double.add_node("once", labels="once", executors=1)
    agent_double.create_job("res-only-a", command="true", label="res-a")
    agent_double.create_job("res-any", command="true", label="res")
    agent_double.create_job("res-gearman", command="sleep 0.3", label="res")
    agent_double.create_job("once-gearman", command="sleep 0.3", label="once")
    agent_double.create_job("once-quick", command="true", label="once")
    agent_double.create_job("once-native", command="true", label="once")
    return agent_double


@pytest.fixture(autouse=True)
def idle_nodes(master, client):
    """Each test starts with every executor idle and nothing held."""
    wait_idle(master, client, ["res-a", "res-b", "once"])


def waiting_because(double, job: str, text: str) -> bool:
    items = groovy(double, QUEUE, job=job)
    return bool(items) and all(text in (item["why"] or "") for item in items)


def release(client, *ids: str) -> dict:
    _epoch, [result] = client.batch([{"op": "release", "ids": list(ids)}])
    return result


def test_reservation_grants_at_most_the_idle_executors(master, client):
    granted = reserve(client, "res-a", count=3)
    assert len(granted) == 1
    assert reserve(client, "res-a") == []
    assert client.inventory()[1]["held"] == {"res-a": 1}
    assert release(client, *granted, "unknown-id") == {"released": 1}
    assert client.inventory()[1]["held"] == {}
    assert reserve(client, "no-such-node") == []


def test_reserved_executor_goes_to_the_gearman_build_and_the_native_one_waits(master, client):
    [reservation] = reserve(client, "res-a")
    master.client().build_job("res-only-a")
    wait_until(lambda: waiting_because(master, "res-only-a", "held for Gearman"), message="native build blocked")

    # The Gearman build the reservation was made for takes the executor, not the native one.
    gearman = schedule(client, "res-gearman", "res-a", reservation=reservation)

    build = wait_state(client, gearman["uuid"], ("finished",))
    assert (build["node"], build["result"]) == ("res-a", "SUCCESS")
    wait_until(lambda: builds_of(master, "res-only-a"), message="native build to run after the Gearman one")
    native = groovy(
        master,
        "def b = j.getItemByFullName('res-only-a').getLastBuild(); emit([node: b.getBuiltOnStr(), start: b.getStartTimeInMillis()])",
    )
    assert native["node"] == "res-a"
    assert native["start"] >= build["started"] + build["duration"]


def test_native_build_runs_once_a_reservation_is_released(master, client):
    [reservation] = reserve(client, "res-a")
    before = len(builds_of(master, "res-only-a"))
    master.client().build_job("res-only-a")
    wait_until(lambda: waiting_because(master, "res-only-a", "held for Gearman"), message="native build blocked")
    assert len(builds_of(master, "res-only-a")) == before

    assert release(client, reservation) == {"released": 1}

    wait_until(lambda: len(builds_of(master, "res-only-a")) == before + 1, message="native build to run")
    assert builds_of(master, "res-only-a")[0]["node"] == "res-a"


def test_native_build_runs_once_a_reservation_expires(master, client):
    ttl = 1.5
    before = len(builds_of(master, "res-only-a"))
    reserved_at = time.time()
    reserve(client, "res-a", ttl_ms=int(ttl * 1000))
    master.client().build_job("res-only-a")

    wait_until(lambda: len(builds_of(master, "res-only-a")) == before + 1, timeout=10, message="native build to run")

    # It was queued well before the reservation ran out, and started only after.
    started = groovy(master, "emit(j.getItemByFullName('res-only-a').getLastBuild().getStartTimeInMillis())") / 1000
    assert reserved_at + ttl <= started < reserved_at + ttl + 3
    assert client.inventory()[1]["held"] == {}


@pytest.mark.parametrize("reserved", ["res-a", "res-b"])
def test_native_build_goes_to_another_node_than_the_reserved_one(master, client, reserved):
    [reservation] = reserve(client, reserved)
    before = len(builds_of(master, "res-any"))

    master.client().build_job("res-any")

    wait_until(lambda: len(builds_of(master, "res-any")) == before + 1, message="native build to run")
    assert builds_of(master, "res-any")[0]["node"] == ({"res-a", "res-b"} - {reserved}).pop()
    release(client, reservation)


def test_offline_node_when_complete_takes_the_node_offline_before_anything_else_starts(master, client):
    watcher = EventWatcher(client_for(master), after=client.inventory()[1]["seq"]).start()
    try:
        natives = len(builds_of(master, "once-native"))
        gearman = schedule(client, "once-gearman", "once", {"OFFLINE_NODE_WHEN_COMPLETE": "true"})
        wait_state(client, gearman["uuid"], ("running",))
        # A native build for the same node waits behind it.
        master.client().build_job("once-native")
        wait_until(lambda: groovy(master, QUEUE, job="once-native"), message="native build queued")

        completed, _arrival = watcher.wait_for(
            lambda e: e["type"] == "build_completed" and e["build"]["uuid"] == gearman["uuid"], timeout=10
        )

        assert completed["build"]["node_offlined"] is True
        offline = [
            e
            for e in watcher.events
            if e["type"] == "node" and e["node"]["name"] == "once" and e["node"]["temporarily_offline"]
        ]
        assert offline and offline[0]["seq"] < completed["seq"]
        assert change(master, "node_state", node="once") == '{"offline":true,"temporarily":true}'
        assert len(builds_of(master, "once-native")) == natives
        wait_until(lambda: waiting_because(master, "once-native", "offline"), message="native build blocked")
        assert len(builds_of(master, "once-native")) == natives
        started_natives = [
            e for e in watcher.events if e["type"] == "build_started" and e["build"]["job"] == "once-native"
        ]
        assert started_natives == []
    finally:
        watcher.stop()
        change(master, "temporarily_offline", node="once", offline=False)
    wait_until(lambda: len(builds_of(master, "once-native")) == natives + 1, message="native build after online")
    assert builds_of(master, "once-native")[0]["node"] == "once"


@pytest.mark.parametrize("flag", ["1", "True", "TRUE"])
def test_every_true_spelling_of_offline_node_when_complete_takes_the_node_offline(master, client, flag):
    gearman = schedule(client, "once-quick", "once", {"OFFLINE_NODE_WHEN_COMPLETE": flag})

    build = wait_state(client, gearman["uuid"], ("finished",))

    assert build["node_offlined"] is True
    assert change(master, "node_state", node="once") == '{"offline":true,"temporarily":true}'
    change(master, "temporarily_offline", node="once", offline=False)


@pytest.mark.parametrize("flag", ["false", "yes", ""])
def test_other_values_of_offline_node_when_complete_leave_the_node_online(master, client, flag):
    gearman = schedule(client, "once-quick", "once", {"OFFLINE_NODE_WHEN_COMPLETE": flag})

    build = wait_state(client, gearman["uuid"], ("finished",))

    assert build["node_offlined"] is False
    assert change(master, "node_state", node="once") == '{"offline":false,"temporarily":false}'


# Holds the queue lock on a thread of its own for data.ms, as a long Queue.maintain would.
HOLD_QUEUE_LOCK = """
def latch = new java.util.concurrent.CountDownLatch(1)
Thread.start {
    hudson.model.Queue.withLock({ latch.countDown(); Thread.sleep(data.ms as long) } as Runnable)
}
latch.await()
emit(true)
"""


def test_reserve_counts_idle_executors_under_the_queue_lock(master, client):
    # Queue.maintain hands executors out under the queue lock: a count taken outside it
    # can grant an executor a native build is being given at that moment.
    groovy(master, HOLD_QUEUE_LOCK, ms=1500)
    began = time.monotonic()
    granted = reserve(client, "res-b")
    waited = time.monotonic() - began

    assert len(granted) == 1
    assert waited >= 1.0, f"reserve answered after {waited:.2f} s, while the queue lock was held"
    release(client, *granted)
