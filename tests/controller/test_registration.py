"""Function registration follows the contract and every kind of change within 2 s."""

import time

import pytest

from tests.controller.jenkins_changes import change
from tests.controller_harness import function_workers, wait_until, worker_functions

# docs/contract.md: function sets are true again within 2 s of a change.
# Checked against the admin output, which adds its own polling delay.
WITHIN = 2.5


@pytest.fixture
def one_master(farm_factory, gearman_server):
    farm = farm_factory(gearman_server, masters=1)
    double = farm.doubles["jenkins1"]
    double.add_node("precise-123", labels="precise", executors=2)
    double.add_node("abc", labels="a b c", executors=1)
    double.add_node("excl", labels="precise", executors=1, mode="EXCLUSIVE")
    double.create_job("pep8", command="true", label="precise || oneiric")
    double.create_job("both", command="true", label="a && b")
    double.create_job("anywhere", command="true")
    double.create_job("off", command="true", disabled=True)
    farm.start_controller()
    farm.wait_for_function("build:pep8:precise", workers=3)
    return farm


def functions_of(farm, client_id):
    return worker_functions(farm.server).get(client_id)


def settle(farm, client_id, expected, message):
    start = time.monotonic()
    wait_until(lambda: functions_of(farm, client_id) == expected, WITHIN, message)
    return time.monotonic() - start


def test_initial_registration_matches_the_contract(one_master):
    workers = worker_functions(one_master.server)
    assert workers["precise-123_exec-0"] == {"build:pep8", "build:pep8:precise", "build:anywhere"}
    assert workers["precise-123_exec-1"] == workers["precise-123_exec-0"]
    assert workers["abc_exec-0"] == {"build:both", "build:both:a", "build:both:b", "build:anywhere"}
    assert workers["excl_exec-0"] == {"build:pep8", "build:pep8:precise"}  # exclusive: no unlabelled jobs
    assert workers["jenkins1_exec-0"] == {"build:anywhere"}  # the built-in node is named after its manager
    assert not any("build:off" in functions for functions in workers.values())
    status = function_workers(one_master.server)
    assert status["build:anywhere"] == 5  # 2 + 1 (abc) + 2 built-in executors
    assert status["build:pep8"] == 3


def test_job_changes_reregister(one_master):
    double = one_master.doubles["jenkins1"]
    change(double, "disable_job", job="anywhere")
    settle(one_master, "abc_exec-0", {"build:both", "build:both:a", "build:both:b"}, "disabled job dropped")
    change(double, "enable_job", job="anywhere")
    settle(one_master, "abc_exec-0", {"build:both", "build:both:a", "build:both:b", "build:anywhere"}, "re-enabled")
    change(double, "set_job_label", job="anywhere", label="c")
    settle(
        one_master,
        "abc_exec-0",
        {"build:both", "build:both:a", "build:both:b", "build:anywhere", "build:anywhere:c"},
        "relabelled job",
    )
    change(double, "rename_job", job="both", new_name="both2")
    settle(
        one_master,
        "abc_exec-0",
        {"build:both2", "build:both2:a", "build:both2:b", "build:anywhere", "build:anywhere:c"},
        "renamed job",
    )
    change(double, "delete_job", job="both2")
    settle(one_master, "abc_exec-0", {"build:anywhere", "build:anywhere:c"}, "deleted job")
    double.create_job("new", command="true", label="a")
    settle(one_master, "abc_exec-0", {"build:anywhere", "build:anywhere:c", "build:new", "build:new:a"}, "created job")


def test_node_changes_reregister(one_master):
    double = one_master.doubles["jenkins1"]
    change(double, "relabel_node", node="abc", labels="a b")
    settle(one_master, "abc_exec-0", {"build:both", "build:both:a", "build:both:b", "build:anywhere"}, "still a b")
    change(double, "relabel_node", node="abc", labels="a")
    settle(one_master, "abc_exec-0", {"build:anywhere"}, "lost b")
    change(double, "set_mode", node="abc", mode="EXCLUSIVE")
    settle(one_master, "abc_exec-0", set(), "exclusive")
    change(double, "set_mode", node="abc", mode="NORMAL")
    change(double, "temporarily_offline", node="abc", offline=True)
    settle(one_master, "abc_exec-0", set(), "temporarily offline")
    change(double, "temporarily_offline", node="abc", offline=False)
    settle(one_master, "abc_exec-0", {"build:anywhere"}, "back online")
    change(double, "disconnect", node="abc")
    settle(one_master, "abc_exec-0", set(), "disconnected")
    change(double, "connect", node="abc")
    settle(one_master, "abc_exec-0", {"build:anywhere"}, "reconnected")
    # Jenkins re-reads an executor count when the node object is replaced (addNode of the same name).
    double.add_node("abc", labels="a", executors=3)
    wait_until(lambda: functions_of(one_master, "abc_exec-2") == {"build:anywhere"}, WITHIN, "third executor worker")
    double.add_node("abc", labels="a", executors=1)
    wait_until(lambda: functions_of(one_master, "abc_exec-2") is None, WITHIN, "third executor worker gone")
    change(double, "remove_node", node="abc")
    wait_until(lambda: functions_of(one_master, "abc_exec-0") is None, WITHIN, "node removed")
    double.add_node("fresh", labels="precise", executors=1)
    settle(one_master, "fresh_exec-0", {"build:pep8", "build:pep8:precise", "build:anywhere"}, "node added")


def test_drift_without_a_listener_is_repaired_by_the_periodic_inventory(farm_factory, gearmand):
    farm = farm_factory(gearmand, masters=1, inventory_interval=2)
    double = farm.doubles["jenkins1"]
    double.add_node("abc", labels="a", executors=1)
    double.create_job("only-b", command="true", label="b")
    farm.start_controller()
    farm.wait_for_function("stop:jenkins1")
    wait_until(lambda: functions_of(farm, "abc_exec-0") == set(), 10, "abc registered with nothing")
    change(double, "relabel_node_silently", node="abc", labels="b")  # no updateNode: no listener fires
    wait_until(lambda: functions_of(farm, "abc_exec-0") == {"build:only-b", "build:only-b:b"}, 10, "drift repaired")


def test_master_that_goes_away_unregisters_its_workers_at_once(one_master):
    double = one_master.doubles["jenkins1"]
    double.kill()
    wait_until(lambda: not function_workers(one_master.server).get("build:anywhere"), 40, "workers unregistered")
    double.start()
    wait_until(lambda: function_workers(one_master.server).get("build:anywhere") == 5, 60, "workers back")
