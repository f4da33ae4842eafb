"""At most one build per Gearman unique id across controller restarts (README fault table).

gearmand re-queues the jobs of a worker that went away with the same unique
id, also when their builds finished while no controller was there. A
restarted controller must learn every master's record before it schedules
anything: a build that finished is reported, one that runs is re-attached,
neither starts again. Checked against the masters' own build records.
"""

from __future__ import annotations

import time

import pytest

from tests.controller.invariants import assert_no_unique_id_built_twice, jenkins_builds
from tests.controller.jenkins_changes import change
from tests.controller_harness import wait_until

SHORT = 1
LONG = 12


def two_masters(farm_factory, server, **options):
    """Two masters with three executors on one node each; the built-in nodes run nothing."""
    farm = farm_factory(server, orphan_grace=3, **options)
    for name, double in farm.doubles.items():
        change(double, "set_builtin_executors", executors=0)
        double.add_node(f"{name}-n", labels="linux", executors=3)
        double.create_job("short", command=f"sleep {SHORT}", label="linux", concurrent=True)
        double.create_job("long", command=f"sleep {LONG}", label="linux", concurrent=True)
    return farm


def finished(doubles, job: str, count: int) -> bool:
    builds = jenkins_builds(doubles, [job])
    return len(builds) == count and all(b["result"] for b in builds)


def test_controller_killed_while_builds_finish_reports_them_and_starts_none_again(farm_factory, gearmand):
    farm = two_masters(farm_factory, gearmand)
    farm.start_controller()
    farm.wait_for_function("build:short:linux", workers=6)
    client = farm.connect_client()
    longs = [client.submit("build:long") for _ in range(3)]
    shorts = [client.submit("build:short") for _ in range(3)]
    for record in longs + shorts:
        wait_until(lambda record=record: record.data, 30, "build started")

    farm.controller.kill()
    # The short builds finish while no controller is there; gearmand keeps all six jobs.
    wait_until(lambda: finished(farm.doubles, "short", 3), 30, "the short builds to finish during the outage")
    farm.start_controller()
    client.wait(longs + shorts, LONG + 60)

    assert {r.result for r in shorts + longs} == {"SUCCESS"}, [r.events for r in shorts + longs]
    builds = jenkins_builds(farm.doubles, ["short", "long"])
    assert len(builds) == 6
    assert_no_unique_id_built_twice(builds)
    by_uuid = {b["uuid"]: b for b in builds}
    for record in shorts + longs:
        build = by_uuid[record.unique]
        assert (record.completion["manager"], record.completion["number"]) == (build["master"], build["number"])
    assert "on the record of" in farm.controller.log() or "re-attaching" in farm.controller.log()


@pytest.mark.faults
def test_an_unknown_unique_id_waits_for_a_master_that_was_down_at_start(farm_factory, gearmand):
    farm = two_masters(farm_factory, gearmand, record_wait=120)
    holder = farm.doubles["jenkins2"]
    other = farm.doubles["jenkins1"]
    change(other, "delete_job", job="short")  # only jenkins2 can run it at first
    farm.start_controller()
    farm.wait_for_function("build:short:linux", workers=3)
    client = farm.connect_client()
    record = client.submit("build:short")
    wait_until(lambda: record.data, 30, "build started on jenkins2")
    assert record.data["manager"] == "jenkins2"

    farm.controller.kill()
    wait_until(lambda: finished({"jenkins2": holder}, "short", 1), 30, "the build to finish during the outage")
    holder.stop()
    other.create_job("short", command=f"sleep {SHORT}", label="linux", concurrent=True)
    farm.start_controller()
    # jenkins1 could take the re-delivered job now, but jenkins2 may hold its build: it waits.
    wait_until(lambda: "held: masters jenkins2" in farm.controller.log(), 30, "the job to be held")
    time.sleep(3)
    assert jenkins_builds({"jenkins1": other}, ["short"]) == []

    holder.start()  # without its agent: the controller installs it, the agent rebuilds its record
    client.wait([record], 60)

    assert record.result == "SUCCESS"
    assert record.completion["manager"] == "jenkins2"
    builds = jenkins_builds(farm.doubles, ["short"])
    assert len(builds) == 1
    assert_no_unique_id_built_twice(builds)


def test_a_master_down_longer_than_record_wait_no_longer_holds_unknown_ids(farm_factory, gearmand):
    """The residual window the README's fault table gives: past record_wait the build runs elsewhere."""
    wait = 5
    farm = two_masters(farm_factory, gearmand, record_wait=wait)
    farm.doubles["jenkins2"].stop()
    started = time.monotonic()
    farm.start_controller()
    farm.wait_for_function("build:short:linux", workers=3)
    client = farm.connect_client()
    record = client.submit("build:short")

    client.wait([record], wait + 30)

    assert record.result == "SUCCESS"
    assert record.completion["manager"] == "jenkins1"
    assert time.monotonic() - started >= wait
    assert "have not sent their record of Gearman builds within" in farm.controller.log()
