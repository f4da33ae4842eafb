"""`gearman-jenkins deploy`: install the agent into masters, now and for every restart."""

from __future__ import annotations

import argparse

from controller import errors
from controller.commands.options import add_config, add_json, add_master, config_from, print_json, selected_masters
from controller.deploy import VIA, DeployResult, deploy

HELP = "install the agent into masters (and into init.groovy.d so a restart keeps it)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_config(parser)
    add_master(parser)
    parser.add_argument(
        "--via",
        choices=VIA,
        default="script-console",
        help="how to write the boot copy into $JENKINS_HOME/init.groovy.d (default: script-console)",
    )
    add_json(parser)


def describe(result: DeployResult) -> str:
    if result.error:
        return f"{result.master}: FAILED: {result.error}"
    if not result.installed:
        state = f"agent {result.version} already running"
    elif result.replaced:
        state = f"agent {result.version} installed, replacing {', '.join(result.replaced)}"
    else:
        state = f"agent {result.version} installed"
    copy = "written" if result.persist_changed else "unchanged"
    return f"{result.master}: {state}; boot copy {copy} at {result.persisted} (via {result.via})"


def run(args: argparse.Namespace) -> int:
    config = config_from(args)
    results = []
    for master in selected_masters(config, args):
        try:
            results.append(deploy(master, args.via))
        except errors.ConfigError:
            raise
        except errors.GearmanJenkinsError as exc:
            results.append(DeployResult(master.name, args.via, "", error=str(exc)))
    if args.json:
        print_json([r.as_dict() for r in results])
    else:
        for result in results:
            print(describe(result))
            for warning in result.warnings or ():
                print(f"{result.master}: warning: {warning}")
    return 1 if any(r.error for r in results) else 0
