"""The ``gearman-jenkins`` command line: argument parsing and exit codes.

Exit codes: 0 ok, 1 the operation failed, 2 usage or configuration error.
Each subcommand lives in its own module; this file only wires them up and
must never hold the logic of one.
"""

from __future__ import annotations

import argparse
import sys

from controller import __version__

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2

# Subcommands of DESIGN.md section 4, in the order the help lists them.
SUBCOMMANDS = {
    "run": "run the controller daemon",
    "deploy": "install the agent into masters",
    "undeploy": "remove the agent from masters",
    "check": "reach every Gearman server and master",
    "status": "show Gearman functions, executors and running builds",
    "submit": "submit Gearman jobs, e.g. build:JOB",
    "stop": "stop a build through stop:MANAGER",
    "describe": "set a build description through set_description:MANAGER",
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="gearman-jenkins",
        description="One Gearman job queue in front of many Jenkins masters.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, help_text in SUBCOMMANDS.items():
        sub.add_parser(name, help=help_text)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return EXIT_USAGE
    print(f"gearman-jenkins {args.command}: not built yet", file=sys.stderr)
    return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
