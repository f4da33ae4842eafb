"""`gearman-jenkins run`: the controller daemon (``controller.daemon``), with the config it reloads on SIGHUP."""

from __future__ import annotations

import argparse
import asyncio
import dataclasses

from controller import logs
from controller.commands.options import add_config, config_from
from controller.config import Config, GearmanServer, parse_server
from controller.errors import ConfigError

HELP = "run the controller daemon"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_config(parser)
    parser.add_argument(
        "--embedded-gearman",
        nargs="?",
        const="127.0.0.1:4730",
        metavar="[HOST:]PORT",
        help="also start gear's own Gearman server in this process (default 127.0.0.1:4730) and use it",
    )
    parser.add_argument(
        "--redeploy",
        action="store_true",
        help="replace an agent of another version on a master (otherwise that master is refused)",
    )


def run(args: argparse.Namespace) -> int:
    embedded = _embedded_server(args.embedded_gearman) if args.embedded_gearman else None

    def load() -> Config:
        """The config as this command line runs it; again on SIGHUP."""
        config = config_from(args, warn=False)  # the daemon logs the warnings
        if embedded is not None:
            connect_to = GearmanServer(
                "127.0.0.1" if embedded.host in ("0.0.0.0", "::") else embedded.host, embedded.port
            )
            if connect_to not in config.gearman_servers:
                config = dataclasses.replace(config, gearman_servers=(*config.gearman_servers, connect_to))
        if not config.masters:
            raise ConfigError(f"{config.path}: no masters: list the Jenkins masters to serve under masters:")
        if not config.gearman_servers:
            raise ConfigError(f"{config.path}: no Gearman server: list gearman.servers or pass --embedded-gearman")
        if args.log_level:
            config = dataclasses.replace(config, options=dataclasses.replace(config.options, log_level=args.log_level))
        return config

    config = load()
    logs.configure(config.options.log_level)
    # Imported here: the other commands' --help and --version need not load the daemon.
    from controller.daemon import serve

    asyncio.run(serve(config, load, redeploy=args.redeploy, embedded=embedded))
    return 0


def _embedded_server(text: str) -> GearmanServer:
    try:
        return parse_server(text if ":" in text else f"127.0.0.1:{text}")
    except ValueError:
        raise ConfigError(f"--embedded-gearman: expected [HOST:]PORT, got {text!r}") from None
