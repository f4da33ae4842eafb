"""A Zuul-v2-style client runs 100 builds across two masters (issue: controller, done-when)."""

import random

from tests.controller.invariants import (
    assert_no_executor_ran_two_builds,
    assert_no_unique_id_built_twice,
    jenkins_builds,
)
from tests.controller.jenkins_changes import change
from tests.controller_harness import wait_until


def test_hundred_builds_across_two_masters(farm):
    executors = {}
    for name, double in farm.doubles.items():
        change(double, "set_builtin_executors", executors=0)
        double.add_node(f"{name}-a", labels="linux", executors=3)
        double.add_node(f"{name}-b", labels="linux", executors=2)
        executors.update({(name, f"{name}-a"): 3, (name, f"{name}-b"): 2})
        double.create_job("ok", command="sleep 0.$((RANDOM % 5))", label="linux")
        double.create_job("broken", command="exit 1", label="linux")
        double.create_job("long", command="sleep 30", label="linux")
    farm.start_controller()
    farm.wait_for_function("build:ok:linux", workers=10)
    client = farm.connect_client()
    plan = ["ok"] * 80 + ["broken"] * 15 + ["long"] * 5
    random.Random(7).shuffle(plan)
    records = [(job, client.submit(f"build:{job}", {"ZUUL_UUID": str(i)})) for i, job in enumerate(plan)]
    long_ones = [r for job, r in records if job == "long"]
    for record in long_ones:
        data = wait_until(lambda record=record: record.data, 120, "long build started")
        # Zuul reads the estimate from WORK_STATUS and cancels through stop:{manager}.
        assert any(kind == "WORK_STATUS" for kind, _ in record.events)
        client.stop(data["manager"], data["name"], data["number"])
    client.wait([r for _, r in records], timeout=240)
    expected = {"ok": "SUCCESS", "broken": "FAILURE", "long": "ABORTED"}
    for job, record in records:
        assert record.kinds()[0] == "WORK_DATA", (job, record.events)
        assert record.kinds()[-1] == "WORK_COMPLETE"
        assert record.result == expected[job], (job, record.events)
        assert record.data["name"] == job
        assert record.completion["number"] == record.data["number"]
    managers = {r.data["manager"] for _, r in records}
    assert managers == {"jenkins1", "jenkins2"}
    builds = jenkins_builds(farm.doubles, ["ok", "broken", "long"])
    assert len(builds) == 100
    assert_no_unique_id_built_twice(builds)
    assert_no_executor_ran_two_builds(builds, executors)
