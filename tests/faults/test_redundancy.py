"""Several controllers: a standby takes over a master, a partition is fenced, masters are shared out.

Who owns a master is read from its agent's lease, and what ran where from
the masters' own build records, never from what a controller believes.
"""

from __future__ import annotations

import time
from collections import Counter

import pytest

from tests.controller.invariants import (
    assert_no_executor_ran_two_builds,
    assert_no_unique_id_built_twice,
    jenkins_builds,
)
from tests.controller.jenkins_changes import change
from tests.controller_harness import wait_until

TAKEOVER_TARGET = 15.0  # seconds from the owner's death to the standby's lease, with the default lease


def farm_of(farm_factory, server, masters=2, executors=2, seconds=5, **options):
    farm = farm_factory(server, masters=masters, orphan_grace=5, **options)
    for name, double in farm.doubles.items():
        change(double, "set_builtin_executors", executors=0)
        double.add_node(f"{name}-n", labels="linux", executors=executors)
        double.create_job("work", command=f"sleep {seconds}", label="linux", concurrent=True)
    return farm


def owners(farm) -> dict[str, str | None]:
    return {master: farm.owner(master) for master in farm.doubles}


def executors(farm, count):
    return {(name, f"{name}-n"): count for name in farm.doubles}


def test_a_standby_owns_a_killed_controllers_master_in_time_and_every_client_is_answered(farm_factory, gearmand):
    farm = farm_of(farm_factory, gearmand)
    for name in ("ctl-a", "ctl-b"):
        farm.start_named_controller(name)
    shared = wait_until(lambda: (o := owners(farm)) and set(o.values()) == {"ctl-a", "ctl-b"} and o, 40, "shared")
    client = farm.connect_client()
    records = [client.submit("build:work") for _ in range(8)]
    for record in records[:4]:
        wait_until(lambda record=record: record.data, 30, "a build started")
    victim = shared["jenkins1"]
    survivor = ({"ctl-a", "ctl-b"} - {victim}).pop()

    farm.named[victim].kill()
    killed_at = time.monotonic()
    wait_until(lambda: farm.owner("jenkins1") == survivor, TAKEOVER_TARGET + 10, "the standby to own jenkins1")
    takeover = time.monotonic() - killed_at

    client.wait(records, 120)
    assert takeover <= TAKEOVER_TARGET, f"took {takeover:.1f} s"
    assert {r.result for r in records} == {"SUCCESS"}, [r.events for r in records]
    builds = jenkins_builds(farm.doubles, ["work"])
    assert len(builds) == 8
    assert_no_unique_id_built_twice(builds)
    assert_no_executor_ran_two_builds(builds, executors(farm, 2))


@pytest.mark.faults
def test_an_owner_cut_off_from_its_master_gives_it_up_and_the_standby_answers_its_clients(farm_factory, gearmand):
    farm = farm_of(farm_factory, gearmand, seconds=25)
    farm.preferences = {"jenkins1": ("ctl-a", "ctl-b")}
    cut = farm.proxy("jenkins1")
    farm.start_named_controller("ctl-a", proxies={"jenkins1": cut})  # reaches jenkins1 through the proxy
    farm.start_named_controller("ctl-b")
    wait_until(lambda: farm.owner("jenkins1") == "ctl-a", 40, "ctl-a to own jenkins1")
    before = farm.lease("jenkins1")["epoch"]
    change(farm.doubles["jenkins2"], "delete_job", job="work")  # every build runs on jenkins1
    client = farm.connect_client()
    records = [client.submit("build:work") for _ in range(2)]
    for record in records:
        wait_until(lambda record=record: record.data, 40, "a build started on jenkins1")

    cut.cut()
    wait_until(lambda: farm.owner("jenkins1") == "ctl-b", TAKEOVER_TARGET + 10, "ctl-b to own jenkins1")
    assert farm.lease("jenkins1")["epoch"] > before
    assert "master jenkins1: this controller no longer owns it" in farm.named["ctl-a"].log()
    cut.heal()  # ctl-a reaches jenkins1 again, and is its preferred owner: it takes it back, a new epoch

    client.wait(records, 90)
    assert {r.result for r in records} == {"SUCCESS"}, [r.events for r in records]
    builds = jenkins_builds({"jenkins1": farm.doubles["jenkins1"]}, ["work"])
    assert len(builds) == 2
    assert_no_unique_id_built_twice(builds)
    assert_no_executor_ran_two_builds(builds, {("jenkins1", "jenkins1-n"): 2})
    wait_until(lambda: farm.owner("jenkins1") == "ctl-a", 40, "ctl-a to own jenkins1 again")


@pytest.mark.faults
def test_three_controllers_own_two_of_six_masters_each_and_a_leaver_moves_only_its_own(farm_factory, gearmand):
    farm = farm_of(farm_factory, gearmand, masters=6, executors=1)
    for name in ("ctl-a", "ctl-b", "ctl-c"):
        farm.start_named_controller(name)
    settled = wait_until(
        lambda: (o := owners(farm)) and sorted(Counter(o.values()).values()) == [2, 2, 2] and None not in o and o,
        90,
        "two masters each",
    )

    farm.named["ctl-c"].stop()  # SIGTERM: it gives its leases back
    moved = wait_until(
        lambda: (o := owners(farm)) and "ctl-c" not in o.values() and None not in o.values() and o,
        60,
        "ctl-c's masters to move",
    )

    assert {m for m in moved if moved[m] != settled[m]} == {m for m, o in settled.items() if o == "ctl-c"}
    assert sorted(Counter(moved.values()).values()) == [3, 3]
