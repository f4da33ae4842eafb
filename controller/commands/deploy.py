"""`gearman-jenkins deploy`: install the agent into masters (not built yet)."""

from __future__ import annotations

import argparse
import sys

HELP = "install the agent into masters"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    pass


def run(args: argparse.Namespace) -> int:
    print("gearman-jenkins deploy: not built yet", file=sys.stderr)
    return 2
