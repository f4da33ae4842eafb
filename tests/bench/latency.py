"""Time to a started build: Jenkins driven directly, and through the controller.

Both sides start the same zero-length job on the same double, one build at
a time, and wait for each build to finish (untimed) before the next, so
that every sample starts from an idle master.

- direct: python-jenkins ``build_job``, then ``get_queue_item`` every
  100 ms until the item has an executable (what a client without this
  project does); time from the call to seeing the executable.
- one request: one script-console request that schedules the build
  (``scheduleBuild2``) and blocks in ``QueueTaskFuture.waitForStart``;
  time from sending the request to its answer. The strongest peer a client
  without this project can have: no polling, one round trip.
- dispatch: SUBMIT_JOB ``build:JOB`` through gearmand and the controller;
  time to the first WORK_DATA (which the contract sends when the build has
  started on its executor).
"""

from __future__ import annotations

import time

from tests.bench.clients import TimedClient
from tests.bench.farm import progress, run_snippet
from tests.jenkins_double import JenkinsDouble

POLL_INTERVAL = 0.1
TIMEOUT = 120.0
# Jenkins APIs: Jenkins.getItemByFullName, AbstractProject.scheduleBuild2, QueueTaskFuture.waitForStart.
SCHEDULE_AND_WAIT = "println j.getItemByFullName(data.job).scheduleBuild2(0).waitForStart().getNumber()"


def direct_start_ms(client, job: str) -> float:
    started = time.perf_counter()
    queue_id = client.build_job(job)
    while True:
        item = client.get_queue_item(queue_id)
        executable = item.get("executable")
        if executable:
            elapsed = (time.perf_counter() - started) * 1000
            break
        if item.get("cancelled"):
            raise RuntimeError(f"queue item {queue_id} of {job} was cancelled")
        if time.perf_counter() - started > TIMEOUT:
            raise TimeoutError(f"{job}: queue item {queue_id} did not start within {TIMEOUT:g} s")
        time.sleep(POLL_INTERVAL)
    _wait_finished(client, job, executable["number"])
    return elapsed


def one_request_start_ms(double: JenkinsDouble, client, job: str) -> float:
    started = time.perf_counter()
    number = int(run_snippet(double, SCHEDULE_AND_WAIT, job=job))
    elapsed = (time.perf_counter() - started) * 1000
    _wait_finished(client, job, number)
    return elapsed


def _wait_finished(client, job: str, number: int) -> None:
    deadline = time.monotonic() + TIMEOUT
    while client.get_build_info(job, number)["building"]:
        if time.monotonic() > deadline:
            raise TimeoutError(f"{job} #{number} still building after {TIMEOUT:g} s")
        time.sleep(0.01)


def direct(double: JenkinsDouble, job: str, samples: int, warmup: int = 3) -> list[float]:
    client = double.client()
    for _ in range(warmup):  # crumb, connection pool, the double's first-build paths
        direct_start_ms(client, job)
    progress(f"direct: {samples} builds of {job} with python-jenkins, polling every {POLL_INTERVAL * 1000:g} ms")
    return [direct_start_ms(client, job) for _ in range(samples)]


def one_request(double: JenkinsDouble, job: str, samples: int, warmup: int = 3) -> list[float]:
    client = double.client()
    for _ in range(warmup):  # the script console's compile path, the double's first-build paths
        one_request_start_ms(double, client, job)
    progress(f"one request: {samples} builds of {job}, each one script-console request that waits for the start")
    return [one_request_start_ms(double, client, job) for _ in range(samples)]


def dispatch(client: TimedClient, job: str, samples: int, warmup: int = 5) -> tuple[list[float], list[float]]:
    """(start ms, complete ms) per build."""

    def one() -> tuple[float, float]:
        timed = client.run(f"build:{job}", {}, timeout=TIMEOUT)
        if timed.outcome != "SUCCESS" or timed.first_data is None:
            raise RuntimeError(f"build:{job} ended {timed.outcome} (WORK_DATA seen: {timed.first_data is not None})")
        return timed.start_ms, timed.complete_ms

    for _ in range(warmup):
        one()
    progress(f"dispatch: {samples} builds of build:{job} through the controller")
    pairs = [one() for _ in range(samples)]
    return [p[0] for p in pairs], [p[1] for p in pairs]
