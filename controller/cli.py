"""The ``gearman-jenkins`` command line: argument parsing and exit codes.

Exit codes: 0 ok, 1 the operation failed, 2 usage or configuration error.
Each subcommand is a module in ``controller.commands`` exposing ``HELP``,
``add_arguments(parser)`` and ``run(args) -> int``; this file only wires them
up and turns expected errors into one-line messages.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from controller import __version__, logs
from controller.errors import ConfigError, GearmanJenkinsError, UsageError

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2

# The README's command table, in the order the help lists them.
SUBCOMMANDS = ("run", "deploy", "undeploy", "check", "status", "submit", "stop", "describe")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="gearman-jenkins",
        description="One Gearman job queue in front of many Jenkins masters.",
        epilog="Exit codes: 0 ok, 1 failed, 2 usage or configuration error.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument(
        "--log-level",
        choices=("DEBUG", "INFO", "WARNING", "ERROR"),
        help="log level (default: the config's options.log_level, else WARNING for client commands)",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in SUBCOMMANDS:
        module = importlib.import_module(f"controller.commands.{name}")
        command = sub.add_parser(name, help=module.HELP, description=module.HELP)
        module.add_arguments(command)
        command.set_defaults(run=module.run)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    if args.log_level:
        logs.configure(args.log_level)
    try:
        return args.run(args)
    except (ConfigError, UsageError) as exc:
        print(f"gearman-jenkins: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except GearmanJenkinsError as exc:
        print(f"gearman-jenkins: {exc}", file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        print("gearman-jenkins: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
