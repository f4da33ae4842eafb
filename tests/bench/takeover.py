"""Takeover: how long a master goes without an owner when its controller dies.

Two controllers (the default lease, 9 s) share two masters. Ten times: the
owner of jenkins1 is SIGKILLed; measured are the seconds until jenkins1's
agent holds the lease for the other controller, and until that controller's
workers for jenkins1 are registered on gearmand; then the killed controller
starts again, as a standby. Owners are read from the agents' leases.
"""

from __future__ import annotations

import json
import time
from typing import Any

from tests.bench.farm import Farm, function_workers, progress, run_snippet, wait_for
from tests.bench.report import add_distribution

KILLS = 10
EXECUTORS = 2
JOB = "takeover"
LEASE = (
    "def agent = hudson.ExtensionList.lookup(hudson.model.queue.QueueTaskDispatcher)"
    ".find { it.getClass().getName() == 'GearmanJenkinsAgent' && !it.stopped }\n"
    "println groovy.json.JsonOutput.toJson(agent == null ? null : agent.lease.state())"
)


def owner(double) -> str | None:
    lease = json.loads(run_snippet(double, LEASE))
    return lease["owner"] if lease else None


def measure(farm: Farm, kills: int = KILLS) -> dict[str, Any]:
    server = farm.gearmand("gearmand-takeover")
    doubles = {}
    for name in ("jenkins1", "jenkins2"):
        double = farm.double(f"takeover-{name}")
        farm.add_nodes(double, f"{name}-n", 1, EXECUTORS, "linux")
        double.create_job(JOB)
        doubles[name] = double
    controllers = {name: farm.controller(name, server, doubles, controller_name=name) for name in ("ctl-a", "ctl-b")}

    def shared() -> bool:
        held = [owner(d) for d in doubles.values()]
        return None not in held and len(set(held)) == 2

    wait_for(shared, 120, "one master owned by each controller")
    lease_s, workers_s = [], []
    for round_ in range(kills):
        victim = owner(doubles["jenkins1"])
        survivor = ({"ctl-a", "ctl-b"} - {victim}).pop()
        killed_at = time.monotonic()
        controllers[victim].kill()
        wait_for(lambda s=survivor: owner(doubles["jenkins1"]) == s, 60, "the survivor's lease", interval=0.05)
        lease_s.append(time.monotonic() - killed_at)
        wait_for(
            lambda: function_workers(server).get(f"build:{JOB}", 0) >= 2 * EXECUTORS,
            60,
            "the survivor's workers for both masters",
            interval=0.05,
        )
        workers_s.append(time.monotonic() - killed_at)
        progress(f"takeover {round_ + 1}/{kills}: lease {lease_s[-1]:.1f} s, workers {workers_s[-1]:.1f} s")
        controllers[victim].start()  # back: it takes one master from the survivor, over its share
        wait_for(shared, 120, "one master owned by each controller")
    results: dict[str, Any] = {}
    add_distribution(results, "takeover_lease_s", lease_s)
    add_distribution(results, "takeover_workers_s", workers_s)
    return results
