"""A farm-sized level: 10 masters, 1,000 executors, 2,000 jobs, 300 functions per worker.

Each double has 10 nodes of 10 executors (labels ``linux pool0`` and
``linux pool1``, alternating) and 200 jobs without builders: 100 labelled
``linux``, 50 ``pool0`` and 50 ``pool1``. Every executor worker so registers
300 functions (``build:JOB`` and ``build:JOB:LABEL``, docs/contract.md), and
the farm 300,000 registrations. Registered means: gearmand's ``status``
shows exactly the expected worker count for every ``build:`` function
(polled every POLL_S, the resolution of every registration time here).

- floor: a bare client opens 1,000 connections to a fresh gearmand and
  writes the same CAN_DO packets on each, one write per connection.
- the controller's first start (it installs the agent in ten masters) and a
  restart with the agents in place (what a restart, or a standby taking the
  masters over, costs): seconds from starting the process to registered,
  the CPU it used by then, then RSS, threads and idle CPU.
- packets: a restart through a proxy that counts the registration packets
  on the wire (tests/bench/packet_count.py); then one job added to one
  master and one node relabelled, each against the packets that change
  needs (CAN_DO of what was added, CANT_DO of what was removed, nothing
  else: any other registration packet is "extra").
- the masters' cost: one master's CPU under the same native load (one build
  of each of 100 jobs through python-jenkins ``build_job``, as a client
  without this project starts them) and idle, without the agent (before the
  controller ever ran) and with it and the controller's workers in place.
"""

from __future__ import annotations

import collections
import socket
import struct
import time
from collections.abc import Callable
from typing import Any

from gear import constants

from tests.bench.farm import (
    CREATE_JOBS,
    RELABEL_ONE,
    BenchGearmand,
    Farm,
    cpu_pct,
    cpu_seconds,
    function_workers,
    process_status,
    progress,
    run_snippet,
    wait_for,
)
from tests.bench.packet_count import CountingProxy

MASTERS = 10
NODES = 10
EXECUTORS = 10
POOLS = ("pool0", "pool1")
JOBS_PER_LABEL = {"linux": 100, "pool0": 50, "pool1": 50}
NATIVE_JOBS = 100  # of the "linux" jobs of the first master
POLL_S = 0.1
SETTLE_S = 3.0  # after a change is registered: time for packets the change should not cause
CPU_WINDOW_S = 10.0
TIMEOUT = 900.0
IDLE = "println(j.getQueue().getItems().length + j.getComputers().sum { it.countBusy() })"

Jobs = list[tuple[str, str]]


def master_name(index: int) -> str:
    return f"farm{index}"


def node_labels(node: int) -> str:
    """Nodes m{M}-pool0-0.. come first, then m{M}-pool1-0.. (as Farm.add_nodes names them)."""
    return f"linux {POOLS[node * len(POOLS) // NODES]}"


def jobs_of(master: int) -> Jobs:
    return [(f"m{master}-{label}-{k:03d}", label) for label, count in JOBS_PER_LABEL.items() for k in range(count)]


def node_functions(labels: str, jobs: Jobs) -> set[str]:
    """What one executor of a node with these labels registers (jobs with one atom as label)."""
    atoms = set(labels.split())
    return {f for name, label in jobs if label in atoms for f in (f"build:{name}", f"build:{name}:{label}")}


def expected_workers(labels: dict[int, list[str]], jobs: dict[int, Jobs]) -> dict[str, int]:
    counts: collections.Counter[str] = collections.Counter()
    for master, node_label_list in labels.items():
        for node in node_label_list:
            for function in node_functions(node, jobs[master]):
                counts[function] += EXECUTORS
    return dict(counts)


def registered(server: BenchGearmand, expected: dict[str, int]) -> bool:
    workers = function_workers(server)
    return {f: n for f, n in workers.items() if f.startswith("build:") and n} == expected


def _packet(kind: int, body: str) -> bytes:
    data = body.encode()
    return b"\0REQ" + struct.pack("!II", kind, len(data)) + data


def floor_register_s(server: BenchGearmand, per_worker: list[set[str]], expected: dict[str, int]) -> float:
    sockets = []
    started = time.monotonic()
    try:
        for index, functions in enumerate(per_worker):
            sock = socket.create_connection((server.host, server.port))
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            packets = [_packet(constants.SET_CLIENT_ID, f"floor-{index}")]
            sock.sendall(b"".join(packets + [_packet(constants.CAN_DO, f) for f in sorted(functions)]))
            sockets.append(sock)
        wait_for(lambda: registered(server, expected), TIMEOUT, "the floor's registrations", interval=POLL_S)
        return time.monotonic() - started
    finally:
        for sock in sockets:
            sock.close()


def native_load(double) -> dict[str, float]:
    """The master's CPU ms per native build, and its idle CPU in % of one core."""
    client = double.client()
    jobs = [name for name, label in jobs_of(0) if label == "linux"][:NATIVE_JOBS]
    client.get_info()
    before = cpu_seconds(double.pid)
    for job in jobs:
        client.build_job(job)
    wait_for(lambda: run_snippet(double, IDLE) == "0", TIMEOUT, f"{len(jobs)} native builds to finish", interval=0.2)
    per_build_ms = (cpu_seconds(double.pid) - before) / len(jobs) * 1000
    time.sleep(2.0)
    return {"cpu_ms_per_build": per_build_ms, "idle_cpu_pct": cpu_pct(double.pid, CPU_WINDOW_S)}


def measure(farm: Farm) -> dict[str, Any]:
    results: dict[str, Any] = {}
    labels = {m: [node_labels(n) for n in range(NODES)] for m in range(MASTERS)}
    jobs = {m: jobs_of(m) for m in range(MASTERS)}
    expected = expected_workers(labels, jobs)
    per_worker = [node_functions(node, jobs[m]) for m in labels for node in labels[m] for _ in range(EXECUTORS)]
    registrations = sum(len(f) for f in per_worker)
    progress(
        f"farm: {MASTERS} masters, {len(per_worker)} executors, {sum(len(j) for j in jobs.values())} jobs, "
        f"{len(expected)} functions, {registrations} registrations"
    )

    floor_server = farm.gearmand("gearmand-floor")
    results["farm_floor_register_s"] = floor_register_s(floor_server, per_worker, expected)
    progress(f"farm: floor {results['farm_floor_register_s']:.2f} s")
    farm.stop(floor_server)

    server = farm.gearmand("gearmand")
    doubles = {}
    for m in range(MASTERS):
        double = farm.double(master_name(m))
        for pool in POOLS:
            farm.add_nodes(double, f"m{m}-{pool}-", NODES // len(POOLS), EXECUTORS, f"linux {pool}")
        run_snippet(double, CREATE_JOBS, jobs=[list(job) for job in jobs[m]])
        doubles[master_name(m)] = double
    progress("farm: doubles filled; the first master's native load without the agent")
    without = native_load(doubles[master_name(0)])

    def start(name: str, through) -> tuple[Any, float, float]:
        began = time.monotonic()
        controller = farm.controller(name, through, doubles)
        wait_for(
            lambda: registered(server, expected) or not controller.alive(),
            TIMEOUT,
            f"{name}: {registrations} registrations",
            interval=POLL_S,
        )
        if not controller.alive():
            raise RuntimeError(f"{name} exited; log tail:\n{controller.log()[-3000:]}")
        return controller, time.monotonic() - began, cpu_seconds(controller.process.pid)

    controller, results["farm_install_register_s"], _cpu = start("controller-first", server)
    progress(f"farm: first start (agent installed in {MASTERS} masters) {results['farm_install_register_s']:.1f} s")
    farm.stop(controller)
    wait_for(lambda: registered(server, {}), 120, "the first controller's workers to go")

    controller, results["farm_register_s"], results["farm_register_cpu_s"] = start("controller", server)
    results["farm_register_ratio"] = results["farm_register_s"] / results["farm_floor_register_s"]
    progress(f"farm: restart {results['farm_register_s']:.1f} s ({results['farm_register_ratio']:.2f}x the floor)")
    time.sleep(5.0)
    status = process_status(controller.process.pid)
    results["farm_idle_cpu_pct"] = cpu_pct(controller.process.pid, CPU_WINDOW_S)
    results["farm_rss_mb"] = status["rss_mb"]
    results["farm_threads"] = int(status["threads"])
    with_agent = native_load(doubles[master_name(0)])
    for key in ("cpu_ms_per_build", "idle_cpu_pct"):
        results[f"farm_master_{key}_no_agent"] = without[key]
        results[f"farm_master_{key}_agent"] = with_agent[key]
    progress(
        f"farm: master CPU per native build {without['cpu_ms_per_build']:.1f} ms without the agent, "
        f"{with_agent['cpu_ms_per_build']:.1f} ms with it"
    )
    farm.stop(controller)
    wait_for(lambda: registered(server, {}), 120, "the controller's workers to go")

    proxy = farm.counting_proxy(server)
    controller, _took, _cpu = start("controller-counted", proxy)
    time.sleep(SETTLE_S)
    counted = proxy.counts()
    results["farm_register_can_do"] = counted["CAN_DO"]
    results["farm_register_can_do_needed"] = registrations
    progress(f"farm: registration sent {counted['CAN_DO']} CAN_DO for {registrations} registrations")

    first = doubles[master_name(0)]
    added = ("m0-added", "pool0")
    jobs[0].append(added)
    results.update(
        change_packets(
            "job_added",
            proxy,
            server,
            expected_workers(labels, jobs),
            lambda: run_snippet(first, CREATE_JOBS, jobs=[list(added)]),
            gained=EXECUTORS * sum(len(node_functions(node, [added])) for node in labels[0]),
            removed=0,
        )
    )
    old = labels[0][0]
    labels[0][0] = "linux pool1"
    results.update(
        change_packets(
            "relabel",
            proxy,
            server,
            expected_workers(labels, jobs),
            lambda: run_snippet(first, RELABEL_ONE, node="m0-pool0-0", labels=labels[0][0]),
            gained=EXECUTORS * len(node_functions(labels[0][0], jobs[0]) - node_functions(old, jobs[0])),
            removed=EXECUTORS * len(node_functions(old, jobs[0]) - node_functions(labels[0][0], jobs[0])),
        )
    )
    return results


def change_packets(
    name: str,
    proxy: CountingProxy,
    server: BenchGearmand,
    expected: dict[str, int],
    make_change: Callable[[], Any],
    gained: int,
    removed: int,
) -> dict[str, Any]:
    """Registration packets one change sent, against the CAN_DO and CANT_DO it needs."""
    before = proxy.counts()
    make_change()
    took = wait_for(lambda: registered(server, expected), 120, f"{name}: the changed functions", interval=POLL_S)
    time.sleep(SETTLE_S)
    after = proxy.counts()
    sent = {key: after[key] - before[key] for key in after}
    extra = abs(sent["CAN_DO"] - gained) + abs(sent["CANT_DO"] - removed) + sent["RESET_ABILITIES"]
    progress(
        f"farm: {name}: {sent['CAN_DO']} CAN_DO (needed {gained}), {sent['CANT_DO']} CANT_DO (needed {removed}), "
        f"{sent['RESET_ABILITIES']} RESET_ABILITIES; registered after {took:.2f} s"
    )
    return {
        f"farm_{name}_can_do": sent["CAN_DO"],
        f"farm_{name}_can_do_needed": gained,
        f"farm_{name}_cant_do": sent["CANT_DO"],
        f"farm_{name}_cant_do_needed": removed,
        f"farm_{name}_extra_packets": extra,
        f"farm_{name}_s": took,
    }
