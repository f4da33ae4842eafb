"""`gearman-jenkins undeploy`: remove every trace of the agent from masters.

Takes the agent's dispatcher and listeners out of the running master (any
agent version), releases its reservations and deletes the boot copy in
``init.groovy.d`` (through the script console, or over SSH with ``--via
ssh``). Output, failures and exit codes are those of ``deploy``; a second
run says that there was nothing to do.

A running controller installs the agent again as soon as it notices it is
gone, so undeploy warns when one serves the master (a worker has
registered ``stop:MASTER`` on a configured Gearman server).
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from controller.commands.deploy import VIA, act_on_masters, report
from controller.commands.options import add_config, add_json, add_master, config_from, selected_masters
from controller.config import Config, MasterConfig

if TYPE_CHECKING:
    from controller.deploy import UndeployResult

CONTROLLER_PROBE_TIMEOUT = 2.0
HELP = "remove the agent from masters (listeners, dispatcher, reservations and the init.groovy.d copy)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_config(parser)
    add_master(parser)
    parser.add_argument(
        "--via",
        choices=VIA,
        default="script-console",
        help="how to remove the boot copy from $JENKINS_HOME/init.groovy.d (default: script-console)",
    )
    add_json(parser)


def describe(result: UndeployResult) -> str:
    if not result.changed:
        return f"{result.master}: no agent running and no boot copy: nothing to do"
    if result.removed:
        running = f"agent removed from the running master ({', '.join(result.removed)})"
    else:
        running = "no agent was running"
    copy = "boot copy deleted" if result.boot_copy_removed else "no boot copy was there"
    via = " over SSH" if result.via == "ssh" and result.boot_copy_removed else ""
    return f"{result.master}: {running}; {copy}{via}"


def run(args: argparse.Namespace) -> int:
    # Imported here: --help and --version need not load paramiko and python-jenkins.
    from controller.checks import Hints
    from controller.deploy import UndeployResult, undeploy

    config = config_from(args)

    def failed(master: MasterConfig) -> UndeployResult:
        return UndeployResult(master.name, args.via)

    results = act_on_masters(selected_masters(config, args), args.via, undeploy, failed, Hints.of(config))
    for result in results:
        served_on = controller_serving(config, result.master)
        if result.error is None and served_on:
            result.warnings.append(
                f"a controller serves this master (stop:{result.master} is registered on {served_on}) "
                "and will install the agent again: stop it before undeploying"
            )
    return report(args, "undeploy", results, describe)


def controller_serving(config: Config, master: str) -> str | None:
    """The Gearman server on which a controller registered ``stop:MASTER``, if any (unreachable ones are skipped)."""
    from controller.contract.functions import stop_function
    from controller.errors import GearmanServerError
    from controller.gearman.admin import AdminClient

    for server in config.gearman_servers:
        try:
            with AdminClient(server, config.tls, timeout=CONTROLLER_PROBE_TIMEOUT) as admin:
                if any(f.name == stop_function(master) and f.workers for f in admin.status()):
                    return str(server)
        except GearmanServerError:
            continue
    return None
