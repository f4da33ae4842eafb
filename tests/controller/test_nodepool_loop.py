"""Nodepool's loop through the controller: one single-use node per build, made and removed over REST.

What Nodepool v0 did with python-jenkins and the gearman-plugin, cycle after
cycle: ``create_node`` adds an exclusive DumbSlave with a label of its own,
its executor's worker registers, Zuul's build (``OFFLINE_NODE_WHEN_COMPLETE``)
runs on it through Gearman, the node is taken offline before WORK_COMPLETE
so that nothing else runs there, and ``delete_node`` removes it. A
controller that serves such a farm for months must come out of every cycle
as it went in: no worker left behind (gearmand's ``workers``), no state kept
for a worker that is gone (the SIGUSR1 dump), no thread more, no memory
kept. Five cycles run in ``make test``; fifty (about 15 s on an idle
machine, a minute on a loaded one) in ``make test-faults``.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import time
import uuid

import pytest

from controller.masters.session import IN_FLIGHT
from controller.ownership.membership import CLIENT_PREFIX
from tests.controller.invariants import rss_mb
from tests.controller.jenkins_changes import change
from tests.controller_harness import function_workers, wait_until, worker_functions
from tests.double.test_rest_nodes import nodepool_create

JOB = "nodepool-job"
FUNCTIONS = {f"build:{JOB}", f"build:{JOB}:single-use"}
WITHIN = 2.5  # the contract's 2 s for function sets, plus the admin polling
RSS_SLACK_MB = 10.0
# Threads by design, however many cycles: the main one; the master's event thread and up to
# IN_FLIGHT threads sending its batches; asyncio's default executor (getaddrinfo, admin queries).
THREADS_AT_MOST = 1 + 1 + IN_FLIGHT + min(32, (os.cpu_count() or 1) + 4)


def threads(pid: int) -> int:
    with open(f"/proc/{pid}/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("Threads:"))


def cycle(farm, jenkins, client, index: int) -> None:
    """One node: created, built on once through Gearman, taken offline by the build, deleted."""
    node = f"np-{index}"
    worker = f"{node}_exec-0"
    nodepool_create(jenkins, farm.doubles["jenkins1"], node, f"single-use {node}-label")
    wait_until(lambda: worker_functions(farm.server).get(worker) == FUNCTIONS, WITHIN, f"{worker} to register")
    unique = uuid.uuid4().hex
    record = client.submit(f"build:{JOB}:single-use", {"OFFLINE_NODE_WHEN_COMPLETE": "true"}, unique=unique)
    client.wait([record], 30)
    # Asked as soon as WORK_COMPLETE is here: the node went offline before it was sent.
    info = jenkins.get_node_info(node)
    assert record.result == "SUCCESS", record.events
    assert record.completion["node_name"] == node
    assert info["temporarilyOffline"] is True and unique in info["offlineCauseReason"], info
    jenkins.delete_node(node)
    wait_until(lambda: worker not in worker_functions(farm.server), WITHIN, f"{worker} to go away")


def state_counts(controller) -> str:
    """The SIGUSR1 dump's line counting workers and the grab states kept for them."""
    before = controller.log().count("executor workers (")
    controller.process.send_signal(signal.SIGUSR1)
    wait_until(lambda: controller.log().count("executor workers (") > before, 10, "the SIGUSR1 state dump")
    return re.findall(r"state: (\d+ executor workers .*)", controller.log())[-1]


@pytest.mark.parametrize("cycles", [5, pytest.param(50, marks=pytest.mark.faults)])
def test_nodepool_cycles_leave_no_worker_state_thread_or_memory_behind(farm_factory, gearmand, cycles):
    farm = farm_factory(gearmand, masters=1)
    double = farm.doubles["jenkins1"]
    double.set_quiet_period(0)
    change(double, "set_builtin_executors", executors=0)
    double.create_job(JOB, command='echo "on $NODE_NAME"', label="single-use")
    controller = farm.start_controller()
    farm.wait_for_function("stop:jenkins1")
    jenkins = double.client()
    client = farm.connect_client()
    pid = controller.process.pid
    cycle(farm, jenkins, client, 0)  # warms up what is made once: imports, thread pools, caches
    time.sleep(1)
    idle_rss, idle_threads, idle_workers = rss_mb(pid), threads(pid), set(worker_functions(farm.server))

    started = time.monotonic()
    for index in range(1, cycles + 1):
        cycle(farm, jenkins, client, index)
    elapsed = time.monotonic() - started
    time.sleep(1)

    rss, count = rss_mb(pid), threads(pid)
    print(
        f"{cycles} cycles in {elapsed:.1f} s ({elapsed / cycles:.2f} s each); "
        f"RSS {idle_rss:.1f} -> {rss:.1f} MB, threads {idle_threads} -> {count}"
    )
    presence = {f"{CLIENT_PREFIX}{controller_name}" for controller_name in [socket.gethostname()]}
    assert set(worker_functions(farm.server)) == idle_workers == {"jenkins1_manager"} | presence
    assert not any(name.startswith(f"build:{JOB}") for name in function_workers(farm.server))
    assert state_counts(controller) == "0 executor workers (0 retiring), 0 with grab state, 1 management workers"
    assert count <= max(idle_threads, THREADS_AT_MOST), f"threads {idle_threads} -> {count}"
    assert rss < idle_rss + RSS_SLACK_MB, f"controller RSS grew from {idle_rss:.1f} MB to {rss:.1f} MB"
