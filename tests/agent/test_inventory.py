"""The agent's inventory matches what the master itself says about nodes, jobs and running builds."""

from __future__ import annotations

import pytest

from tests.agent.conftest import builds_of, groovy, schedule, wait_state, wait_until
from tests.controller.jenkins_changes import change

TRUTH = """
emit([
    nodes: ([j] + j.getNodes()).collect { n ->
        def c = n.toComputer()
        [name: n.getNodeName(), labels: n.getAssignedLabels().collect { it.getName() }.sort(), mode: n.getMode().name(),
         executors: n.getNumExecutors(), connected: c.getChannel() != null, temporarily_offline: c.isTemporarilyOffline()]
    },
    jobs: j.getAllItems(hudson.model.AbstractProject).collect { p ->
        [name: p.getFullName(), label: p.getAssignedLabelString(), disabled: p.isDisabled(), buildable: p.isBuildable()]
    },
    running: j.getComputers().collectMany { c -> c.getExecutors().findAll { it.isBusy() }.collect { e ->
        [job: e.getCurrentExecutable().getParent().getFullName(), number: e.getCurrentExecutable().getNumber(),
         node: c.getName()]
    } },
])
"""


@pytest.fixture(scope="module")
def master(agent_double):
    double = agent_double
    double.add_node("inv-a", labels="linux x86", executors=2)
    double.add_node("inv-b", labels="windows", executors=1, mode="EXCLUSIVE")
    double.add_node("inv-c", labels="linux", executors=3)
    double.add_node("inv-d", labels="linux", executors=1)
    change(double, "temporarily_offline", node="inv-b", offline=True)
    change(double, "disconnect", node="inv-c")
    change(double, "disconnect", node="inv-d")
    change(double, "temporarily_offline", node="inv-d", offline=True)
    double.create_job("inv-labelled", command="sleep 30", label="linux && x86")
    double.create_job("inv-roaming", command="true")
    double.create_job("inv-disabled", command="true", label="windows", disabled=True)
    return double


def test_nodes_match_the_master(master, client):
    _epoch, inventory = client.inventory()
    truth = {node["name"]: node for node in groovy(master, TRUTH)["nodes"]}

    nodes = {node["name"]: node for node in inventory["nodes"]}

    assert set(nodes) == set(truth) == {"", "inv-a", "inv-b", "inv-c", "inv-d"}
    for name, node in nodes.items():
        expected = truth[name]
        assert node["labels"] == expected["labels"], name
        assert node["mode"] == expected["mode"], name
        assert node["executors"] == expected["executors"], name
        assert node["online"] == expected["connected"], name
        assert node["temporarily_offline"] == expected["temporarily_offline"], name
    assert nodes[""] == {
        "name": "",
        "labels": ["built-in"],
        "mode": "NORMAL",
        "executors": 2,
        "online": True,
        "temporarily_offline": False,
    }
    assert nodes["inv-a"]["labels"] == ["inv-a", "linux", "x86"]
    assert (nodes["inv-b"]["mode"], nodes["inv-b"]["online"], nodes["inv-b"]["temporarily_offline"]) == (
        "EXCLUSIVE",
        True,
        True,
    )
    assert (nodes["inv-c"]["online"], nodes["inv-c"]["temporarily_offline"]) == (False, False)
    assert (nodes["inv-d"]["online"], nodes["inv-d"]["temporarily_offline"]) == (False, True)


def test_jobs_match_the_master(master, client):
    _epoch, inventory = client.inventory()
    truth = {job["name"]: job for job in groovy(master, TRUTH)["jobs"]}

    jobs = {job["name"]: job for job in inventory["jobs"]}

    assert set(jobs) == set(truth)
    for name, job in jobs.items():
        assert (job["label"], job["disabled"], job["buildable"]) == (
            truth[name]["label"],
            truth[name]["disabled"],
            truth[name]["buildable"],
        ), name
    # Jenkins keeps a label expression in its canonical form (LabelExpression.getExpression).
    assert (jobs["inv-labelled"]["label"], jobs["inv-labelled"]["disabled"], jobs["inv-labelled"]["buildable"]) == (
        "linux&&x86",
        False,
        True,
    )
    assert (jobs["inv-roaming"]["label"], jobs["inv-roaming"]["buildable"]) == (None, True)
    assert (jobs["inv-disabled"]["disabled"], jobs["inv-disabled"]["buildable"]) == (True, False)


def test_running_builds_match_the_master(master, client):
    gearman = schedule(client, "inv-labelled", "inv-a", {"WHO": "gearman"})
    master.client().build_job("inv-labelled")
    wait_state(client, gearman["uuid"], ("running",))
    wait_until(lambda: sum(b["building"] for b in builds_of(master, "inv-labelled")) == 2, message="both builds")

    _epoch, inventory = client.inventory()

    truth = groovy(master, TRUTH)["running"]
    running = sorted((b["job"], b["number"], b["node"]) for b in inventory["running"])
    assert running == sorted((b["job"], b["number"], b["node"]) for b in truth)
    assert all(node == "inv-a" for _job, _number, node in running)
    by_uuid = {b["uuid"]: b for b in inventory["running"]}
    assert set(by_uuid) == {gearman["uuid"], None}
    record = by_uuid[gearman["uuid"]]
    assert record["url"] == f"job/inv-labelled/{record['number']}/"
    assert record["node_labels"] == ["inv-a", "linux", "x86"]
    assert record["state"] == "running"
    assert [b["uuid"] for b in inventory["builds"]] == [gearman["uuid"]]
    for build in inventory["running"]:
        client.batch([{"op": "stop", "job": build["job"], "number": build["number"]}])
    wait_until(lambda: not any(b["building"] for b in builds_of(master, "inv-labelled")), message="builds to stop")
