"""Pipeline jobs through Gearman: the executor that grabs a Pipeline runs its pinned node block.

The real controller, gearmand and a Jenkins double with the Pipeline plugins'
classes. Where each node block ran, and when, is read from the run's own log
(its shell step prints its node and the times it began and ended); freestyle
builds from the master's build records (README: Pipeline jobs).
"""

from __future__ import annotations

import json

import pytest

from tests.controller.invariants import assert_no_executor_ran_two_builds
from tests.controller.jenkins_changes import change
from tests.controller_harness import wait_until, worker_functions

BLOCK = "sh 'echo BLOCK_START $(date +%s%3N) $NODE_NAME; sleep {seconds}; echo BLOCK_END $(date +%s%3N)'"


def pipeline(*blocks: tuple[str, float], before_ms: str = "0", after_ms: int = 0) -> str:
    """A script: sleep ``before_ms`` (a Groovy expression), then node(label) { BLOCK } per block, then sleep ``after_ms``.

    Sleeping outside a node block is plain Groovy: the double enforces no sandbox.
    """
    lines = [f"Thread.sleep(({before_ms}) as long)"]
    for label, seconds in blocks:
        lines += [f"node('{label}') {{", "  " + BLOCK.format(seconds=seconds), "}"]
    lines.append(f"Thread.sleep({after_ms})")
    return "\n".join(lines) + "\n"


def blocks(double, job: str, number: int) -> list[dict]:
    """The run's node blocks in the order they ran: {node, start, end} in ms (end None while running)."""
    found = []
    for line in change(double, "run_log", job=job, number=number).splitlines():
        words = line.split()
        if words[:1] == ["BLOCK_START"]:
            found.append({"node": words[2], "start": int(words[1]), "end": None})
        elif words[:1] == ["BLOCK_END"]:
            found[-1]["end"] = int(words[1])
    return found


def runs(double, job: str) -> list[dict]:
    return json.loads(change(double, "runs_of", job=job))


def worker_node(record) -> str:
    return record.data["worker"].rsplit("_exec-", 1)[0]


@pytest.fixture
def four_nodes(farm_factory, gearmand):
    """One master whose four nodes have one executor each; the built-in node runs nothing."""
    farm = farm_factory(gearmand, masters=1)
    double = farm.doubles["jenkins1"]
    change(double, "set_builtin_executors", executors=0)
    for node in ("a", "b", "c", "d"):
        double.add_node(node, labels="linux", executors=1)
    double.create_pipeline("one-block", pipeline(("linux", 1), before_ms="params.BEFORE ?: '0'"), sandbox=False)
    double.create_pipeline("two-blocks", pipeline(("linux", 1), ("linux", 0)), sandbox=False)
    farm.start_controller()
    farm.wait_for_function("build:two-blocks", workers=4)
    farm.connect_client()
    return farm


def test_a_pipelines_first_node_block_runs_on_the_executor_that_grabbed_it(four_nodes):
    double = four_nodes.doubles["jenkins1"]
    records = [four_nodes.client.submit(f"build:{job}") for job in ("one-block", "two-blocks") for _ in range(4)]

    four_nodes.client.wait(records, 90)

    assert {r.result for r in records} == {"SUCCESS"}
    for record in records:
        job = record.job.name.split(":", 1)[1]
        ran = blocks(double, job, record.data["number"])
        assert len(ran) == (1 if job == "one-block" else 2)
        assert ran[0]["node"] == worker_node(record) == record.data["node_name"]
    assert sorted({r.data["node_name"] for r in records}) == ["a", "b", "c", "d"]


def test_work_data_names_the_grabbing_node_when_the_run_starts_before_its_block(four_nodes):
    double = four_nodes.doubles["jenkins1"]
    record = four_nodes.client.submit("build:one-block", {"BEFORE": "3000"})

    data = wait_until(lambda: record.data, 30, "WORK_DATA")

    assert blocks(double, "one-block", data["number"]) == []  # the run sleeps before its block
    assert data["node_name"] == worker_node(record)
    assert data["node_labels"] == sorted(["linux", data["node_name"]])
    four_nodes.client.wait([record], 60)
    assert record.result == "SUCCESS"
    assert [b["node"] for b in blocks(double, "one-block", data["number"])] == [data["node_name"]]
    assert record.completion["node_name"] == data["node_name"]


def test_pipelines_and_freestyle_builds_share_executors_without_double_booking(farm_factory, gearmand):
    farm = farm_factory(gearmand, masters=1)
    double = farm.doubles["jenkins1"]
    change(double, "set_builtin_executors", executors=0)
    executors = {("jenkins1", "a"): 2, ("jenkins1", "b"): 2}
    for _, node in executors:
        double.add_node(node, labels="linux", executors=2)
    # The second block goes where Jenkins puts it: it competes with the reservations.
    double.create_pipeline("pipe", pipeline(("linux", 1), ("linux", 0.5)), sandbox=False)
    double.create_job("fs", command="sleep 1", label="linux")
    natives = [f"native-{i}" for i in range(3)]  # one job each: Jenkins folds a job's queued builds into one
    for native in natives:
        double.create_job(native, command="sleep 0.5", label="linux")
    farm.start_controller()
    farm.wait_for_function("build:fs", workers=4)
    client = farm.connect_client()

    records = []
    for index in range(12):
        records.append(client.submit("build:pipe" if index % 3 == 0 else "build:fs"))
        if index % 4 == 0:
            double.client().build_job(natives[index // 4])  # as a user or a timer would, besides Gearman
    client.wait(records, 120)
    wait_until(
        lambda: [b["result"] for n in natives for b in jenkins_builds(double, n)] == ["SUCCESS"] * 3,
        30,
        "native builds done",
    )

    assert {r.result for r in records} == {"SUCCESS"}
    occupied = []  # what held an executor, from the master's own records
    for record in records:
        number = record.data["number"]
        if record.job.name == "build:pipe":
            ran = blocks(double, "pipe", number)
            assert ran[0]["node"] == worker_node(record) == record.data["node_name"]
            occupied += [{"master": "jenkins1", **b, "duration": b["end"] - b["start"]} for b in ran]
        else:
            [build] = [b for b in jenkins_builds(double, "fs") if b["number"] == number]
            assert build["node"] == worker_node(record) == record.data["node_name"]
            occupied.append({"master": "jenkins1", **build})
    occupied += [{"master": "jenkins1", **b} for n in natives for b in jenkins_builds(double, n)]
    assert len(occupied) == 4 * 2 + 8 + 3
    assert_no_executor_ran_two_builds(occupied, executors)


def jenkins_builds(double, job: str) -> list[dict]:
    return json.loads(change(double, "builds_of", job=job))


def test_a_pipeline_is_cancelled_while_it_runs_in_the_jenkins_queue_and_in_the_gearman_queue(farm_factory, gearmand):
    farm = farm_factory(gearmand, masters=1)
    double = farm.doubles["jenkins1"]
    change(double, "set_builtin_executors", executors=0)
    double.add_node("n1", labels="linux", executors=2)
    double.create_job("blocker", command="sleep 60", label="linux")
    double.create_pipeline("pipe", pipeline(("linux", 60)), sandbox=False)
    double.create_pipeline("serial-pipe", pipeline(("linux", 60)), concurrent=False, sandbox=False)
    farm.start_controller()
    farm.wait_for_function("build:serial-pipe", workers=2)
    client = farm.connect_client()

    # Running, in its node block: the run is aborted.
    running = client.submit("build:pipe")
    data = wait_until(lambda: running.data, 30, "run started")
    wait_until(lambda: blocks(double, "pipe", data["number"]), 30, "its node block running")
    stop = client.submit("stop:jenkins1", {"uuid": running.unique})
    client.wait([stop, running], 30)
    assert "aborted" in stop.completion
    assert running.kinds()[0] == "WORK_DATA" and running.kinds()[-1] == "WORK_COMPLETE"
    assert running.result == "ABORTED"
    assert [(r["number"], r["result"]) for r in runs(double, "pipe")] == [(data["number"], "ABORTED")]

    # In Jenkins' queue: the job runs one build at a time, so the second waits there, holding the other executor.
    first = client.submit("build:serial-pipe")
    wait_until(lambda: first.data, 30, "first run started")
    queued = client.submit("build:serial-pipe")
    wait_until(lambda: change(double, "queue_length") == "1", 30, "second run in the Jenkins queue")
    stop = client.submit("stop:jenkins1", {"uuid": queued.unique})
    client.wait([stop, queued], 30)
    assert "removed" in stop.completion
    assert queued.kinds() == ["WORK_COMPLETE"]
    assert queued.result == "ABORTED"
    assert [r["number"] for r in runs(double, "serial-pipe")] == [first.data["number"]]

    # In gearmand's queue: both executors are busy, so no worker takes it; it completes without a run.
    blocker = client.submit("build:blocker")
    wait_until(lambda: blocker.data, 30, "blocker started")
    waiting = client.submit("build:pipe")
    stop = client.submit("stop:jenkins1", {"uuid": waiting.unique})
    client.wait([stop], 30)
    assert "will complete as ABORTED" in stop.completion
    client.wait(
        [
            client.stop("jenkins1", "blocker", blocker.data["number"]),
            client.stop("jenkins1", "serial-pipe", first.data["number"]),
        ],
        30,
    )
    client.wait([waiting, blocker, first], 30)
    assert waiting.kinds() == ["WORK_COMPLETE"]
    assert waiting.result == "ABORTED"
    assert len(runs(double, "pipe")) == 1


def test_offline_node_when_complete_takes_the_pinned_blocks_node_offline_before_work_complete(farm_factory, gearmand):
    farm = farm_factory(gearmand, masters=1)
    double = farm.doubles["jenkins1"]
    change(double, "set_builtin_executors", executors=0)
    double.add_node("once", labels="single-use", executors=1)
    # After its block the run goes on for 2 s on the built-in node, the block's executor idle.
    double.create_pipeline("use-once", pipeline(("single-use", 0), after_ms=2000), sandbox=False)
    double.create_job("native-once", command="true", label="once")
    farm.start_controller()
    farm.wait_for_function("build:use-once")
    client = farm.connect_client()
    natives = len(jenkins_builds(double, "native-once"))

    record = client.submit("build:use-once", {"OFFLINE_NODE_WHEN_COMPLETE": "true"})
    data = wait_until(lambda: record.data, 30, "run started")
    wait_until(
        lambda: [b["end"] is not None for b in blocks(double, "use-once", data["number"])] == [True], 30, "block end"
    )
    double.client().build_job("native-once")
    client.wait([record], 30)

    state = change(double, "node_state", node="once")  # read as soon as WORK_COMPLETE arrived
    assert record.result == "SUCCESS"
    assert data["node_name"] == record.completion["node_name"] == "once"
    assert state == '{"offline":true,"temporarily":true}'
    assert len(jenkins_builds(double, "native-once")) == natives
    wait_until(lambda: worker_functions(farm.server).get("once_exec-0") == set(), 5, "once unregistered")
    change(double, "temporarily_offline", node="once", offline=False)
    wait_until(lambda: len(jenkins_builds(double, "native-once")) == natives + 1, 30, "native build once online")
