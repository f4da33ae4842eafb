"""Gearman Pipelines in the agent: the reserved executor waits for the run's pinned block.

A Pipeline run takes a one-off executor of the built-in node; its node blocks
enter the queue as PlaceholderTask items. The agent's QueueTaskDispatcher keeps
the run's first block the reserved node admits on that node, lets the others go
where Jenkins puts them, and keeps native builds off the reserved executor until
the pinned block has it (README: Pipeline jobs). Where a block ran and when is
read from the run's own log: each block's shell step prints its node and times.
"""

from __future__ import annotations

import pytest

from tests.agent.conftest import (
    EventWatcher,
    builds_of,
    client_for,
    find,
    groovy,
    new_uuid,
    reserve,
    wait_state,
    wait_until,
)
from tests.controller.jenkins_changes import change

# A block's shell step: its node and the times it began and ended, in ms.
BLOCK = "sh 'echo BLOCK_START $(date +%s%3N) $NODE_NAME; sleep {seconds}; echo BLOCK_END $(date +%s%3N)'"
SCRIPTS = {
    # Sleeps before its first block for params.PRE ms (a script may do anything in the double: no sandbox).
    "pre-then-block": "Thread.sleep((params.PRE ?: '0') as long)\nnode('pipe') {\n  "
    + BLOCK.format(seconds=0.3)
    + "\n}\n",
    "elsewhere-then-pipe": "node('elsewhere') {\n  "
    + BLOCK.format(seconds=1.5)
    + "\n}\nnode('pipe') {\n  "
    + BLOCK.format(seconds=0)
    + "\n}\n",
    "no-blocks": "echo 'no node needed'\n",
    "block-then-wait": "node('pipe') {\n  " + BLOCK.format(seconds=0) + "\n}\nThread.sleep(2000)\n",
}
NODES = ("pipe-a", "pipe-b", "other")
# Items of a job: its builds, or its runs' node blocks (whose owner task is the job).
QUEUE = """
emit(j.getQueue().getItems().findAll { it.task.getOwnerTask().getFullName() == data.job }
    .collect { [id: it.getId(), why: it.getWhy()] })
"""
RUN = """
def r = j.getItemByFullName(data.job).getBuildByNumber(data.number as int)
emit([log: r.getLog(), building: r.isBuilding(), result: r.getResult()?.toString()])
"""
LAST_NATIVE = """
def b = j.getItemByFullName(data.job).getLastBuild()
emit(b == null ? null : [node: b.getBuiltOnStr(), start: b.getStartTimeInMillis(), building: b.isBuilding()])
"""


@pytest.fixture(scope="module")
def master(agent_double):
    change(agent_double, "set_builtin_executors", executors=0)
    agent_double.add_node("pipe-a", labels="pipe", executors=1)
    agent_double.add_node("pipe-b", labels="pipe", executors=1)
    agent_double.add_node("other", labels="elsewhere", executors=1)
    for name, script in SCRIPTS.items():
        agent_double.create_pipeline(name, script, sandbox=False)
    agent_double.create_pipeline("native-pipe", "node('pipe-a') {\n  " + BLOCK.format(seconds=0) + "\n}\n")
    agent_double.create_job("native-a", command="true", label="pipe-a")
    return agent_double


@pytest.fixture(autouse=True)
def idle_nodes(master, client):
    """Each test starts with every executor idle, nothing held and every node online."""
    wait_until(
        lambda: (
            groovy(master, "emit(data.nodes.every { j.getNode(it).toComputer().isIdle() })", nodes=list(NODES))
            and client.inventory()[1]["held"] == {}
        ),
        15,
        "idle nodes",
    )


def schedule(client, job, node, reservation=None, params=None, handover_ms=None) -> dict:
    uuid = new_uuid()
    op = {
        "op": "schedule",
        "job": job,
        "node": node,
        "uuid": uuid,
        "params": params or {},
        "reservation": reservation,
        "handover_ms": handover_ms,
    }
    _epoch, [result] = client.batch([op])
    assert result["status"] == "queued", result
    return {**result, "uuid": uuid}


def blocks(master, job, number) -> list[dict]:
    """The run's node blocks in the order they ran: {node, start, end} (end None while running)."""
    found = []
    for line in groovy(master, RUN, job=job, number=number)["log"].splitlines():
        words = line.split()
        if words[:1] == ["BLOCK_START"]:
            found.append({"node": words[2], "start": int(words[1]), "end": None})
        elif words[:1] == ["BLOCK_END"]:
            found[-1]["end"] = int(words[1])
    return found


def held(client) -> dict:
    return client.inventory()[1]["held"]


def waiting_because(master, job, text) -> bool:
    items = groovy(master, QUEUE, job=job)
    return bool(items) and all(text in (item["why"] or "") for item in items)


@pytest.mark.parametrize("reserved", ["pipe-a", "pipe-b"])
def test_a_gearman_pipelines_node_block_runs_on_the_reserved_node(master, client, reserved):
    [reservation] = reserve(client, reserved)

    gearman = schedule(client, "pre-then-block", reserved, reservation)

    build = wait_state(client, gearman["uuid"], ("finished",))
    assert build["result"] == "SUCCESS"
    assert [b["node"] for b in blocks(master, "pre-then-block", build["number"])] == [reserved]
    assert (build["node"], build["node_labels"]) == (reserved, ["pipe", reserved])


def test_a_running_pipeline_is_reported_on_its_reserved_node_from_the_start(master, client):
    [reservation] = reserve(client, "pipe-b")
    gearman = schedule(client, "pre-then-block", "pipe-b", reservation, {"PRE": "1500"})

    running = wait_state(client, gearman["uuid"], ("running",))

    assert (running["node"], running["node_labels"], running["executor"]) == ("pipe-b", ["pipe", "pipe-b"], None)
    [listed] = [r for r in client.inventory()[1]["running"] if r["uuid"] == gearman["uuid"]]
    assert listed["node"] == "pipe-b"
    wait_state(client, gearman["uuid"], ("finished",))


def test_the_reserved_executor_is_held_from_the_runs_start_until_its_pinned_block_takes_it(master, client):
    [reservation] = reserve(client, "pipe-a")
    gearman = schedule(client, "pre-then-block", "pipe-a", reservation, {"PRE": "2000"})
    running = wait_state(client, gearman["uuid"], ("running",))
    assert held(client) == {"pipe-a": 1}
    natives = len(builds_of(master, "native-a"))

    master.client().build_job("native-a")
    wait_until(lambda: waiting_because(master, "native-a", "held for Gearman"), message="native build blocked")

    wait_until(lambda: len(builds_of(master, "native-a")) == natives + 1, 20, "native build to run")
    [block] = blocks(master, "pre-then-block", running["number"])
    native = groovy(master, LAST_NATIVE, job="native-a")
    assert block["node"] == native["node"] == "pipe-a"
    assert native["start"] >= block["end"]


@pytest.mark.parametrize("reserved", ["pipe-a", "pipe-b"])
def test_a_block_the_reserved_node_cannot_run_goes_elsewhere_and_the_next_one_is_pinned(master, client, reserved):
    [reservation] = reserve(client, reserved)
    gearman = schedule(client, "elsewhere-then-pipe", reserved, reservation)
    running = wait_state(client, gearman["uuid"], ("running",))

    first = wait_until(lambda: blocks(master, "elsewhere-then-pipe", running["number"]), message="first block")
    assert first[0]["node"] == "other"
    assert held(client) == {reserved: 1}  # kept for the block it can run

    build = wait_state(client, gearman["uuid"], ("finished",))
    assert build["result"] == "SUCCESS"
    assert [b["node"] for b in blocks(master, "elsewhere-then-pipe", build["number"])] == ["other", reserved]


def test_only_a_pipeline_that_left_its_reserved_executor_unused_hands_it_over(master, client):
    [unused] = reserve(client, "pipe-a")
    [used] = reserve(client, "pipe-b")
    no_blocks = schedule(client, "no-blocks", "pipe-a", unused, handover_ms=3000)
    one_block = schedule(client, "pre-then-block", "pipe-b", used, handover_ms=3000)

    handed = wait_state(client, no_blocks["uuid"], ("finished",))
    kept_nothing = wait_state(client, one_block["uuid"], ("finished",))

    assert handed["handover"] and kept_nothing.get("handover") is None
    assert held(client) == {"pipe-a": 1}
    _epoch, [released] = client.batch([{"op": "release", "ids": [handed["handover"]]}])
    assert released == {"released": 1}


def test_stopping_a_pipeline_before_its_pinned_block_gives_the_reserved_executor_back(master, client):
    [reservation] = reserve(client, "pipe-a")
    gearman = schedule(client, "pre-then-block", "pipe-a", reservation, {"PRE": "30000"})
    wait_state(client, gearman["uuid"], ("running",))

    _epoch, [stopped] = client.batch([{"op": "stop", "uuid": gearman["uuid"]}])

    assert stopped["status"] == "aborted"
    build = wait_state(client, gearman["uuid"], ("finished",))
    assert build["result"] == "ABORTED"
    assert blocks(master, "pre-then-block", build["number"]) == []
    wait_until(lambda: held(client) == {}, 5, "the reserved executor given back")


def test_a_native_pipelines_node_block_keeps_off_a_reserved_executor(master, client):
    [reservation] = reserve(client, "pipe-a")
    runs = len(groovy(master, "emit(j.getItemByFullName('native-pipe').getBuilds().collect { it.number })"))

    master.client().build_job("native-pipe")
    wait_until(lambda: waiting_because(master, "native-pipe", "held for Gearman"), message="its block blocked")
    _epoch, [released] = client.batch([{"op": "release", "ids": [reservation]}])

    assert released == {"released": 1}
    wait_until(lambda: blocks(master, "native-pipe", runs + 1), 15, "the native block to run")
    assert blocks(master, "native-pipe", runs + 1)[0]["node"] == "pipe-a"


def test_offline_node_when_complete_keeps_the_pinned_blocks_executor_until_the_run_completes(master, client):
    watcher = EventWatcher(client_for(master), after=client.inventory()[1]["seq"]).start()
    natives = len(builds_of(master, "native-a"))
    try:
        [reservation] = reserve(client, "pipe-a")
        gearman = schedule(client, "block-then-wait", "pipe-a", reservation, {"OFFLINE_NODE_WHEN_COMPLETE": "true"})
        running = wait_state(client, gearman["uuid"], ("running",))
        wait_until(
            lambda: [b["end"] for b in blocks(master, "block-then-wait", running["number"])] not in ([], [None]),
            message="the pinned block to end",
        )
        # The run goes on for 2 s on the built-in node; the block's executor is idle in Jenkins' eyes.
        master.client().build_job("native-a")
        wait_until(lambda: waiting_because(master, "native-a", "held for Gearman"), message="native build blocked")

        completed, _arrival = watcher.wait_for(
            lambda e: e["type"] == "build_completed" and e["build"]["uuid"] == gearman["uuid"], timeout=15
        )

        assert completed["build"]["node_offlined"] is True
        assert completed["build"]["node"] == "pipe-a"
        offline = [
            e
            for e in watcher.events
            if e["type"] == "node" and e["node"]["name"] == "pipe-a" and e["node"]["temporarily_offline"]
        ]
        assert offline and offline[0]["seq"] < completed["seq"]
        assert change(master, "node_state", node="pipe-a") == '{"offline":true,"temporarily":true}'
        wait_until(lambda: waiting_because(master, "native-a", "offline"), message="native build blocked by offline")
        assert len(builds_of(master, "native-a")) == natives
    finally:
        watcher.stop()
        change(master, "temporarily_offline", node="pipe-a", offline=False)
    wait_until(lambda: len(builds_of(master, "native-a")) == natives + 1, message="native build after online")


def test_offline_node_when_complete_takes_no_node_offline_for_a_pipeline_whose_pinned_block_never_ran(master, client):
    [reservation] = reserve(client, "pipe-b")
    gearman = schedule(client, "no-blocks", "pipe-b", reservation, {"OFFLINE_NODE_WHEN_COMPLETE": "true"})

    build = wait_state(client, gearman["uuid"], ("finished",))

    assert build["node_offlined"] is False
    assert change(master, "node_state", node="pipe-b") == '{"offline":false,"temporarily":false}'


def test_a_pipelines_pin_outlives_an_agent_replaced_while_the_run_waits_for_its_block(master, client):
    [reservation] = reserve(client, "pipe-a")
    gearman = schedule(client, "pre-then-block", "pipe-a", reservation, {"PRE": "2500"})
    running = wait_state(client, gearman["uuid"], ("running",))
    natives = len(builds_of(master, "native-a"))
    newer = client_for(master, version=client.version + "-newer")
    try:
        assert newer.install()["replaced"] == [client.version]
        assert newer.inventory()[1]["held"] == {"pipe-a": 1}

        master.client().build_job("native-a")

        wait_until(lambda: len(builds_of(master, "native-a")) == natives + 1, 20, "native build to run")
        [block] = blocks(master, "pre-then-block", running["number"])
        assert block["node"] == "pipe-a"
        assert groovy(master, LAST_NATIVE, job="native-a")["start"] >= block["end"]
        assert find(newer, gearman["uuid"])["state"] == "finished"
        wait_until(lambda: newer.inventory()[1]["held"] == {}, 5, "nothing held once the run is over")
    finally:
        client.install()
