"""`gearman-jenkins describe`: set a build's description through ``set_description:MANAGER``.

Sends ``{"name", "number", "html_description"}`` to the master's management
worker and prints its one-line answer. Server selection, ``--manager``,
``--timeout``, ``--json`` and exit codes are those of ``stop`` (0 on
WORK_COMPLETE, 1 on WORK_FAIL / WORK_EXCEPTION / no answer, 2 on bad usage).
"""

from __future__ import annotations

import argparse

from controller.commands.options import select_servers
from controller.commands.stop import add_management_arguments, call_manager, manager_name
from controller.contract.functions import set_description_function

HELP = "set a build description through set_description:MANAGER"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_management_arguments(parser)
    parser.add_argument("--job", required=True, metavar="NAME", help="the build's job")
    parser.add_argument("--number", required=True, type=int, metavar="N", help="the build's number")
    parser.add_argument("--description", required=True, metavar="HTML", help="the new description (HTML)")


def run(args: argparse.Namespace) -> int:
    selection = select_servers(args)
    arguments = {"name": args.job, "number": args.number, "html_description": args.description}
    return call_manager(selection, set_description_function(manager_name(args, selection)), arguments, args)
