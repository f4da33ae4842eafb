"""Command-line options shared by several subcommands, and their meaning."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from controller.config import DEFAULT_CONFIG_PATH, Config, MasterConfig, default_config_path, load_config
from controller.errors import UsageError


def add_config(parser: argparse.ArgumentParser, required: bool = True) -> None:
    if required:
        help_text = f"config file (default: $GEARMAN_JENKINS_CONFIG or {DEFAULT_CONFIG_PATH})"
    else:
        help_text = "config file to take Gearman servers, TLS and masters from (read only when given)"
    parser.add_argument("-c", "--config", metavar="CONFIG", help=help_text)


def add_master(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--master", metavar="NAME", help="only this master (default: all configured masters)")


def add_json(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print the result as JSON")


DEFAULT_TIMEOUT = 10.0


def add_timeout(parser: argparse.ArgumentParser, what: str) -> None:
    parser.add_argument(
        "--timeout",
        type=float,
        default=DEFAULT_TIMEOUT,
        metavar="SECONDS",
        help=f"give up on one {what} after SECONDS (default: {DEFAULT_TIMEOUT:g})",
    )


def timeout_from(args: argparse.Namespace) -> float:
    if args.timeout <= 0:
        raise UsageError(f"--timeout {args.timeout:g}: must be more than 0 seconds")
    return args.timeout


def config_from(args: argparse.Namespace, warn: bool = True) -> Config:
    """The config the command line names; ``warn`` prints its warnings (exposed secrets) on stderr.

    ``run`` logs them instead, and ``check`` reports them as checks.
    """
    config = load_config(args.config or default_config_path())
    if warn:
        for warning in config.warnings:
            print(f"gearman-jenkins: warning: {warning}", file=sys.stderr)
    return config


def selected_masters(config: Config, args: argparse.Namespace) -> tuple[MasterConfig, ...]:
    """The masters a command acts on: ``--master NAME`` or all of them."""
    if getattr(args, "master", None):
        return (config.master(args.master),)
    return config.masters


def print_json(data: Any) -> None:
    json.dump(data, sys.stdout, indent=2, sort_keys=True)
    sys.stdout.write("\n")
