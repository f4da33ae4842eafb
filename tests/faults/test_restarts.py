"""Faults: the controller, a Gearman server or a master dies mid-build.

For each: every client gets an answer, no Gearman unique id produces two
Jenkins builds, and no executor runs two builds at once.
"""

import time

import pytest

from tests.controller.invariants import (
    assert_memory_back_to_idle,
    assert_no_executor_ran_two_builds,
    assert_no_unique_id_built_twice,
    jenkins_builds,
    rss_mb,
)
from tests.controller.jenkins_changes import change
from tests.controller_harness import function_workers, wait_until

BUILD_SECONDS = 6


def full_farm(farm_factory, server, executors_per_master=2, seconds=BUILD_SECONDS, **options):
    """Two masters with one node each; the built-in nodes run nothing."""
    farm = farm_factory(server, orphan_grace=3, **options)
    for name, double in farm.doubles.items():
        change(double, "set_builtin_executors", executors=0)
        double.add_node(f"{name}-n", labels="linux", executors=executors_per_master)
        double.create_job("work", command=f"sleep {seconds}", label="linux")
    return farm


def executors(farm, count):
    return {(name, f"{name}-n"): count for name in farm.doubles}


def start_builds(farm, count):
    farm.start_controller()
    farm.wait_for_function("build:work:linux", workers=sum(executors(farm, 2).values()))
    farm.idle_rss_mb = rss_mb(farm.controller.process.pid)
    client = farm.connect_client()
    records = [client.submit("build:work") for _ in range(count)]
    for record in records:
        wait_until(lambda record=record: record.data, 30, "build started")
    return client, records


def test_controller_killed_mid_build_reattaches_through_gearmand(farm_factory, gearmand):
    """gearmand re-queues the jobs of a dead worker with the same unique id.

    Every executor is busy, so the re-queued jobs wait in gearmand's queue
    past the orphan grace period: the controller must see them there and
    not abort the builds; it re-attaches when executors free up.
    """
    farm = full_farm(farm_factory, gearmand)
    client, records = start_builds(farm, 4)
    farm.controller.kill()
    farm.start_controller()
    client.wait(records, BUILD_SECONDS * 4 + 30)
    assert {r.result for r in records} == {"SUCCESS"}, [r.events for r in records]
    builds = jenkins_builds(farm.doubles, ["work"])
    assert len(builds) == 4
    assert_no_unique_id_built_twice(builds)
    assert_no_executor_ran_two_builds(builds, executors(farm, 2))
    assert "waits in a queue" in farm.controller.log()


def test_controller_killed_mid_build_with_gear_server_aborts_the_orphans(farm_factory, gear_server):
    """gear's server fails the jobs of a dead worker: the clients hear WORK_FAIL at once,
    and the builds left without a Gearman job are aborted after the grace period."""
    farm = full_farm(farm_factory, gear_server, seconds=60)
    client, records = start_builds(farm, 4)
    farm.controller.kill()
    client.wait(records, 30)
    assert {r.kinds()[-1] for r in records} == {"WORK_FAIL"}
    farm.start_controller()
    wait_until(lambda: all(b["result"] for b in jenkins_builds(farm.doubles, ["work"])), 40, "orphans aborted")
    builds = jenkins_builds(farm.doubles, ["work"])
    assert {b["result"] for b in builds} == {"ABORTED"}
    assert_no_unique_id_built_twice(builds)
    number = builds[0]["number"]
    description = change(farm.doubles[builds[0]["master"]], "build_description", job="work", number=number)
    assert "was lost and not handed out again" in description


@pytest.mark.faults
def test_gearmand_restart_while_idle_reregisters(farm_factory, gearmand):
    farm = full_farm(farm_factory, gearmand)
    farm.start_controller()
    farm.wait_for_function("build:work:linux", workers=4)
    gearmand.restart()
    farm.wait_for_function("build:work:linux", workers=4, timeout=20)
    client = farm.connect_client()
    build = client.submit("build:work")
    client.wait([build], BUILD_SECONDS + 30)
    assert build.result == "SUCCESS"


def test_gearmand_restart_mid_build_answers_every_client_and_aborts_orphans(farm_factory, gearmand):
    farm = full_farm(farm_factory, gearmand, seconds=60)
    client, records = start_builds(farm, 3)
    gearmand.restart()  # its queue is in memory: every job is gone
    client.wait(records, 30)
    assert {r.kinds()[-1] for r in records} <= {"DISCONNECT", "WORK_FAIL"}
    wait_until(lambda: all(b["result"] for b in jenkins_builds(farm.doubles, ["work"])), 40, "builds ended")
    builds = jenkins_builds(farm.doubles, ["work"])
    assert {b["result"] for b in builds} == {"ABORTED"}  # orphans: no client is waiting for them
    assert_no_unique_id_built_twice(builds)
    farm.wait_for_function("build:work:linux", workers=4, timeout=20)
    assert_memory_back_to_idle(farm.controller.process.pid, farm.idle_rss_mb)


@pytest.mark.faults
def test_master_restart_mid_build_answers_the_client(farm_factory, gearmand):
    farm = full_farm(farm_factory, gearmand)
    client, records = start_builds(farm, 2)
    victim = records[0].data["manager"]
    farm.doubles[victim].restart()
    client.wait(records, BUILD_SECONDS + 60)
    on_victim = [r for r in records if r.data["manager"] == victim]
    assert all(r.kinds()[-1] in ("WORK_COMPLETE", "WORK_FAIL") for r in on_victim)
    for record in records:
        if record.kinds()[-1] == "WORK_COMPLETE":
            assert record.result in ("SUCCESS", "ABORTED")
    assert_no_unique_id_built_twice(jenkins_builds(farm.doubles, ["work"]))
    # The restarted master serves builds again.
    farm.wait_for_function("build:work:linux", workers=4, timeout=60)
    again = [client.submit("build:work") for _ in range(4)]
    client.wait(again, BUILD_SECONDS * 2 + 30)
    assert {r.result for r in again} == {"SUCCESS"}
    assert_memory_back_to_idle(farm.controller.process.pid, farm.idle_rss_mb)


@pytest.mark.faults
def test_master_down_at_start_joins_when_it_comes_up(farm_factory, gearmand):
    farm = full_farm(farm_factory, gearmand)
    late = farm.doubles["jenkins2"]
    late.stop()
    farm.start_controller()
    farm.wait_for_function("build:work:linux", workers=2)
    assert "jenkins2" in farm.controller.log()
    late.start()
    farm.wait_for_function("build:work:linux", workers=4, timeout=60)
    assert function_workers(farm.server)["stop:jenkins2"] == 1


@pytest.mark.faults
@pytest.mark.parametrize("server_kind", ["gearmand", "gear_server"])
def test_server_restart_with_twenty_builds(request, farm_factory, server_kind):
    server = request.getfixturevalue(server_kind)
    farm = full_farm(farm_factory, server, executors_per_master=10)
    client, records = start_builds(farm, 20)
    server.restart()
    client.wait(records, 60)
    wait_until(lambda: all(b["result"] for b in jenkins_builds(farm.doubles, ["work"])), 60, "builds ended")
    builds = jenkins_builds(farm.doubles, ["work"])
    assert len(builds) == 20
    assert_no_unique_id_built_twice(builds)
    assert_no_executor_ran_two_builds(builds, executors(farm, 10))
    if farm.controller.alive():
        assert_memory_back_to_idle(farm.controller.process.pid, farm.idle_rss_mb)


@pytest.mark.faults
def test_controller_killed_with_twenty_builds_running(farm_factory, gearmand):
    farm = full_farm(farm_factory, gearmand, executors_per_master=10)
    client, records = start_builds(farm, 20)
    farm.controller.kill()
    farm.start_controller()
    client.wait(records, BUILD_SECONDS * 3 + 60)
    assert {r.result for r in records} == {"SUCCESS"}
    builds = jenkins_builds(farm.doubles, ["work"])
    assert len(builds) == 20
    assert_no_unique_id_built_twice(builds)
    assert_no_executor_ran_two_builds(builds, executors(farm, 10))
    if farm.controller.alive():
        assert_memory_back_to_idle(farm.controller.process.pid, farm.idle_rss_mb)


@pytest.mark.faults
def test_master_killed_mid_build_and_restarted(farm_factory, gearmand):
    farm = full_farm(farm_factory, gearmand, executors_per_master=10)
    client, records = start_builds(farm, 20)
    victim = "jenkins2"
    farm.doubles[victim].kill()  # SIGKILL: nothing saved, builds die with the JVM
    farm.doubles[victim].start()
    client.wait(records, BUILD_SECONDS + 90)
    for record in records:
        if record.data["manager"] != victim:
            assert record.result == "SUCCESS"
        else:
            assert record.kinds()[-1] in ("WORK_COMPLETE", "WORK_FAIL")
    assert_no_unique_id_built_twice(jenkins_builds(farm.doubles, ["work"]))
    farm.wait_for_function("build:work:linux", workers=20, timeout=60)
    assert_memory_back_to_idle(farm.controller.process.pid, farm.idle_rss_mb)


@pytest.mark.faults
def test_orphans_are_aborted_although_their_master_drops_out_during_sweeps(farm_factory, gear_server):
    """gear's server forgets the jobs of a killed controller: the restarted one finds their builds running and,
    after the grace period, aborts them as orphans, even while its connection to their master comes and goes."""
    farm = farm_factory(gear_server, masters=1, orphan_grace=2)
    double = farm.doubles["jenkins1"]
    change(double, "set_builtin_executors", executors=0)
    double.add_node("jenkins1-n", labels="linux", executors=2)
    double.create_job("work", command="sleep 60", label="linux")
    proxy = farm.proxy("jenkins1")
    farm.start_controller()
    farm.wait_for_function("build:work:linux", workers=2)
    client = farm.connect_client()
    records = [client.submit("build:work") for _ in range(2)]
    for record in records:
        wait_until(lambda record=record: record.data, 30, "build started")
    farm.controller.kill()
    client.wait(records, 30)
    farm.start_controller()
    wait_until(lambda: "has no Gearman job yet" in farm.controller.log(), 30, "the builds adopted")

    for _ in range(4):  # the orphans fall due while the master is cut off and back, and again
        proxy.cut()
        time.sleep(1.5)
        proxy.heal()
        time.sleep(1.5)

    wait_until(lambda: all(b["result"] for b in jenkins_builds(farm.doubles, ["work"])), 60, "orphans aborted")
    builds = jenkins_builds(farm.doubles, ["work"])
    assert {b["result"] for b in builds} == {"ABORTED"}
    for build in builds:
        description = change(double, "build_description", job="work", number=build["number"])
        assert "was lost and not handed out again" in description
