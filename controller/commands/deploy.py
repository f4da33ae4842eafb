"""`gearman-jenkins deploy`: install the agent into masters, now and for every restart.

One line per master on stdout saying what changed (agent installed,
replaced or already running; boot copy written or unchanged), so that a
second run visibly does nothing; one line per failure on stderr naming the
master, what had been done, what went wrong and what to do. ``undeploy``
reuses ``act_on_masters`` and ``report``.

Exit codes: 0 every master done, 1 a master failed (the others are still
done), 2 for a bad config, an unknown ``--master`` or ``--via ssh`` for a
master without an ``ssh:`` section (checked before anything is changed).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from controller import errors
from controller.commands.options import add_config, add_json, add_master, config_from, print_json, selected_masters
from controller.config import MasterConfig

if TYPE_CHECKING:
    from controller.checks import Hints
    from controller.deploy import DeployResult

HELP = "install the agent into masters (and into init.groovy.d so a restart keeps it)"
VIA = ("script-console", "ssh")  # how the boot copy reaches $JENKINS_HOME/init.groovy.d (controller.deploy)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_config(parser)
    add_master(parser)
    parser.add_argument(
        "--via",
        choices=VIA,
        default="script-console",
        help="how to write the boot copy into $JENKINS_HOME/init.groovy.d: through the script console, "
        "or over SSH/SFTP with the master's ssh: settings (default: script-console)",
    )
    add_json(parser)


def describe(result: DeployResult) -> str:
    if result.installed and result.replaced:
        state = f"agent {result.version} installed in place of {', '.join(result.replaced)}"
    elif result.installed:
        state = f"agent {result.version} installed"
    else:
        state = f"agent {result.version} already running"
    where = f"{result.persisted} (via {result.via})"
    if not result.changed:
        return f"{result.master}: {state}, boot copy up to date at {where}: nothing to do"
    copy = f"boot copy written to {where}" if result.persist_changed else f"boot copy up to date at {where}"
    return f"{result.master}: {state} (epoch {(result.epoch or '?')[:8]}); {copy}"


def run(args: argparse.Namespace) -> int:
    # Imported here: --help and --version need not load paramiko and python-jenkins.
    from controller.checks import Hints
    from controller.deploy import DeployResult, deploy
    from controller.templates import agent_version

    config = config_from(args)
    masters = selected_masters(config, args)

    def failed(master: MasterConfig) -> DeployResult:
        return DeployResult(master.name, args.via, agent_version())

    results = act_on_masters(masters, args.via, deploy, failed, Hints.of(config))
    return report(args, "deploy", results, describe)


def act_on_masters(
    masters: tuple[MasterConfig, ...],
    via: str,
    action: Callable[[MasterConfig, str], Any],
    failed: Callable[[MasterConfig], Any],
    hints: Hints,
) -> list[Any]:
    """``action`` on each master in turn; a master's failure is kept in its result and the others go on.

    ``failed(master)`` makes the result of a master whose action raised.
    """
    from controller.checks import explain

    if not masters:
        raise errors.ConfigError(f"{hints.config_path}: no masters configured")
    without_ssh = [master.name for master in masters if master.ssh is None]
    if via == "ssh" and without_ssh:
        # Exit 2 before anything is changed anywhere.
        names = ", ".join(f"{name} ({hints.master_keys.get(name, 'masters')})" for name in without_ssh)
        raise errors.ConfigError(
            f"{hints.config_path}: --via ssh needs an ssh: section (host, user, jenkins_home) for master {names}; "
            "add one, or use --via script-console"
        )
    results = []
    for master in masters:
        try:
            result = action(master, via)
        except errors.ConfigError:
            raise
        except errors.GearmanJenkinsError as exc:
            result = failed(master)
            result.failure = exc
        if result.failure is not None:
            detail, fix = explain(result.failure, hints)
            result.error = f"{result.error}: {detail}" if result.error else detail
            result.fix = fix
        results.append(result)
    return results


def report(args: argparse.Namespace, command: str, results: list[Any], describe: Callable[[Any], str]) -> int:
    """Print the results (one line per master, or JSON) and the failures; the exit code."""
    if args.json:
        print_json([result.as_dict() for result in results])
    else:
        for result in results:
            if result.error is None:
                print(describe(result))
            for warning in result.warnings:
                print(f"{result.master}: warning: {warning}")
    sys.stdout.flush()
    for result in results:
        if result.error is not None:
            fix = f"; {result.fix}" if result.fix else ""
            print(f"gearman-jenkins {command}: master {result.master}: {result.error}{fix}", file=sys.stderr)
    return 1 if any(result.error for result in results) else 0
