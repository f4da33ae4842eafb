"""The idle controller's cost per executor, and re-registration after a label change.

One level = a fresh gearmand, two fresh doubles with N/2 executors each
(nodes of 10 executors, labels ``linux old``, added by one script per
double), four jobs (two without a label, ``on-old`` labelled ``old``,
``on-new`` labelled ``new``), and the controller. Once gearmand's
``status`` shows all N workers for both ``build:any-1`` and
``build:on-old:old``, wait 5 s, read VmRSS and Threads, then utime+stime
over 10 s (CPU in % of one core).

Re-registration: one script per double (sent at the same time) relabels
every node ``linux new``, so each worker drops ``build:on-old`` and
``build:on-old:old`` and gains ``build:on-new`` and ``build:on-new:new``;
timed from sending the scripts to gearmand showing N workers on the new
functions and none on the old ones.
"""

from __future__ import annotations

import concurrent.futures
import time
from typing import Any

from tests.bench.farm import (
    RELABEL_ALL,
    Farm,
    cpu_pct,
    function_workers,
    process_status,
    progress,
    run_snippet,
    wait_for,
)

EXECUTORS_PER_NODE = 10
JOBS = [("any-1", None), ("any-2", None), ("on-old", "old"), ("on-new", "new")]
SETTLE_S = 5.0
CPU_WINDOW_S = 10.0
REGISTER_TIMEOUT = 600.0


def _counts(server, *functions: str) -> list[int]:
    workers = function_workers(server)
    return [workers.get(f, 0) for f in functions]


def measure_level(farm: Farm, executors: int, reregister: bool) -> dict[str, Any]:
    nodes = executors // 2 // EXECUTORS_PER_NODE
    result: dict[str, Any] = {}
    server = farm.gearmand("gearmand")
    doubles = {}
    for index in (1, 2):
        name = f"jenkins{index}"
        double = farm.double(name)
        farm.add_nodes(double, f"{name}-agent", nodes, EXECUTORS_PER_NODE, "linux old")
        for job, label in JOBS:
            double.create_job(job, label=label)
        doubles[name] = double
    progress(f"scale {executors}: 2 doubles x {nodes} nodes x {EXECUTORS_PER_NODE} executors; starting the controller")
    started = time.monotonic()
    controller = farm.controller("controller", server, doubles)
    pid = controller.process.pid
    wait_for(
        lambda: _counts(server, "build:any-1", "build:on-old:old") == [executors, executors] or not controller.alive(),
        REGISTER_TIMEOUT,
        f"{executors} workers registered",
        interval=0.2,
    )
    if not controller.alive():
        raise RuntimeError(f"the controller exited; log tail:\n{controller.log()[-3000:]}")
    result[f"register_s_{executors}"] = time.monotonic() - started
    progress(f"scale {executors}: all workers registered after {result[f'register_s_{executors}']:.1f} s; idle")
    time.sleep(SETTLE_S)
    status = process_status(pid)
    idle_cpu = cpu_pct(pid, CPU_WINDOW_S)
    result[f"rss_mb_{executors}"] = status["rss_mb"]
    result[f"rss_peak_mb_{executors}"] = status["rss_peak_mb"]
    result[f"threads_{executors}"] = int(status["threads"])
    result[f"idle_cpu_pct_{executors}"] = idle_cpu
    progress(
        f"scale {executors}: RSS {status['rss_mb']:.0f} MiB, {int(status['threads'])} threads, "
        f"idle CPU {result[f'idle_cpu_pct_{executors}']:.1f} %"
    )
    if reregister:
        result.update(relabel(server, doubles, executors))
    stop_started = time.monotonic()
    farm.stop(controller)
    progress(f"scale {executors}: controller stopped in {time.monotonic() - stop_started:.1f} s")
    for double in doubles.values():
        farm.stop(double)
    farm.stop(server)
    return result


def relabel(server, doubles: dict, executors: int) -> dict[str, Any]:
    new = ["build:on-new", "build:on-new:new", "build:on-old", "build:on-old:old"]
    progress(f"re-register: relabelling every node of both doubles (old -> new), {executors} workers")
    with concurrent.futures.ThreadPoolExecutor(len(doubles)) as pool:
        sent = time.perf_counter()
        scripts = [pool.submit(_timed_relabel, double, sent) for double in doubles.values()]
        wait_for(
            lambda: _counts(server, *new) == [executors, executors, 0, 0],
            300,
            f"{executors} workers with the new function set",
        )
        total = time.perf_counter() - sent
        script_s = max(f.result() for f in scripts)
    progress(f"re-register: {total:.2f} s (the relabel scripts themselves took {script_s:.2f} s)")
    # The scripts' own time is the masters' (250 updateNode calls each); what follows is the controller's.
    return {
        f"reregister_s_{executors}": total,
        f"relabel_script_s_{executors}": script_s,
        f"reregister_after_script_s_{executors}": total - script_s,
    }


def _timed_relabel(double, sent: float) -> float:
    run_snippet(double, RELABEL_ALL, labels="linux new")
    return time.perf_counter() - sent
