"""Slow faults (make test-faults): a master black-holed for 30 s, 1000 builds on 10 executors.

Besides the usual invariants, the controller's memory must come back to its
idle level once the storm has passed.
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

pytestmark = pytest.mark.faults


def farm_with(farm_factory, server, executors, command, **options):
    farm = farm_factory(server, orphan_grace=10, **options)
    for name, double in farm.doubles.items():
        change(double, "set_builtin_executors", executors=0)
        double.add_node(f"{name}-n", labels="linux", executors=executors)
        double.create_job("work", command=command, label="linux")
    farm.start_controller()
    farm.wait_for_function("build:work:linux", workers=executors * len(farm.doubles))
    return farm


def test_master_blackholed_for_thirty_seconds(farm_factory, gearmand):
    farm = farm_with(farm_factory, gearmand, 3, "sleep 5", event_poll_timeout=5)
    idle = rss_mb(farm.controller.process.pid)
    client = farm.connect_client()
    first = [client.submit("build:work") for _ in range(6)]
    for record in first:
        wait_until(lambda record=record: record.data, 30, "started")
    victim = farm.doubles["jenkins2"]
    victim.pause()  # SIGSTOP: connections stay open, nothing answers
    paused_at = time.monotonic()
    try:
        # Within poll timeout + 5 s the controller notices and unregisters its workers.
        wait_until(
            lambda: (
                function_workers(gearmand).get("stop:jenkins2") is not None
                and function_workers(gearmand).get("build:work:linux", 0) <= 3
            ),
            20,
            "jenkins2 unregistered",
        )
        during = [client.submit("build:work") for _ in range(3)]
        client.wait(during, 60)
        assert {r.data["manager"] for r in during} == {"jenkins1"}
        assert {r.result for r in during} == {"SUCCESS"}
        time.sleep(max(0.0, 30 - (time.monotonic() - paused_at)))  # a full 30 s black hole
    finally:
        victim.resume()
    client.wait(first, 90)
    farm.wait_for_function("build:work:linux", workers=6, timeout=60)
    after = [client.submit("build:work") for _ in range(6)]
    client.wait(after, 90)
    assert {r.result for r in after} == {"SUCCESS"}
    assert_memory_back_to_idle(farm.controller.process.pid, idle)
    builds = jenkins_builds(farm.doubles, ["work"])
    assert_no_unique_id_built_twice(builds)
    assert_no_executor_ran_two_builds(builds, {(n, f"{n}-n"): 3 for n in farm.doubles})


def test_thousand_builds_on_ten_executors(farm_factory, gearmand):
    farm = farm_with(farm_factory, gearmand, 5, "true")
    pid = farm.controller.process.pid
    idle = rss_mb(pid)
    client = farm.connect_client()
    records = [client.submit("build:work", {"N": str(i)}) for i in range(1000)]
    client.wait(records, 600)
    assert {r.result for r in records} == {"SUCCESS"}
    builds = jenkins_builds(farm.doubles, ["work"])
    assert len(builds) == 1000
    assert_no_unique_id_built_twice(builds)
    assert_no_executor_ran_two_builds(builds, {(n, f"{n}-n"): 5 for n in farm.doubles})
    assert_memory_back_to_idle(pid, idle)
