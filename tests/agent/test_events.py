"""Every change the controller must hear of arrives as an agent event within 1 s, in gapless order.

One double and one watcher (a long-poll loop on its own thread) for the
module: every test makes a change the way an operator's script would and
measures from the start of that request to the event's arrival.
"""

from __future__ import annotations

import threading
import time

import pytest

from tests.agent.conftest import (
    EVENT_LATENCY_LIMIT,
    EventWatcher,
    assert_gapless,
    client_for,
    groovy,
    new_uuid,
    observe,
    schedule,
    wait_state,
    wait_until,
)
from tests.controller.jenkins_changes import change


@pytest.fixture(scope="module")
def double(agent_double):
    agent_double.add_node("ev-node", labels="evlabel", executors=1)
    agent_double.create_job("ev-sleepy", command="sleep 0.3", label="ev-node")
    agent_double.create_job("ev-serial", command="sleep 30", label="ev-node", concurrent=False)
    # The first disconnect in a JVM loads and starts the double's channel thread pool; on a
    # busy machine that one-off alone can take a second. Latency is measured warm.
    agent_double.add_node("ev-warm-up", executors=1)
    change(agent_double, "disconnect", node="ev-warm-up")
    change(agent_double, "connect", node="ev-warm-up")
    return agent_double


@pytest.fixture(scope="module")
def watcher(double):
    watcher = EventWatcher(client_for(double), after=0).start()
    yield watcher
    watcher.stop()


@pytest.fixture(autouse=True)
def no_gaps(watcher):
    yield
    assert_gapless(watcher)
    assert len(watcher.epochs) == 1
    assert not any(reply["gap"] for reply in watcher.replies)


WHY = "emit(j.getQueue().getItem(data.id as long)?.getWhy())"


def of_type(kind: str, **fields):
    def matches(event):
        if event["type"] != kind:
            return False
        body = event.get("node") or event.get("job") or event.get("build") or event
        return all(body.get(key) == value for key, value in fields.items())

    return matches


def test_build_started_and_completed(double, watcher, client):
    # A first build gives the job a history, so the second has an estimated duration.
    first = schedule(client, "ev-sleepy", "ev-node")
    wait_state(client, first["uuid"], ("finished",))
    uuid = new_uuid()

    started = observe(
        watcher,
        "build started",
        lambda: schedule(client, "ev-sleepy", "ev-node", uuid=uuid),
        of_type("build_started", uuid=uuid),
    )["build"]

    assert started["job"] == "ev-sleepy"
    assert isinstance(started["number"], int)
    assert started["url"] == f"job/ev-sleepy/{started['number']}/"
    assert started["node"] == "ev-node"
    assert started["node_labels"] == ["ev-node", "evlabel"]
    assert started["estimated_duration"] >= 300
    assert started["state"] == "running"
    completed, _arrival = watcher.wait_for(of_type("build_completed", uuid=uuid), timeout=5)
    build = completed["build"]
    assert (build["job"], build["number"], build["result"], build["state"]) == (
        "ev-sleepy",
        started["number"],
        "SUCCESS",
        "finished",
    )
    assert build["node"] == "ev-node"


def test_queue_item_cancelled(double, watcher, client):
    blocker = schedule(client, "ev-serial", "ev-node")
    running = wait_state(client, blocker["uuid"], ("running",))
    waiting = schedule(client, "ev-serial", "ev-node")
    assert waiting["status"] == "queued"
    # Cancel it once it waits behind the running build: until then maintenance may still be
    # re-filing it, and Jenkins' cancelItem then fails (HTTP 500) for the stale item.
    wait_until(
        lambda: "in progress" in (groovy(double, WHY, id=waiting["queue_id"]) or ""), message="the item to be blocked"
    )

    event = observe(
        watcher,
        "queue item cancelled",
        lambda: double.client().cancel_queue(waiting["queue_id"]),
        of_type("queue_cancelled", uuid=waiting["uuid"]),
    )

    assert event["build"]["queue_id"] == waiting["queue_id"]
    assert event["build"]["job"] == "ev-serial"
    client.batch([{"op": "stop", "job": "ev-serial", "number": running["number"]}])
    wait_state(client, blocker["uuid"], ("finished",))


def test_node_added_relabelled_moded_and_removed(double, watcher):
    added = observe(
        watcher,
        "node added",
        lambda: double.add_node("ev-new", labels="a b", executors=2),
        of_type("node", name="ev-new"),
    )
    assert added["node"] == {
        "name": "ev-new",
        "labels": ["a", "b", "ev-new"],
        "mode": "NORMAL",
        "executors": 2,
        "online": True,
        "temporarily_offline": False,
    }

    relabelled = observe(
        watcher,
        "node labels changed",
        lambda: change(double, "relabel_node", node="ev-new", labels="c"),
        of_type("node", name="ev-new"),
    )
    assert relabelled["node"]["labels"] == ["c", "ev-new"]

    moded = observe(
        watcher,
        "node mode changed",
        lambda: change(double, "set_mode", node="ev-new", mode="EXCLUSIVE"),
        of_type("node", name="ev-new"),
    )
    assert moded["node"]["mode"] == "EXCLUSIVE"

    resized = observe(
        watcher,
        "node executors changed",
        lambda: double.add_node("ev-new", labels="c", executors=3, mode="EXCLUSIVE"),
        of_type("node", name="ev-new"),
    )
    assert resized["node"]["executors"] == 3

    observe(
        watcher,
        "node removed",
        lambda: change(double, "remove_node", node="ev-new"),
        of_type("node_removed", name="ev-new"),
    )


def test_builtin_node_executor_count_changed(double, watcher):
    event = observe(
        watcher,
        "built-in executors changed",
        lambda: change(double, "set_builtin_executors", executors=3),
        of_type("node", name=""),
    )
    assert event["node"]["executors"] == 3
    observe(
        watcher,
        "built-in executors changed back",
        lambda: change(double, "set_builtin_executors", executors=2),
        of_type("node", name="", executors=2),
    )


def test_node_offline_online_and_temporarily_offline(double, watcher):
    offline = observe(
        watcher, "node offline", lambda: change(double, "disconnect", node="ev-node"), of_type("node", name="ev-node")
    )
    assert (offline["node"]["online"], offline["node"]["temporarily_offline"]) == (False, False)

    online = observe(
        watcher, "node online", lambda: change(double, "connect", node="ev-node"), of_type("node", name="ev-node")
    )
    assert (online["node"]["online"], online["node"]["temporarily_offline"]) == (True, False)

    marked = observe(
        watcher,
        "node temporarily offline",
        lambda: change(double, "temporarily_offline", node="ev-node", offline=True),
        of_type("node", name="ev-node"),
    )
    assert (marked["node"]["online"], marked["node"]["temporarily_offline"]) == (True, True)

    back = observe(
        watcher,
        "node back from temporarily offline",
        lambda: change(double, "temporarily_offline", node="ev-node", offline=False),
        of_type("node", name="ev-node"),
    )
    assert (back["node"]["online"], back["node"]["temporarily_offline"]) == (True, False)


def test_job_created_relabelled_disabled_enabled_renamed_and_deleted(double, watcher):
    created = observe(
        watcher,
        "job created",
        lambda: double.create_job("ev-job", command="true", label="evlabel"),
        of_type("job", name="ev-job", label="evlabel", concurrent=True),
    )
    assert (created["job"]["disabled"], created["job"]["buildable"]) == (False, True)

    # setAssignedLabel fires no ItemListener; only the agent's SaveableListener sees it.
    relabelled = observe(
        watcher,
        "job label changed",
        lambda: change(double, "set_job_label", job="ev-job", label="other||evlabel"),
        of_type("job", name="ev-job"),
    )
    assert relabelled["job"]["label"] == "other||evlabel"

    unlabelled = observe(
        watcher,
        "job label removed",
        lambda: change(double, "set_job_label", job="ev-job", label=None),
        of_type("job", name="ev-job"),
    )
    assert unlabelled["job"]["label"] is None

    disabled = observe(
        watcher,
        "job disabled",
        lambda: change(double, "disable_job", job="ev-job"),
        of_type("job", name="ev-job", disabled=True),
    )
    assert disabled["job"]["buildable"] is False

    observe(
        watcher,
        "job enabled",
        lambda: change(double, "enable_job", job="ev-job"),
        of_type("job", name="ev-job", disabled=False, buildable=True),
    )

    start = watcher.mark()
    observe(
        watcher,
        "job renamed",
        lambda: change(double, "rename_job", job="ev-job", new_name="ev-renamed"),
        of_type("job", name="ev-renamed"),
    )
    watcher.wait_for(of_type("job_removed", name="ev-job"), timeout=0, start=start)

    observe(
        watcher,
        "job deleted",
        lambda: change(double, "delete_job", job="ev-renamed"),
        of_type("job_removed", name="ev-renamed"),
    )


def test_quiet_down_and_its_cancellation(double, watcher):
    event = observe(
        watcher, "quiet down", lambda: change(double, "quiet_down"), of_type("quiet_down", quieting_down=True)
    )
    assert event["quieting_down"] is True
    observe(
        watcher,
        "quiet down cancelled",
        lambda: change(double, "cancel_quiet_down"),
        of_type("quiet_down", quieting_down=False),
    )


def test_long_poll_returns_as_soon_as_an_event_exists(double, watcher, client):
    watcher.wait_quiet()
    _epoch, inventory = client.inventory()
    replies = []

    def poll():
        replies.append((client_for(double).events(inventory["seq"], 20.0), time.monotonic()))

    poller = threading.Thread(target=poll)
    poller.start()
    changed = time.monotonic()
    change(double, "temporarily_offline", node="ev-node", offline=True)
    poller.join(20)

    (_epoch, reply), returned = replies[0]
    assert [event["type"] for event in reply["events"]] == ["node"]
    assert reply["last_seq"] == inventory["seq"] + 1
    assert returned - changed < EVENT_LATENCY_LIMIT
    change(double, "temporarily_offline", node="ev-node", offline=False)


def test_long_poll_returns_empty_after_its_timeout(double, watcher, client):
    watcher.wait_quiet()
    _epoch, inventory = client.inventory()
    began = time.monotonic()

    _epoch, reply = client.events(inventory["seq"], 0.4)

    waited = time.monotonic() - began
    assert {**reply, "lease": None} == {
        "gap": False,
        "events": [],
        "last_seq": inventory["seq"],
        "stopped": False,
        "lease": None,
    }
    assert 0.4 <= waited < 1.5
