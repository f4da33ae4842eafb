"""Zero-length builds through the controller with the Gearman queue kept full.

The client keeps ``outstanding`` jobs submitted (a new one as soon as one
ends) for ``duration`` seconds, then stops submitting and waits for the rest.
Builds per second count the builds that ended with SUCCESS inside the
window; a failure is any job that did not (WORK_FAIL, WORK_EXCEPTION,
another result, no answer after the drain).

Script-console requests are read from the controller's metrics
(``gearman_jenkins_script_requests_total``, every request it posts:
reserve/schedule batches and event long-polls alike) before the first
submission and after the drain, and divided by the builds that ended in
between.
"""

from __future__ import annotations

import math
import threading
import time
from collections import Counter
from typing import Any

from controller.gearman.admin import AdminClient
from tests.bench.clients import TimedClient, TimedJob
from tests.bench.farm import BenchGearmand, metrics, progress, script_requests

DRAIN_TIMEOUT = 60.0
PROGRESS_EVERY = 10.0


def run(server: BenchGearmand, function: str, outstanding: int, duration: float, metrics_port: int) -> dict[str, Any]:
    slots = threading.Semaphore(outstanding)
    finished: list[TimedJob] = []

    def done(job: TimedJob) -> None:
        finished.append(job)
        slots.release()

    client = TimedClient(server, on_done=done)
    submitted: list[TimedJob] = []
    try:
        requests_before = script_requests(metrics_port)
        progress(f"throughput: {function}, {outstanding} outstanding, {duration:g} s")
        start = time.perf_counter()
        end = start + duration
        report_at = start + PROGRESS_EVERY
        while True:
            now = time.perf_counter()
            if now >= report_at:
                ok = sum(1 for j in finished if j.outcome == "SUCCESS")
                progress(f"throughput: {ok} builds in {now - start:.0f} s ({ok / (now - start):.1f}/s)")
                report_at += PROGRESS_EVERY
            if now >= end:
                break
            if slots.acquire(timeout=min(0.5, end - now)):
                if time.perf_counter() >= end:
                    slots.release()
                    break
                submitted.append(client.submit(function, {}))
        progress(f"throughput: window over; draining {len(submitted) - len(finished)} outstanding jobs")
        deadline = time.monotonic() + DRAIN_TIMEOUT
        for job in submitted:
            job.done.wait(max(0.0, deadline - time.monotonic()))
        requests_after = script_requests(metrics_port)
        stall = None if all(j.done.is_set() for j in submitted) else _stall(server, function, metrics_port)
    finally:
        client.shutdown()
    ended = [j for j in submitted if j.done.is_set()]
    in_window = [j for j in ended if j.outcome == "SUCCESS" and j.finished <= end]
    failures = [j for j in submitted if j.outcome != "SUCCESS"]
    outcomes = Counter(j.outcome or "unanswered" for j in failures)
    per_10s = Counter(int((j.finished - start) // 10) for j in in_window)
    return {
        "throughput_builds_per_s": len(in_window) / duration,
        "throughput_builds": len(in_window),
        "throughput_failures": len(failures),
        "throughput_failure_kinds": dict(outcomes),
        "throughput_submitted": len(submitted),
        "throughput_outstanding": outstanding,
        "throughput_duration_s": duration,
        "throughput_by_master": dict(Counter(j.manager for j in in_window)),
        "throughput_per_10s": [per_10s[i] / min(10.0, duration - 10 * i) for i in range(math.ceil(duration / 10))],
        "requests_per_build": (requests_after - requests_before) / len(ended) if ended else None,
        "script_requests": requests_after - requests_before,
        "throughput_stall": stall,
    }


def _stall(server: BenchGearmand, function: str, metrics_port: int) -> dict[str, Any]:
    """What gearmand and the controller say when jobs stay unanswered after the drain."""
    with AdminClient(server.server, timeout=30) as admin:
        line = next((f for f in admin.status() if f.name == function), None)
    state = {k: v for k, v in metrics(metrics_port).items() if not k.startswith("gearman_jenkins_script_requests")}
    stall = {
        "gearmand_status": None
        if line is None
        else {"queued": line.queued, "running": line.running, "workers": line.workers},
        "controller_metrics": state,
    }
    phases = {k: v for k, v in state.items() if k.startswith("gearman_jenkins_gearman_builds")}
    progress(f"throughput: STALLED after the drain: gearmand {stall['gearmand_status']}, controller {phases}")
    return stall
