"""The agent's management operations: stop (by name and number, by uuid), describe, offline."""

from __future__ import annotations

import threading

import pytest

from tests.agent.conftest import (
    EventWatcher,
    builds_of,
    client_for,
    find,
    groovy,
    new_uuid,
    schedule,
    wait_state,
    wait_until,
)
from tests.controller.jenkins_changes import change


@pytest.fixture(scope="module")
def master(agent_double):
    agent_double.add_node("op-node", labels="op", executors=2)
    agent_double.create_job("op-long", command="sleep 30", label="op")
    agent_double.create_job("op-quick", command="true", label="op")
    agent_double.create_job("op-serial", command="sleep 30", label="op", concurrent=False)
    return agent_double


def queued_uuids(double) -> list[str]:
    return groovy(
        double,
        "emit(j.getQueue().getItems().collect {"
        " it.getAction(hudson.model.ParametersAction)?.getParameter('GEARMAN_UUID')?.getValue() })",
    )


def stop(client, **op) -> dict:
    _epoch, [result] = client.batch([{"op": "stop", **op}])
    return result


def test_stop_by_name_and_number_aborts_a_running_build(master, client):
    running = wait_state(client, schedule(client, "op-long", "op-node")["uuid"], ("running",))

    result = stop(client, job="op-long", number=running["number"])

    assert result["status"] == "aborted"
    assert wait_state(client, running["uuid"], ("finished",))["result"] == "ABORTED"


def test_stop_accepts_the_number_as_a_string(master, client):
    running = wait_state(client, schedule(client, "op-long", "op-node")["uuid"], ("running",))

    assert stop(client, job="op-long", number=str(running["number"]))["status"] == "aborted"
    assert wait_state(client, running["uuid"], ("finished",))["result"] == "ABORTED"


def test_stop_of_a_finished_build_is_not_running(master, client):
    finished = wait_state(client, schedule(client, "op-quick", "op-node")["uuid"], ("finished",))

    assert stop(client, job="op-quick", number=finished["number"]) == {"status": "not_running", "result": "SUCCESS"}


def test_stop_of_an_unknown_build_is_not_found(master, client):
    assert stop(client, job="op-quick", number=99999) == {"status": "not_found"}
    assert stop(client, job="no-such-job", number=1) == {"status": "not_found"}
    assert stop(client, uuid=new_uuid()) == {"status": "not_found"}


def test_stop_by_uuid_removes_a_queued_build(master, client):
    watcher = EventWatcher(client_for(master), after=client.inventory()[1]["seq"]).start()
    try:
        blocker = wait_state(client, schedule(client, "op-serial", "op-node")["uuid"], ("running",))
        waiting = schedule(client, "op-serial", "op-node")
        assert waiting["uuid"] in queued_uuids(master)

        result = stop(client, uuid=waiting["uuid"])

        assert result["status"] == "dequeued"
        assert result["build"]["uuid"] == waiting["uuid"]
        assert waiting["uuid"] not in queued_uuids(master)
        watcher.wait_for(lambda e: e["type"] == "queue_cancelled" and e["build"]["uuid"] == waiting["uuid"])
        assert find(client, waiting["uuid"])["state"] == "cancelled"
        assert stop(client, uuid=blocker["uuid"])["status"] == "aborted"
        assert wait_state(client, blocker["uuid"], ("finished",))["result"] == "ABORTED"
        assert [b["uuid"] for b in builds_of(master, "op-serial")].count(waiting["uuid"]) == 0
    finally:
        watcher.stop()


def test_stop_by_uuid_aborts_a_running_build(master, client):
    running = wait_state(client, schedule(client, "op-long", "op-node")["uuid"], ("running",))

    result = stop(client, uuid=running["uuid"])

    assert result["status"] == "aborted"
    assert result["build"]["number"] == running["number"]
    assert wait_state(client, running["uuid"], ("finished",))["result"] == "ABORTED"
    assert stop(client, uuid=running["uuid"])["status"] == "finished"


def test_describe_sets_the_build_description(master, client):
    finished = wait_state(client, schedule(client, "op-quick", "op-node")["uuid"], ("finished",))
    html = "<b>built by</b> gearman — ${not evaluated} 'quoted' \"too\"\nsecond line 🎉"

    _epoch, [result] = client.batch(
        [{"op": "describe", "job": "op-quick", "number": str(finished["number"]), "description": html}]
    )

    assert result == {"status": "ok"}
    assert change(master, "build_description", job="op-quick", number=finished["number"]) == html.strip()
    _epoch, [missing] = client.batch([{"op": "describe", "job": "op-quick", "number": 99999, "description": "x"}])
    assert missing == {"status": "not_found"}


def test_a_failing_operation_answers_an_error_and_the_others_still_run(master, client):
    uuid = new_uuid()

    _epoch, results = client.batch(
        [
            {"op": "reserve", "node": "op-node", "count": "many", "ttl_ms": 1000},
            {"op": "schedule", "job": "op-quick", "node": "op-node", "uuid": uuid, "params": {}},
            {"op": "schedule", "job": "op-quick", "node": "op-node", "uuid": new_uuid(), "params": ["not", "a", "map"]},
            "not an operation",
            {"op": "no-such-op"},
        ]
    )

    assert results[0]["status"] == "error"
    assert results[0]["granted"] == []
    assert "NumberFormatException" in results[0]["reason"]
    assert results[1]["status"] == "queued"
    assert results[2] == {"status": "rejected", "reason": "the parameters must be a JSON object"}
    assert results[3] == {"status": "error", "reason": "an operation must be a JSON object"}
    assert results[4] == {"status": "error", "reason": "unknown operation no-such-op"}
    assert all("\n" not in result.get("reason", "") for result in results)
    assert wait_state(client, uuid, ("finished",))["result"] == "SUCCESS"
    wait_until(lambda: client.inventory()[1]["held"] == {}, message="nothing held")


def test_queued_builds_are_cancelled_while_the_queue_is_being_maintained(master, client):
    # Queue maintenance re-files items all the time; a cancel must reach the live item.
    blocker = wait_state(client, schedule(client, "op-serial", "op-node")["uuid"], ("running",))
    stop_churn = threading.Event()

    def churn():
        while not stop_churn.is_set():
            groovy(master, "j.getQueue().scheduleMaintenance(); emit(true)")

    churners = [threading.Thread(target=churn) for _ in range(2)]
    for thread in churners:
        thread.start()
    try:
        outcomes = []
        for index in range(10):
            by_agent = schedule(client, "op-serial", "op-node", {"I": str(index)})
            outcomes.append(stop(client, uuid=by_agent["uuid"])["status"])
            by_jenkins = schedule(client, "op-serial", "op-node", {"J": str(index)})
            master.client().cancel_queue(by_jenkins["queue_id"])
            outcomes.append(wait_state(client, by_jenkins["uuid"], ("cancelled", "running"))["state"])
    finally:
        stop_churn.set()
        for thread in churners:
            thread.join(10)
        stop(client, uuid=blocker["uuid"])
    assert outcomes == ["dequeued", "cancelled"] * 10
    assert queued_uuids(master) == []
