"""`gearman-jenkins undeploy`: remove the agent from masters (not built yet)."""

from __future__ import annotations

import argparse
import sys

HELP = "remove the agent from masters"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    pass


def run(args: argparse.Namespace) -> int:
    print("gearman-jenkins undeploy: not built yet", file=sys.stderr)
    return 2
