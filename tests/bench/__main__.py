"""``python -m tests.bench [--quick] [--duration S]``: run every phase, print the table, write the JSON.

Each phase gets its own processes (a ``Farm`` in its own directory, closed
when the phase ends, whether it worked or not), so one failing phase
neither loads the machine during the next nor stops the run: its error is
printed, recorded under ``errors`` in the JSON, and the exit status is 1.
Missed targets are results, not errors.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.bench import agent_cost, farm_scale, floor, latency, scale, takeover, throughput
from tests.bench.clients import TimedClient
from tests.bench.farm import Farm, function_workers, progress, raise_own_file_limit, wait_for
from tests.bench.report import add_distribution, environment, table, verdicts
from tests.ports import free_port

NODES_PER_MASTER = 5
EXECUTORS_PER_NODE = 5  # 2 masters x 25 executors for the throughput run
ZERO_JOB = "zero"  # no builders, no label: on both doubles
LATENCY_JOB = "latency"  # no builders, no label: on jenkins1 only


def dispatch_phase(farm: Farm, args: argparse.Namespace, results: dict[str, Any]) -> None:
    server = farm.gearmand("gearmand")
    progress(f"gearmand on {server.address}")
    add_distribution(results, "floor_rtt_ms", floor.measure(server, args.floor_samples))

    progress(f"starting 2 doubles, {NODES_PER_MASTER} nodes x {EXECUTORS_PER_NODE} executors each")
    doubles = {}
    for name in ("jenkins1", "jenkins2"):
        double = farm.double(name)
        farm.add_nodes(double, f"{name}-agent", NODES_PER_MASTER, EXECUTORS_PER_NODE, "linux")
        double.create_job(ZERO_JOB)
        doubles[name] = double
    doubles["jenkins1"].create_job(LATENCY_JOB)
    # Before the controller first runs: no agent in the master yet.
    add_distribution(results, "direct_start_ms", latency.direct(doubles["jenkins1"], LATENCY_JOB, args.samples))
    add_distribution(
        results, "one_request_start_ms", latency.one_request(doubles["jenkins1"], LATENCY_JOB, args.samples)
    )

    metrics_port = free_port()
    farm.controller("controller", server, doubles, metrics_port=metrics_port)
    executors = 2 * NODES_PER_MASTER * EXECUTORS_PER_NODE
    wait_for(
        lambda: function_workers(server).get(f"build:{ZERO_JOB}", 0) == executors,
        120,
        f"{executors} workers for build:{ZERO_JOB}",
        interval=0.2,
    )
    progress(f"controller: {executors} workers registered")
    client = TimedClient(server)
    try:
        started, completed = latency.dispatch(client, LATENCY_JOB, args.samples)
    finally:
        client.shutdown()
    add_distribution(results, "dispatch_start_ms", started)
    add_distribution(results, "dispatch_complete_ms", completed)
    results["dispatch_vs_one_request_p50"] = results["dispatch_start_ms_p50"] / results["one_request_start_ms_p50"]
    results.update(throughput.run(server, f"build:{ZERO_JOB}", 2 * executors, args.duration, metrics_port))


def run_phase(name: str, workdir: Path, errors: dict[str, str], body: Callable[[Farm], None]) -> None:
    farm = Farm(workdir / name)
    try:
        body(farm)
    except Exception as exc:
        traceback.print_exc()
        errors[name] = f"{type(exc).__name__}: {exc}"
        progress(f"{name}: FAILED ({errors[name].splitlines()[0]})")
        for log in sorted((workdir / name).glob("controller*.log")):
            lines = log.read_text(errors="replace").splitlines()[-40:]
            print(f"--- last lines of {log.name} ---", *lines, sep="\n", file=sys.stderr)
    finally:
        farm.close()


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m tests.bench", description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="short runs, fewer samples, 100 and 1000 executors only")
    parser.add_argument("--duration", type=float, help="seconds of the throughput run (default 60; 10 with --quick)")
    parser.add_argument("--output", type=Path, default=Path("bench-results.json"), help="default: %(default)s")
    parser.add_argument("--keep", action="store_true", help="keep the working directory (logs) and print its path")
    args = parser.parse_args(argv)
    args.duration = args.duration or (10.0 if args.quick else 60.0)
    args.samples = 15 if args.quick else 50
    args.floor_samples = 100 if args.quick else 300
    args.levels = [100, 1000] if args.quick else [100, 1000, 5000]
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    began = time.monotonic()
    progress(f"gearman-jenkins bench{' (quick)' if args.quick else ''}: throughput {args.duration:g} s")
    raise_own_file_limit()
    results: dict[str, Any] = {"environment": environment()}
    results["options"] = {
        "quick": args.quick,
        "duration_s": args.duration,
        "latency_samples": args.samples,
        "floor_samples": args.floor_samples,
        "levels": args.levels,
    }
    errors: dict[str, str] = {}
    workdir = Path(tempfile.mkdtemp(prefix="gearman-jenkins-bench-"))
    try:
        run_phase("dispatch", workdir, errors, lambda farm: dispatch_phase(farm, args, results))
        run_phase("agent-cost", workdir, errors, lambda farm: results.update(agent_cost.measure(farm)))
        kills = 3 if args.quick else takeover.KILLS
        run_phase("takeover", workdir, errors, lambda farm: results.update(takeover.measure(farm, kills)))
        run_phase("farm", workdir, errors, lambda farm: results.update(farm_scale.measure(farm)))
        for level in args.levels:
            reregister = level == args.levels[-1]
            run_phase(
                f"scale-{level}",
                workdir,
                errors,
                lambda farm, level=level, reregister=reregister: results.update(
                    scale.measure_level(farm, level, reregister)
                ),
            )
    finally:
        if args.keep:
            print(f"bench: working directory kept: {workdir}", file=sys.stderr)
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    results["environment"]["loadavg_end"] = list(os.getloadavg())
    results["bench_wall_s"] = time.monotonic() - began
    results["targets"] = verdicts(results)
    results["errors"] = errors
    args.output.write_text(json.dumps(results, indent=2, sort_keys=True) + "\n")
    env = results["environment"]
    print(
        f"\n{env['date']}  {env['cpu_count']} CPUs  python {env['python']}  {env['gearmand']}\n"
        f"load average at start {env['loadavg_start'][0]:.1f}, at end {env['loadavg_end'][0]:.1f} (other work on the machine)\n"
    )
    print(table(results))
    print(f"\nwrote {args.output} in {results['bench_wall_s']:.0f} s")
    for phase, error in errors.items():
        print(f"phase {phase} failed: {error}", file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
