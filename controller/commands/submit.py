"""`gearman-jenkins submit`: submit Gearman jobs such as ``build:JOB`` and wait for their answers.

Covers the seed's ``gear_client.py`` (gearman-plugin-client) command lines,
which run unchanged with ``gearman-jenkins submit`` in place of
``python gear_client.py``. By default it behaves as that script did: submit
every iteration at once as a foreground job with a fresh uuid4 hex unique id
(also sent as build parameter ``uuid`` to ``build:`` functions), print
``Sending job: ...`` per job, a dot per second while waiting, then
``---- Job Results ----`` and ``UNIQUE : [DATA, ...]`` per job. It differs
where the script was wrong: it waits for every job (the script waited for
the last one only), honours ``-p`` (the script ignored it), gives up on an
unreachable server after 10 s, and exits 1 when a job failed.

``--wait`` replaces that output with one progress line per event on stderr
and one result line per job on stdout; ``--json`` prints one JSON object per
job on stdout. This command never prints a traceback for an expected
failure and never re-submits a job on its own.
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
import time
import uuid
from typing import Any

from controller.commands.options import add_server_arguments, select_servers
from controller.errors import UsageError
from controller.gearman.client import (
    CONNECT_TIMEOUT,
    ConnectionLost,
    JobCreated,
    JobEvent,
    ServerSelection,
    TrackedJob,
    WorkComplete,
    WorkData,
    WorkException,
    WorkFail,
    WorkStatus,
    cancel_queued,
    connect,
    registered_workers,
    wait_for,
)

HELP = "submit Gearman jobs, e.g. build:JOB, and wait for their answers"
EXIT_OK = 0
EXIT_FAILED = 1
MAX_UNIQUE_BYTES = 64  # gearmand's GEARMAN_MAX_UNIQUE_SIZE


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_server_arguments(parser)
    parser.add_argument("--function", required=True, metavar="NAME", help="Gearman function, e.g. build:myProject")
    parser.add_argument(
        "--params",
        default="{}",
        metavar="JSON",
        help="job arguments: a JSON object (default: {}). Anything else is refused (exit 2) "
        "unless --raw is given; build parameters are strings, other JSON values reach Jenkins as their JSON text",
    )
    parser.add_argument(
        "--raw",
        action="store_true",
        help="send --params byte for byte, unchecked, without adding the uuid parameter",
    )
    parser.add_argument("--iterations", type=int, default=1, metavar="N", help="submit the job N times (default: 1)")
    parser.add_argument(
        "--unique",
        metavar="UUID",
        help="Gearman unique id (default: a fresh uuid4 hex per job, as Zuul does); only with --iterations 1. "
        "For build: functions it is also added to the parameters as uuid, as gear_client.py did",
    )
    parser.add_argument(
        "--wait",
        action="store_true",
        help="show progress on stderr (master, node, build URL, elapsed vs estimate) "
        "and print one result line per job: UNIQUE RESULT URL",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object per job")
    parser.add_argument(
        "--timeout",
        type=float,
        metavar="SECONDS",
        help="stop waiting after SECONDS (default: wait as long as the builds run; at most 10 s to connect "
        "and submit); jobs still queued then are cancelled on the server",
    )


def run(args: argparse.Namespace) -> int:
    selection = select_servers(args)
    jobs = _jobs_from(args)
    output = _Output(args, selection)
    connect_timeout = min(args.timeout or CONNECT_TIMEOUT, CONNECT_TIMEOUT)
    client = connect(selection, connect_timeout)
    try:
        output.started()
        for job in jobs:
            job.listener = output.on_event
            client.submit(job, connect_timeout)
            output.submitted(job)
        if args.wait:
            output.warn_if_unregistered(args.function)
        output.waiting()
        unfinished = wait_for(jobs, args.timeout, tick=output.tick)
        # Before disconnecting: gear's server drops a disconnected client's
        # jobs itself and would then answer UNKNOWN_JOB.
        cancelled = cancel_queued(unfinished, selection.tls)
    except BaseException:
        # Interrupted or the server went away: leave no queued job behind.
        cancel_queued(jobs, selection.tls)
        raise
    finally:
        client.shutdown()
    output.finished(jobs, cancelled)
    return EXIT_OK if all(job.succeeded for job in jobs) else EXIT_FAILED


def _jobs_from(args: argparse.Namespace) -> list[TrackedJob]:
    if args.iterations < 1:
        raise UsageError(f"--iterations {args.iterations}: must be 1 or more")
    if args.unique is not None and args.iterations > 1:
        raise UsageError("--unique gives every iteration the same unique id, which Gearman merges into one job")
    if args.timeout is not None and args.timeout <= 0:
        raise UsageError(f"--timeout {args.timeout:g}: must be more than 0 seconds")
    if "\0" in args.function or not args.function:
        raise UsageError("--function: must be a non-empty name without NUL bytes")
    if args.unique is not None and ("\0" in args.unique or not 0 < len(args.unique.encode()) <= MAX_UNIQUE_BYTES):
        raise UsageError(f"--unique: must be 1 to {MAX_UNIQUE_BYTES} bytes without NUL")
    params = None
    if not args.raw:
        try:
            params = json.loads(args.params)
        except ValueError as exc:
            raise UsageError(f"--params is not JSON ({exc}); pass --raw to send it as it is") from None
        if not isinstance(params, dict):
            raise UsageError(f"--params must be a JSON object, got {type(params).__name__}; pass --raw to send it")
    jobs = []
    for index in range(1, args.iterations + 1):
        unique = args.unique or uuid.uuid4().hex
        if params is None:
            arguments = args.params.encode("utf-8", "surrogateescape")
        else:
            job_params = dict(params)
            if args.function.startswith("build:"):
                job_params.setdefault("uuid", unique)
            arguments = json.dumps(job_params).encode("utf-8")
        jobs.append(TrackedJob(args.function, arguments, unique, label=f"{index}/{args.iterations}"))
    return jobs


class _Output:
    """What the user sees, in the mode they asked for (gear_client.py-like, --wait, --json)."""

    def __init__(self, args: argparse.Namespace, selection: ServerSelection):
        self.progress = args.wait
        self.as_json = args.json
        self.classic = not (args.wait or args.json)
        self.selection = selection
        self.lock = threading.Lock()  # progress lines come from gear's poll thread and the main thread

    def _err(self, line: str) -> None:
        with self.lock:
            sys.stderr.write(line + "\n")
            sys.stderr.flush()

    def _out(self, text: str) -> None:
        with self.lock:
            sys.stdout.write(text)
            sys.stdout.flush()

    def started(self) -> None:
        if self.classic:
            self._out("\n" + time.asctime() + "\n")

    def submitted(self, job: TrackedJob) -> None:
        if self.classic:
            params = job.arguments.decode("utf-8", "replace")
            self._out(f"Sending job: {job.name} to {job.server} with params={params}\n")

    def warn_if_unregistered(self, function: str) -> None:
        counts = registered_workers(self.selection, function)
        if counts and not any(counts.values()):
            self._err(f"no worker has registered {function} yet on {', '.join(counts)}; the job waits in the queue")

    def waiting(self) -> None:
        if self.classic:
            self._out("\nWaiting for jobs to finish")

    def tick(self) -> None:
        if self.classic:
            self._out(".")

    def on_event(self, job: TrackedJob, event: JobEvent) -> None:
        if self.progress:
            self._err(f"[{job.label}] {_describe(job, event)}")

    def finished(self, jobs: list[TrackedJob], cancelled: dict[str, bool]) -> None:
        if self.classic:
            lines = ["\n\n---- Job Results ----", time.asctime() + "\n"]
            for job in jobs:
                data = [event.data.decode("utf-8", "replace") for event in job.events if _carries_data(event)]
                lines.append(f"{job.unique} : {data}")
            self._out("\n".join(lines) + "\n")
        for job in jobs:
            if self.as_json:
                self._out(json.dumps(job.record_dict(), sort_keys=True) + "\n")
            elif self.progress:
                data = job.work_data
                url = data.get("url") if isinstance(data, dict) else None
                self._out(f"{job.unique} {job.result or job.status} {url or '-'}\n")
            if not job.succeeded:
                self._err(f"gearman-jenkins submit: {job.unique} ({job.name}): {_failure(job, cancelled)}")


def _carries_data(event: JobEvent) -> bool:
    # gear's Job.data, which gear_client.py printed: WORK_DATA and WORK_COMPLETE payloads.
    return isinstance(event, WorkData | WorkComplete)


def _failure(job: TrackedJob, cancelled: dict[str, bool]) -> str:
    outcome = job.outcome
    if isinstance(outcome, WorkComplete):
        return f"build finished {job.result}" + _where(job)
    if isinstance(outcome, WorkFail):
        return "WORK_FAIL: the worker gave up on the job (gear's server also sends it when a worker disconnects)"
    if isinstance(outcome, WorkException):
        return f"WORK_EXCEPTION: {_text(job.answer)}"
    if isinstance(outcome, ConnectionLost):
        return f"lost the connection to gearman server {outcome.server} before an answer came"
    if cancelled.get(job.unique):
        return "no answer in time; cancelled in the Gearman queue"
    if job.started:
        return "no answer in time; the build is still running" + _where(job)
    return "no answer in time; could not cancel it, a worker may still run it"


def _describe(job: TrackedJob, event: JobEvent) -> str:
    """One progress line for one event."""
    if isinstance(event, JobCreated):
        return f"queued {job.name} on {event.server} as {event.handle} (unique {job.unique})"
    if isinstance(event, WorkData):
        info = _text(job.work_data)
        if isinstance(job.work_data, dict):
            data = job.work_data
            info = (
                f"{data.get('name')} #{data.get('number')} on master {data.get('manager')}, "
                f"node {data.get('node_name')} ({data.get('worker')}): {data.get('url')}"
            )
        return f"started {info}"
    if isinstance(event, WorkStatus):
        elapsed, estimate = event.numerator, event.denominator
        if elapsed is None:
            return "WORK_STATUS without numbers"
        if estimate and estimate > 0:
            return f"running {_duration(elapsed)} of ~{_duration(estimate)} estimated ({100 * elapsed // estimate}%)"
        return f"running {_duration(elapsed)} (no estimate)"
    if isinstance(event, WorkComplete):
        waited = _duration(1000 * (time.monotonic() - job.submitted_at)) if job.submitted_at else "?"
        what = job.result or f"WORK_COMPLETE {_text(job.answer)}"
        return f"{what} after {waited}{_where(job)}"
    if isinstance(event, WorkFail):
        return "WORK_FAIL"
    if isinstance(event, WorkException):
        return f"WORK_EXCEPTION: {_text(job.answer)}"
    return f"lost the connection to gearman server {event.server}"


def _where(job: TrackedJob) -> str:
    data = job.work_data
    if isinstance(data, dict) and data.get("url"):
        return f": {data['url']}"
    return ""


def _duration(ms: float) -> str:
    seconds = ms / 1000
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, seconds = divmod(int(seconds), 60)
    return f"{minutes}:{seconds:02d} min"


def _text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)
