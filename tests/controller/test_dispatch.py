"""Gearman build: jobs dispatched by the controller onto two Jenkins masters."""

import json
import socket
import urllib.request

from tests.controller.jenkins_changes import change
from tests.controller_harness import wait_until, worker_functions


def test_builds_run_and_report_start_and_result(farm):
    for name, double in farm.doubles.items():
        double.add_node(f"{name}-n1", labels="linux", executors=2)
        double.create_job("pass", command="exit 0")
        double.create_job("fail", command="exit 3")
    farm.start_controller()
    farm.wait_for_function("build:pass", workers=8)
    client = farm.connect_client()
    passing = [client.submit("build:pass", {"X": str(i)}) for i in range(6)]
    failing = [client.submit("build:fail") for _ in range(2)]
    client.wait(passing + failing, timeout=60)
    for record in passing + failing:
        assert record.kinds()[:2] == ["WORK_DATA", "WORK_STATUS"], record.events
        assert record.kinds()[-1] == "WORK_COMPLETE"
        data = record.data
        assert data["manager"] in farm.doubles
        assert isinstance(data["number"], int)
        assert data["url"] == f"{farm.doubles[data['manager']].url}job/{data['name']}/{data['number']}/"
    assert {r.result for r in passing} == {"SUCCESS"}
    assert {r.result for r in failing} == {"FAILURE"}
    assert {r.data["manager"] for r in passing + failing} == {"jenkins1", "jenkins2"}


def test_workers_register_per_executor_with_manager_workers(farm):
    double = farm.doubles["jenkins1"]
    double.add_node("precise-123", labels="precise", executors=2)
    double.create_job("pep8", command="true", label="precise || oneiric")
    farm.start_controller()
    farm.wait_for_function("build:pep8:precise", workers=2)
    managers = {"jenkins1_manager", "jenkins2_manager"}  # registered once the controller owns the masters
    workers = wait_until(lambda: (w := worker_functions(farm.server)) and managers <= w.keys() and w, message="workers")
    assert workers["precise-123_exec-0"] == {"build:pep8", "build:pep8:precise"}
    assert workers["precise-123_exec-1"] == {"build:pep8", "build:pep8:precise"}
    assert workers["jenkins1_manager"] == {"stop:jenkins1", "set_description:jenkins1"}
    assert workers["jenkins2_manager"] == {"stop:jenkins2", "set_description:jenkins2"}


def test_metrics_count_builds_and_show_executors(farm_factory, gearmand):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    farm = farm_factory(gearmand, masters=1, metrics_port=port)
    double = farm.doubles["jenkins1"]
    double.create_job("pass", command="true")
    farm.start_controller()
    farm.wait_for_function("build:pass", workers=2)
    client = farm.connect_client()
    builds = [client.submit("build:pass") for _ in range(3)]
    client.wait(builds, 30)

    def scrape():
        return urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5).read().decode()

    text = wait_until(lambda: 'result="SUCCESS"} 3' in scrape() and scrape(), 10, "three completions counted")
    assert 'gearman_jenkins_builds_completed_total{master="jenkins1",result="SUCCESS"} 3' in text
    assert 'gearman_jenkins_master_up{master="jenkins1"} 1' in text
    assert 'gearman_jenkins_executors{master="jenkins1",state="idle"} 2' in text
    assert "# TYPE gearman_jenkins_grabs_total counter" in text


def test_no_completion_is_lost_when_inventories_come_often(farm_factory, gearmand):
    # Each periodic inventory lands between event polls; events in between
    # must still be delivered (they once were skipped: builds never answered).
    farm = farm_factory(gearmand, masters=1, inventory_interval=1)
    farm.doubles["jenkins1"].create_job("zero")
    farm.start_controller()
    farm.wait_for_function("build:zero", workers=2)
    client = farm.connect_client()
    records = [client.submit("build:zero") for _ in range(150)]
    client.wait(records, 120)
    assert {r.result for r in records} == {"SUCCESS"}


def test_workers_woken_without_work_hear_of_later_work(farm_factory, gearmand):
    # gearmand NOOPs a worker once until it grabs again. A wave of single jobs
    # wakes every worker and most get nothing; later bursts must still reach
    # all of them, not only the few that grabbed last.
    farm = farm_factory(gearmand, masters=1)
    double = farm.doubles["jenkins1"]
    change(double, "set_builtin_executors", executors=0)
    double.add_node("a", labels="linux", executors=2)
    double.add_node("b", labels="linux", executors=2)
    double.create_job("work", command="sleep 0.5", label="linux")
    farm.start_controller()
    farm.wait_for_function("build:work", workers=4)
    client = farm.connect_client()
    for _ in range(10):
        single = client.submit("build:work")
        client.wait([single], 30)
    burst = [client.submit("build:work") for _ in range(16)]
    client.wait(burst, 60)
    assert {r.result for r in burst} == {"SUCCESS"}
    assert {r.data["worker"] for r in burst} == {"a_exec-0", "a_exec-1", "b_exec-0", "b_exec-1"}


def test_a_build_repeated_by_hand_with_a_gearman_uuid_is_left_alone(farm_factory, gearmand):
    # The Rebuild plugin copies parameters and causes, GEARMAN_UUID and the gearman
    # RemoteCause included, possibly of a build too old for anyone to remember: that
    # build is not a Gearman build. A controller that starts meanwhile (and adopts the
    # Gearman builds it finds running) must not take it on and abort it as an orphan.
    farm = farm_factory(gearmand, masters=1, orphan_grace=1)
    double = farm.doubles["jenkins1"]
    double.create_job("slow", command="sleep 8")
    farm.start_controller()
    farm.wait_for_function("build:slow", workers=2)
    change(double, "rebuild_by_hand", job="slow", uuid="from-a-build-long-forgotten")
    wait_until(lambda: json.loads(change(double, "builds_of", job="slow")), 10, "the copy to start")
    farm.controller.stop()
    farm.start_controller()
    farm.wait_for_function("build:slow", workers=2)

    done = wait_until(
        lambda: [b for b in json.loads(change(double, "builds_of", job="slow")) if b["result"]], 30, "the build done"
    )
    assert [b["result"] for b in done] == ["SUCCESS"]
    assert "from-a-build-long-forgotten" not in farm.controller.log()


def test_builds_spread_over_idle_nodes_instead_of_piling_up(farm_factory, gearmand):
    # The Gearman server wakes every worker and would give jobs to whichever
    # grabs first; plugin users saw builds pile onto a few nodes.
    farm = farm_factory(gearmand, masters=1)
    double = farm.doubles["jenkins1"]
    change(double, "set_builtin_executors", executors=0)
    for node in ("a", "b", "c", "d"):
        double.add_node(node, labels="linux", executors=3)
    double.create_job("work", command="sleep 3", label="linux")
    farm.start_controller()
    farm.wait_for_function("build:work", workers=12)
    client = farm.connect_client()
    builds = [client.submit("build:work") for _ in range(4)]
    client.wait(builds, 60)
    assert sorted(r.data["node_name"] for r in builds) == ["a", "b", "c", "d"]
