"""The agent's event log: bounded with gap detection, one epoch per agent instance.

The controller resynchronises from a fresh inventory when the epoch changes
or when it asks for events the agent no longer holds; these tests prove the
agent tells it so.
"""

from __future__ import annotations

import threading
import time

import pytest

from tests.agent.conftest import client_for, groovy, wait_until
from tests.controller.jenkins_changes import change
from tests.jenkins_double import start_double

EVENT_LIMIT = 5


@pytest.fixture(scope="module")
def double(tmp_path_factory):
    double = start_double(tmp_path_factory.mktemp("jenkins"))
    double.add_node("log-node", labels="log", executors=1)
    yield double
    double.stop()


def long_polls_waiting(double) -> int:
    """Request threads blocked in the agent's events() right now."""
    return groovy(
        double,
        "emit(Thread.getAllStackTraces().values().count { frames ->"
        " frames.any { it.getClassName() == 'GearmanJenkinsEventLog' && it.getMethodName() == 'poll' } })",
    )


def toggle_offline(double, times: int) -> None:
    """One node event per call: temporarily offline, online, offline..."""
    for index in range(times):
        change(double, "temporarily_offline", node="log-node", offline=index % 2 == 0)


def test_after_older_than_the_retained_log_gives_a_gap(double):
    # A version of its own, so that this installs whatever the master runs now.
    client = client_for(double, version="0.0.1+shortlog0000")
    change(double, "temporarily_offline", node="log-node", offline=False)
    client.install(event_limit=EVENT_LIMIT)
    # The fresh agent announces once that its record of Gearman builds is complete.
    base = wait_until(lambda: (inventory := client.inventory()[1])["records_complete"] and inventory["seq"])
    toggle_offline(double, 8)
    last = base + 8
    wait_until(lambda: client.inventory()[1]["seq"] == last, message="8 events")

    _epoch, lost = client.events(0, 1.0)
    _epoch, kept = client.events(last - EVENT_LIMIT, 1.0)
    _epoch, partly_lost = client.events(last - EVENT_LIMIT - 1, 1.0)

    assert {**lost, "lease": None} == {"gap": True, "events": [], "last_seq": last, "stopped": False, "lease": None}
    assert kept["gap"] is False
    assert [event["seq"] for event in kept["events"]] == list(range(last - EVENT_LIMIT + 1, last + 1))
    assert partly_lost["gap"] is True


def test_reinstall_ends_a_pending_long_poll_and_changes_the_epoch(double):
    old = client_for(double, version="0.0.1+replaced00000")
    old_epoch = old.install()["epoch"]
    replies = []

    def poll():
        replies.append((old.events(0, 20.0), time.monotonic()))

    poller = threading.Thread(target=poll)
    poller.start()
    wait_until(lambda: long_polls_waiting(double) == 1, message="the long-poll to wait in the agent")
    new = client_for(double)
    reply = new.install()
    installed = time.monotonic()
    poller.join(20)

    (epoch, stopped), returned = replies[0]
    assert epoch == old_epoch
    assert stopped["stopped"] is True
    assert returned - installed < 1.0  # with the replacement, not after its own 20 s
    new_epoch, events = new.events(0, 0)
    assert new_epoch == reply["epoch"] != old_epoch
    assert {**events, "lease": None} == {"gap": False, "events": [], "last_seq": 0, "stopped": False, "lease": None}

    new.uninstall()
    again = new.install()

    assert again["installed"] is True
    assert new.events(0, 0)[0] == again["epoch"] not in (old_epoch, new_epoch)
