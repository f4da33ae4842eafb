"""`gearman-jenkins stop`: stop a build through the management function ``stop:MANAGER``.

Sends ``{"name", "number"}`` (a build by job and number; the number as a JSON
integer, as Zuul sends it) or ``{"uuid"}`` (a build by its Gearman unique id,
wherever it is: Gearman queue, Jenkins queue or executor), waits for the
controller's answer and prints it. ``describe`` reuses ``call_manager`` and
``manager_name`` from here: both are one job to a master's management worker.

Exit codes: 0 on WORK_COMPLETE; 1 on WORK_FAIL, WORK_EXCEPTION or no answer
in time (the job is then cancelled in the Gearman queue); 2 on bad usage.
This command never prints a traceback for an expected failure.
"""

from __future__ import annotations

import argparse
import json
import sys
import uuid
from typing import Any

from controller.commands.options import add_server_arguments, select_servers
from controller.contract.functions import stop_function
from controller.errors import UsageError
from controller.gearman.client import (
    CONNECT_TIMEOUT,
    ServerSelection,
    TrackedJob,
    WorkComplete,
    WorkException,
    WorkFail,
    cancel_queued,
    connect,
    registered_workers,
    wait_for,
)

HELP = "stop a build through stop:MANAGER"
DEFAULT_TIMEOUT = 30.0
EXIT_OK = 0
EXIT_FAILED = 1


def add_management_arguments(parser: argparse.ArgumentParser) -> None:
    """Options every management-function command takes."""
    add_server_arguments(parser)
    parser.add_argument(
        "--manager",
        metavar="NAME",
        help="the master's name (default with -c: the only configured master)",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=DEFAULT_TIMEOUT,
        metavar="SECONDS",
        help=f"how long to wait for the answer (default: {DEFAULT_TIMEOUT:g})",
    )
    parser.add_argument("--json", action="store_true", help="print the job and its answer as one JSON object")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_management_arguments(parser)
    parser.add_argument("--job", metavar="NAME", help="the build's job (with --number)")
    parser.add_argument("--number", type=int, metavar="N", help="the build's number (with --job)")
    parser.add_argument("--uuid", metavar="UUID", help="the build's Gearman unique id, instead of --job/--number")


def run(args: argparse.Namespace) -> int:
    if args.uuid is not None and (args.job is not None or args.number is not None):
        raise UsageError("give either --job NAME --number N or --uuid UUID, not both")
    if args.uuid is not None:
        arguments: dict[str, Any] = {"uuid": args.uuid}
    elif args.job is not None and args.number is not None:
        arguments = {"name": args.job, "number": args.number}
    else:
        raise UsageError("say which build: --job NAME --number N, or --uuid UUID")
    selection = select_servers(args)
    return call_manager(selection, stop_function(manager_name(args, selection)), arguments, args)


def manager_name(args: argparse.Namespace, selection: ServerSelection) -> str:
    """``--manager``, checked against the config when there is one; else the config's only master."""
    config = selection.config
    if args.manager:
        if config is not None:
            config.master(args.manager)  # ConfigError naming the configured masters if unknown
        return args.manager
    if config is not None and len(config.masters) == 1:
        return config.masters[0].name
    if config is not None:
        names = ", ".join(master.name for master in config.masters)
        raise UsageError(f"--manager NAME is needed: {config.path} has several masters ({names})")
    raise UsageError("--manager NAME is needed (or -c CONFIG with a single master)")


def call_manager(selection: ServerSelection, function: str, arguments: dict[str, Any], args: argparse.Namespace) -> int:
    """Submit a management ``function`` with ``arguments``, wait up to ``args.timeout``, print the answer."""
    if args.timeout <= 0:
        raise UsageError(f"--timeout {args.timeout:g}: must be more than 0 seconds")
    job = TrackedJob(function, json.dumps(arguments).encode("utf-8"), uuid.uuid4().hex)
    connect_timeout = min(args.timeout, CONNECT_TIMEOUT)
    client = connect(selection, connect_timeout)
    try:
        client.submit(job, connect_timeout)
        cancel_queued(wait_for([job], args.timeout), selection.tls)  # before disconnecting, see submit
    except BaseException:
        cancel_queued([job], selection.tls)
        raise
    finally:
        client.shutdown()
    if args.json:
        json.dump(job.record_dict(), sys.stdout, sort_keys=True)
        sys.stdout.write("\n")
    elif isinstance(job.outcome, WorkComplete):
        print(_text(job.answer))
    if isinstance(job.outcome, WorkComplete):
        return EXIT_OK
    print(f"gearman-jenkins {args.command}: {function}: {_problem(job, selection, args.timeout)}", file=sys.stderr)
    return EXIT_FAILED


def _problem(job: TrackedJob, selection: ServerSelection, timeout: float) -> str:
    if isinstance(job.outcome, WorkFail):
        return "WORK_FAIL (for stop: the build exists but is not running)"
    if isinstance(job.outcome, WorkException):
        return f"WORK_EXCEPTION: {_text(job.answer)}"
    if job.outcome is not None:
        return f"lost the connection to gearman server {job.outcome.server} before an answer came"
    counts = registered_workers(selection, job.name)
    if counts and not any(counts.values()):
        return (
            f"no answer within {timeout:g} s: no worker has registered {job.name} on {', '.join(counts)} "
            "(is the controller running, and is that the master's name?)"
        )
    return f"no answer within {timeout:g} s from the worker of {job.name}"


def _text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)
