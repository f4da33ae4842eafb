"""`gearman-jenkins undeploy`: remove every trace of the agent from masters."""

from __future__ import annotations

import argparse

from controller import errors
from controller.commands.options import add_config, add_json, add_master, config_from, print_json, selected_masters
from controller.deploy import VIA, UndeployResult, undeploy

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


def run(args: argparse.Namespace) -> int:
    config = config_from(args)
    results = []
    for master in selected_masters(config, args):
        try:
            results.append(undeploy(master, args.via))
        except errors.ConfigError:
            raise
        except errors.GearmanJenkinsError as exc:
            results.append(UndeployResult(master.name, args.via, error=str(exc)))
    if args.json:
        print_json([r.as_dict() for r in results])
    else:
        for r in results:
            if r.error:
                print(f"{r.master}: FAILED: {r.error}")
            else:
                removed = ", ".join(sorted(set(r.removed or []))) or "nothing was running"
                copy = "removed" if r.boot_copy_removed else "was not there"
                print(f"{r.master}: agent removed ({removed}); boot copy {copy}")
    return 1 if any(r.error for r in results) else 0
