"""The agent's record of Gearman builds: retention, a restarted master, copies of a build.

The record answers "did this unique id run here?" for a controller that
restarts (README: at most one build per unique id). What makes a build the
Gearman build of a uuid is the queue item the agent scheduled with both of
its marks; a copy (the Rebuild plugin, a Parameterized Trigger passing the
parameters on) is an ordinary build.
"""

from __future__ import annotations

import pytest

from tests.agent.conftest import (
    builds_of,
    client_for,
    find,
    groovy,
    new_uuid,
    reserve,
    schedule,
    start_agent_double,
    wait_state,
    wait_until,
)
from tests.controller.jenkins_changes import change

# A copy of a finished Gearman build with every action it carries, as the
# Rebuild plugin schedules one (hudson/model/Queue.java: schedule2).
COPY_WITH_ITS_ACTIONS = """
def original = j.getItemByFullName(data.job).getBuildByNumber(data.number as int)
def actions = [original.getAction(hudson.model.ParametersAction), original.getAction(hudson.model.CauseAction)]
emit(j.getQueue().schedule2(original.getParent(), 0, actions).getItem().getId())
"""
# A build carrying only the uuid parameter, as a trigger that copies parameters makes one.
WITH_THE_PARAMETER_ONLY = """
def values = [new hudson.model.StringParameterValue('GEARMAN_UUID', data.uuid)]
def item = j.getQueue().schedule2(j.getItemByFullName(data.job), 0, [new hudson.model.ParametersAction(values, ['GEARMAN_UUID'])])
emit(item.getItem().getId())
"""


@pytest.fixture(scope="module")
def master(agent_double):
    agent_double.add_node("rec-node", labels="rec", executors=2)
    agent_double.create_job("rec-quick", command="true", label="rec", concurrent=True)
    return agent_double


def finished_on_record(client) -> set[str]:
    _epoch, inventory = client.inventory(with_records=True)
    return set(inventory["finished"])


def test_finished_builds_stay_on_record_and_the_oldest_leave_past_the_limit(tmp_path):
    double, _client = start_agent_double(tmp_path / "jenkins")
    try:
        limited = client_for(double, version="0.0.1+recordlimit00")
        limited.install(record_limit=3)
        double.add_node("lim", labels="lim", executors=1)
        double.create_job("lim-job", command="true", label="lim")
        uuids = []
        for _ in range(5):
            uuids.append(schedule(limited, "lim-job", "lim")["uuid"])
            wait_state(limited, uuids[-1], ("finished",))

        assert finished_on_record(limited) == set(uuids[2:])
        assert find(limited, uuids[0]) is None
        assert find(limited, uuids[4])["result"] == "SUCCESS"
    finally:
        double.stop()


def test_finished_builds_leave_the_record_past_its_age(tmp_path):
    double, _client = start_agent_double(tmp_path / "jenkins")
    try:
        short = client_for(double, version="0.0.1+recordage0000")
        short.install(record_age_ms=1500)
        double.add_node("age", labels="age", executors=1)
        double.create_job("age-job", command="true", label="age")
        uuid = schedule(short, "age-job", "age")["uuid"]
        wait_state(short, uuid, ("finished",))
        assert uuid in finished_on_record(short)

        wait_until(lambda: uuid not in finished_on_record(short), 10, "the record to drop the old build")
        assert find(short, uuid) is None
    finally:
        double.stop()


def test_a_restarted_master_rebuilds_its_record_from_the_builds_it_kept(tmp_path):
    double, client = start_agent_double(tmp_path / "jenkins")
    try:
        double.add_node("boot", labels="boot", executors=1)
        double.create_job("boot-job", command="true", label="boot")
        uuids = [schedule(client, "boot-job", "boot")["uuid"] for _ in range(3)]
        for uuid in uuids:
            wait_state(client, uuid, ("finished",))
        client.persist()
        double.restart()

        _epoch, inventory = wait_until(
            lambda: (reply := client.inventory(with_records=True))[1]["records_complete"] and reply,
            30,
            "the restarted agent's record to be whole",
        )

        assert set(inventory["finished"]) == set(uuids)
        numbers = {b["uuid"]: b["number"] for b in builds_of(double, "boot-job")}
        assert {uuid: find(client, uuid, "boot-job")["number"] for uuid in uuids} == numbers
        # Scheduling one of them again starts nothing: the record answers for it.
        again = schedule(client, "boot-job", "boot", uuid=uuids[0])
        assert again["status"] == "existing"
        assert len(builds_of(double, "boot-job")) == 3
    finally:
        double.stop()


def test_a_copy_with_the_builds_own_marks_neither_replaces_its_record_nor_takes_the_node_offline(master, client):
    original = schedule(client, "rec-quick", "rec-node", {"OFFLINE_NODE_WHEN_COMPLETE": "false"})
    finished = wait_state(client, original["uuid"], ("finished",))
    offline_flagged = schedule(client, "rec-quick", "rec-node", {"OFFLINE_NODE_WHEN_COMPLETE": "true"})
    flagged = wait_state(client, offline_flagged["uuid"], ("finished",))
    assert flagged["node_offlined"] is True
    change(master, "temporarily_offline", node="rec-node", offline=False)

    groovy(master, COPY_WITH_ITS_ACTIONS, job="rec-quick", number=flagged["number"])
    wait_until(
        lambda: (
            sum(b["uuid"] == offline_flagged["uuid"] for b in builds_of(master, "rec-quick")) == 2
            and not any(b["building"] for b in builds_of(master, "rec-quick"))
        ),
        message="the copy to run",
    )

    assert find(client, offline_flagged["uuid"]) == flagged
    assert change(master, "node_state", node="rec-node") == '{"offline":false,"temporarily":false}'
    assert find(client, original["uuid"])["number"] == finished["number"]
    _epoch, inventory = client.inventory()
    assert offline_flagged["uuid"] not in {b["uuid"] for b in inventory["builds"]}


def test_a_build_with_only_the_uuid_parameter_waits_behind_reservations_like_any_native_build(master, client):
    uuid = new_uuid()
    reservations = reserve(client, "rec-node", 2)
    assert len(reservations) == 2
    try:
        before = len(builds_of(master, "rec-quick"))
        groovy(master, WITH_THE_PARAMETER_ONLY, job="rec-quick", uuid=uuid)
        why = wait_until(
            lambda: groovy(master, "emit(j.getQueue().getItems().collect { it.getWhy() }.findAll { it })"),
            message="the copy to wait",
        )
        assert any("held for Gearman builds" in reason for reason in why), why
        assert len(builds_of(master, "rec-quick")) == before
        assert find(client, uuid) is None
    finally:
        client.batch([{"op": "release", "ids": reservations}])
    wait_until(lambda: any(b["uuid"] == uuid and b["result"] for b in builds_of(master, "rec-quick")), 15)
    assert find(client, uuid) is None


def test_scheduling_new_uuids_with_a_whole_record_looks_at_no_build_history(master, client):
    _epoch, before = client.inventory()
    assert before["records_complete"] is True

    uuids = [schedule(client, "rec-quick", "rec-node")["uuid"] for _ in range(10)]
    for uuid in uuids:
        wait_state(client, uuid, ("finished",))

    _epoch, after = client.inventory()
    assert after["stats"]["history_examined"] == before["stats"]["history_examined"]
