"""The agent across master restarts: init.groovy.d copy, new epoch, nothing of ours on disk.

Jenkins writes builds, queue items, jobs and nodes to disk and cannot load a
class a script defined after a restart; the double reports such data like
OldDataMonitor does. These tests restart one module double several times.
"""

from __future__ import annotations

import os
from types import SimpleNamespace

import pytest

from controller.masters.client import INIT_SCRIPT
from tests.agent.conftest import (
    builds_of,
    client_for,
    find,
    groovy,
    schedule,
    start_agent_double,
    wait_state,
)


@pytest.fixture(scope="module")
def double(tmp_path_factory):
    double, _client = start_agent_double(tmp_path_factory.mktemp("jenkins"))
    double.add_node("solo", labels="solo", executors=1)
    double.create_job("quick", command="echo quick $GREETING", label="solo")
    double.create_job("slow", command="sleep 30", label="solo")
    yield double
    double.stop()


def test_persist_writes_the_agent_into_init_groovy_d_atomically(double):
    client = client_for(double)
    target = double.home / INIT_SCRIPT

    first = client.persist(event_limit=1000)

    assert first["changed"] is True
    assert first["path"] == str(target)
    assert target.read_text(encoding="utf-8") == client.agent_script(event_limit=1000)
    assert first["bytes"] == target.stat().st_size
    inode = target.stat().st_ino
    assert client.persist(event_limit=1000)["changed"] is False
    assert target.stat().st_ino == inode

    second = client.persist()

    # Written beside the target and renamed over it: a new inode, never a half-written file.
    assert second["changed"] is True
    assert target.stat().st_ino != inode
    assert target.read_text(encoding="utf-8") == client.agent_script()
    assert sorted(os.listdir(target.parent)) == [target.name]


@pytest.fixture(scope="module")
def restarted(double):
    """A persisted agent, Gearman builds in every state it can leave on disk, then a clean restart."""
    client = client_for(double)
    client.persist()
    epoch, _reply = client.events(0, 0)
    finished = schedule(client, "quick", "solo", {"GREETING": "done", "OFFLINE_NODE_WHEN_COMPLETE": "false"})
    number = wait_state(client, finished["uuid"], ("finished",))["number"]
    client.batch([{"op": "describe", "job": "quick", "number": number, "description": "finished before the restart"}])
    running = schedule(client, "slow", "solo")
    build = wait_state(client, running["uuid"], ("running",))
    # Saved while running: it is read back (ABORTED) after the restart.
    client.batch([{"op": "describe", "job": "slow", "number": build["number"], "description": "running"}])
    waiting = schedule(client, "quick", "solo", {"GREETING": "queued at shutdown"})
    assert find(client, waiting["uuid"])["state"] == "queued"

    double.restart()

    return SimpleNamespace(epoch=epoch, finished=finished["uuid"], running=running["uuid"], waiting=waiting["uuid"])


def test_persisted_agent_is_back_after_restart_with_a_new_epoch_and_works(double, restarted):
    client = client_for(double)

    events_epoch, reply = client.events(0, 0)

    assert events_epoch != restarted.epoch
    assert reply["gap"] is False
    probe = client.probe()
    assert (probe.installed, probe.version, probe.epoch) == (True, client.version, events_epoch)
    epoch, inventory = client.inventory()
    assert epoch == events_epoch
    assert {node["name"] for node in inventory["nodes"]} == {"", "solo"}
    assert {job["name"] for job in inventory["jobs"]} == {"quick", "slow"}
    queued = schedule(client, "quick", "solo", {"GREETING": "after restart"})
    assert queued["status"] == "queued"
    build = wait_state(client, queued["uuid"], ("finished",))
    assert (build["node"], build["result"]) == ("solo", "SUCCESS")
    assert "quick after restart" in groovy(
        double,
        "emit(j.getItemByFullName('quick').getBuildByNumber(data.number as int).getLog())",
        number=build["number"],
    )


def test_nothing_of_the_agent_is_persisted_with_builds_or_queue_items(double, restarted):
    client = client_for(double)

    log = double.log_text()

    assert "OldDataMonitor" not in log
    assert "ClassNotFoundException" not in log
    assert groovy(double, "emit(hudson.diagnosis.OldDataMonitor.get(j).getData().size())") == 0
    on_disk = [
        path
        for path in double.home.rglob("*")
        if path.is_file() and "init.groovy.d" not in path.parts and not path.name.startswith("double.")
        and b"GearmanJenkins" in path.read_bytes()
    ]  # fmt: skip
    assert on_disk == []
    # Marked with core classes only, the builds are whole again and the agent finds them by uuid.
    assert find(client, restarted.finished)["description"] == "finished before the restart"
    assert find(client, restarted.running)["result"] == "ABORTED"
    restored = wait_state(client, restarted.waiting, ("finished",))
    assert restored["result"] == "SUCCESS"
    assert [b["uuid"] for b in builds_of(double, "quick") if b["number"] == restored["number"]] == [restarted.waiting]
