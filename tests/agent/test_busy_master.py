"""What the agent costs a busy master, and the Jenkins versions whose APIs differ.

Jenkins tells every SaveableListener of every save: each request authenticated
with an API token saves its ApiTokenStats (jenkins/security/apitoken/
ApiTokenStats.java). The agent must not rescan the master's nodes for that;
only saves of jobs, nodes and Jenkins itself change what it reports.
"""

from __future__ import annotations

import pytest

from tests.agent.conftest import schedule, start_agent_double, wait_state, wait_until
from tests.controller.jenkins_changes import change

NODES = 30


def stats(client) -> dict[str, int]:
    return client.inventory()[1]["stats"]


def settled_stats(client) -> dict[str, int]:
    """The counters once no delayed node scan is pending (adding nodes schedules one 200 ms later)."""
    seen = []

    def steady():
        seen.append(stats(client))
        if len(seen) < 2:
            return None
        a, b = seen[-2], seen[-1]
        return b if (a["node_scans"], a["node_refreshes"]) == (b["node_scans"], b["node_refreshes"]) else None

    return wait_until(steady, 10, "the agent's counters to settle", interval=0.5)


@pytest.fixture(scope="module")
def busy(tmp_path_factory):
    double, client = start_agent_double(tmp_path_factory.mktemp("jenkins"))
    for index in range(NODES):
        double.add_node(f"busy-{index}", labels="busy", executors=1)
    yield double, client
    double.stop()


def test_api_token_requests_make_the_agent_refresh_no_node(busy):
    double, client = busy
    before = settled_stats(client)
    jenkins = double.client()  # authenticates every request with the admin's API token

    for _ in range(40):
        jenkins.get_info()
    after = stats(client)

    # Each of those requests, and each of the inventories, saved its ApiTokenStats: the agent saw them all.
    assert after["saves"] - before["saves"] >= 40
    assert after["node_scans"] == before["node_scans"]
    assert after["node_refreshes"] == before["node_refreshes"]


def test_a_saved_node_refreshes_that_node_only(busy):
    double, client = busy
    before = settled_stats(client)
    after_seq = client.inventory()[1]["seq"]

    change(double, "relabel_node", node="busy-7", labels="busy relabelled")

    def relabelled(reply):
        return [e for e in reply if e["type"] == "node" and "relabelled" in e["node"]["labels"]]

    events = wait_until(lambda: relabelled(client.events(after_seq, 1.0)[1]["events"]), 5, "the node event")
    assert [e["node"]["name"] for e in events] == ["busy-7"]
    after = stats(client)
    assert after["node_scans"] == before["node_scans"]
    assert after["node_refreshes"] - before["node_refreshes"] <= 2  # the node's own save, and NodeListener where fired
    change(double, "relabel_node", node="busy-7", labels="busy")


@pytest.mark.parametrize("version, method", [("2.481", "setTemporarilyOffline"), ("2.482", "setTemporaryOfflineCause")])
def test_offline_node_when_complete_works_with_either_offline_api(tmp_path, version, method):
    # Computer.setTemporaryOfflineCause exists since 2.482; before it only setTemporarilyOffline(boolean, cause).
    double, client = start_agent_double(tmp_path / "jenkins", jenkins_version=version)
    try:
        has_new_api = double.run_script(
            "println jenkins.model.Jenkins.get().toComputer().metaClass"
            ".respondsTo(jenkins.model.Jenkins.get().toComputer(), 'setTemporaryOfflineCause',"
            " hudson.slaves.OfflineCause).size()"
        ).strip()
        assert has_new_api == ("1" if method == "setTemporaryOfflineCause" else "0")
        double.add_node("once", labels="once", executors=1)
        double.create_job("once-job", command="true", label="once")

        build = wait_state(
            client, schedule(client, "once-job", "once", {"OFFLINE_NODE_WHEN_COMPLETE": "true"})["uuid"], ("finished",)
        )

        assert build["node_offlined"] is True
        assert change(double, "node_state", node="once") == '{"offline":true,"temporarily":true}'
        assert "WARNING gearman-jenkins" not in double.log_text()
    finally:
        double.stop()


def test_an_agent_installed_on_2_479_and_on_a_recent_jenkins_reports_the_same_shapes(tmp_path):
    shapes = []
    for version in ("2.479.3", "2.503"):
        double, client = start_agent_double(tmp_path / version, jenkins_version=version)
        try:
            double.add_node("shape", labels="a b", executors=2)
            double.create_job("shape-job", command="true", label="a")
            _epoch, inventory = client.inventory()
            shapes.append(
                (
                    sorted((n["name"], tuple(n["labels"]), n["executors"]) for n in inventory["nodes"]),
                    sorted((j["name"], j["label"]) for j in inventory["jobs"]),
                )
            )
        finally:
            double.stop()
    assert shapes[0] == shapes[1]
