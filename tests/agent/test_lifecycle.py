"""The agent's life cycle: install, install again, upgrade in place, uninstall, version checks.

One double for the module; every test starts from a master without agent
(uninstall is proven to leave nothing, so that is a fresh master).
"""

from __future__ import annotations

import pytest

from controller import errors
from controller.masters.client import INIT_SCRIPT
from tests.agent.conftest import (
    agent_extensions,
    builds_of,
    client_for,
    groovy,
    new_uuid,
    reserve,
    schedule,
    wait_state,
    wait_until,
)
from tests.jenkins_double import start_double

OLD_VERSION = "0.0.1+oldagent0000"


@pytest.fixture(scope="module")
def bare_double(tmp_path_factory):
    """A double that starts without agent, with two nodes sharing the label ``pool``."""
    double = start_double(tmp_path_factory.mktemp("jenkins"))
    double.set_quiet_period(0)
    double.add_node("pinx", labels="pool", executors=1)
    double.add_node("piny", labels="pool", executors=1)
    double.create_job("blocker", command="sleep 30", label="pinx")
    double.create_job("pinned", command="true", label="pool")
    yield double
    double.stop()


@pytest.fixture
def double(bare_double):
    """The module's double, without any agent when the test starts."""
    client_for(bare_double).uninstall()
    return bare_double


def gearman_classes(double) -> list[str]:
    return sorted(name for names in agent_extensions(double).values() for name in names)


def queue_why(double, uuid: str) -> str | None:
    return groovy(
        double,
        "def item = j.getQueue().getItems().find {"
        " it.getAction(hudson.model.ParametersAction)?.getParameter('GEARMAN_UUID')?.getValue() == data.uuid }\n"
        "emit([why: item?.getWhy()])",
        uuid=uuid,
    )["why"]


def test_install_on_fresh_master_is_seen_by_probe(double):
    client = client_for(double)
    before = client.probe()
    assert (before.installed, before.version, before.epoch, before.agents) == (False, None, None, 0)
    assert before.jenkins_version == "2.479.3"

    reply = client.install()

    assert reply["installed"] is True
    assert reply["replaced"] == []
    assert reply["version"] == client.version
    after = client.probe()
    assert (after.installed, after.version, after.epoch, after.agents) == (True, client.version, reply["epoch"], 1)


def test_second_install_is_a_no_op_without_duplicate_extensions(double):
    client = client_for(double)
    first = client.install()

    again = client.install()

    assert again == {"installed": False, "replaced": [], "epoch": first["epoch"], "version": client.version}
    assert gearman_classes(double) == sorted(
        [
            "GearmanJenkinsAgent",
            "GearmanJenkinsComputerListener",
            "GearmanJenkinsItemListener",
            "GearmanJenkinsNodeListener",
            "GearmanJenkinsQueueListener",
            "GearmanJenkinsRunListener",
            "GearmanJenkinsSaveableListener",
        ]
    )
    assert client.probe().agents == 1


def test_upgrade_replaces_old_agent_and_carries_pins_and_reservations_over(double):
    old = client_for(double, version=OLD_VERSION)
    new = client_for(double)
    old_epoch = old.install()["epoch"]
    jenkins = double.client()
    jenkins.build_job("blocker")
    wait_until(lambda: any(b["building"] for b in builds_of(double, "blocker")), message="blocker to run on pinx")
    queued = schedule(old, "pinned", "pinx")
    assert queued["status"] == "queued"
    wait_until(lambda: "pinx" in (queue_why(double, queued["uuid"]) or ""), message="the pin to block piny")
    [reservation] = reserve(old, "piny")

    reply = new.install()

    assert reply["installed"] is True
    assert reply["replaced"] == [OLD_VERSION]
    assert reply["epoch"] != old_epoch
    assert len(gearman_classes(double)) == 7, gearman_classes(double)
    assert new.probe().version == new.version
    with pytest.raises(errors.AgentVersionMismatch):
        old.inventory()
    _epoch, inventory = new.inventory()
    assert inventory["held"] == {"pinx": 1, "piny": 1}
    assert [(b["uuid"], b["state"]) for b in inventory["builds"]] == [(queued["uuid"], "queued")]
    # The new dispatcher keeps the pin: piny is idle, yet the build still waits for pinx.
    assert "pinx" in queue_why(double, queued["uuid"])

    blocker = next(b for b in builds_of(double, "blocker") if b["building"])
    _epoch, [stopped] = new.batch([{"op": "stop", "job": "blocker", "number": blocker["number"]}])
    assert stopped["status"] == "aborted"
    build = wait_state(new, queued["uuid"], ("finished",))
    assert build["node"] == "pinx"
    assert build["result"] == "SUCCESS"
    _epoch, [released] = new.batch([{"op": "release", "ids": [reservation]}])
    assert released == {"released": 1}


def test_uninstall_leaves_no_trace(double):
    client = client_for(double)
    client.install()
    client.persist()
    init_script = double.home / INIT_SCRIPT
    assert init_script.exists()
    schedule(client, "pinned", "piny")
    reserve(client, "pinx")

    reply = client.uninstall()

    assert "GearmanJenkinsAgent" in reply["removed"]
    assert reply["init_script_deleted"] is True
    assert not init_script.exists()
    assert gearman_classes(double) == []
    assert client.probe().installed is False


def test_client_of_another_version_gets_version_mismatch(double):
    client_for(double).install()
    other = client_for(double, version=OLD_VERSION)

    with pytest.raises(errors.AgentVersionMismatch) as raised:
        other.batch([{"op": "find", "uuid": new_uuid()}])

    assert raised.value.installed == client_for(double).version
    assert raised.value.expected == OLD_VERSION
    assert str(raised.value).startswith("master double: ")
    assert "\n" not in str(raised.value)


def test_master_without_agent_gets_agent_missing(double):
    client = client_for(double)

    for call in (client.inventory, lambda: client.events(0, 0.1), lambda: client.batch([])):
        with pytest.raises(errors.AgentMissing) as raised:
            call()
        assert str(raised.value).startswith("master double: ")


# Changes the computer list (ComputerListener.onConfigurationChange) in a loop for data.ms.
CHURN_COMPUTERS = """
def churn = Thread.start {
    long until = System.currentTimeMillis() + (data.ms as long)
    while (System.currentTimeMillis() < until) {
        j.setNumExecutors(j.getNumExecutors() == 1 ? 2 : 1)
    }
}
System.getProperties().put('gearman-jenkins-test churn', churn)
emit(true)
"""
CHURN_DONE = "System.getProperties().remove('gearman-jenkins-test churn').join(); emit(true)"


def test_computer_changes_while_the_agent_installs_are_all_seen_afterwards(double):
    # A listener may fire the moment it is registered: what it needs must exist by then.
    for attempt in range(3):
        groovy(double, CHURN_COMPUTERS, ms=1000)
        client_for(double, version=f"0.0.1+churn{attempt:07d}").install()
        groovy(double, CHURN_DONE)
    client = client_for(double, version="0.0.1+churn0000003")
    client.install()
    after = client.inventory()[1]["seq"]

    groovy(double, "j.setNumExecutors(3); emit(true)")

    def built_in_with_three(reply):
        return any(e["type"] == "node" and e["node"]["name"] == "" and e["node"]["executors"] == 3 for e in reply)

    wait_until(lambda: built_in_with_three(client.events(after, 1.0)[1]["events"]), 5, "the node event")
    assert "GearmanJenkinsComputerListener failed" not in double.log_text()
    groovy(double, "j.setNumExecutors(2); emit(true)")
