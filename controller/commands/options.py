"""Command-line options shared by several subcommands, and their meaning."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from controller.config import (
    DEFAULT_CONFIG_PATH,
    Config,
    GearmanServer,
    MasterConfig,
    default_config_path,
    load_config,
    parse_server,
)
from controller.errors import UsageError
from controller.gearman.client import DEFAULT_SERVER, ServerSelection


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


def add_server_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "-s",
        "--server",
        metavar="HOST[:PORT]",
        help=f"Gearman server (default: {DEFAULT_SERVER.host}:{DEFAULT_SERVER.port}, as gear_client.py)",
    )
    parser.add_argument("-p", "--port", type=int, metavar="PORT", help="port of -s (default: 4730)")
    add_config(parser, required=False)
    parser.epilog = (
        "Servers: -s/-p name one; else -c uses every server of the config; else localhost:4730. "
        "-c also supplies the config's TLS settings and masters."
    )


def select_servers(args: argparse.Namespace) -> ServerSelection:
    """The servers of ``-s/-p``, else of ``-c CONFIG``, else gear_client.py's default.

    ``-c`` also supplies TLS settings and the masters (for ``--manager``), with
    or without ``-s``.
    """
    config = load_config(args.config) if args.config else None
    if args.port is not None and not 0 < args.port < 65536:
        raise UsageError(f"-p {args.port}: not a TCP port")
    tls = config.tls if config else None
    if args.server is None and args.port is None and config is not None:
        if not config.gearman_servers:
            raise UsageError(f"{config.path} lists no gearman.servers; give -s HOST[:PORT]")
        return ServerSelection(config.gearman_servers, tls, config)
    server = DEFAULT_SERVER
    if args.server:
        try:
            server = parse_server(args.server)
        except ValueError:
            raise UsageError(f'-s {args.server}: expected "HOST" or "HOST:PORT"') from None
    if args.port is not None:
        server = GearmanServer(server.host, args.port)
    return ServerSelection((server,), tls, config)
