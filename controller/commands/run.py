"""`gearman-jenkins run`: run the controller daemon (not built yet)."""

from __future__ import annotations

import argparse
import sys

HELP = "run the controller daemon"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    pass


def run(args: argparse.Namespace) -> int:
    print("gearman-jenkins run: not built yet", file=sys.stderr)
    return 2
